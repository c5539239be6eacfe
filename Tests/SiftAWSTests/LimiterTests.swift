import Foundation
import Testing
@testable import SiftAWS

/// The actor semaphore that bounds requests in flight.
struct LimiterTests {
    actor Gauge {
        var current = 0
        var peak = 0
        func enter() { current += 1; peak = max(peak, current) }
        func leave() { current -= 1 }
    }

    @Test func neverMoreThanTheLimitInFlight() async {
        let limiter = ConcurrencyLimiter(limit: 3)
        let gauge = Gauge()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    await limiter.withSlot {
                        await gauge.enter()
                        try? await Task.sleep(nanoseconds: 2_000_000)
                        await gauge.leave()
                    }
                }
            }
        }
        #expect(await gauge.peak == 3)
        #expect(await gauge.current == 0)
    }
}
