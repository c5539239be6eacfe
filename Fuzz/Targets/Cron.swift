// Fuzz target: cron schedules. Any text parses or throws; a parsed schedule answers its next
// fire times (or nil) without hanging, each after the date asked about.
import Foundation
import SiftOpsConfig

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let schedule = try? CronSchedule(parsing: text) else { return 0 }
    var date = Date(timeIntervalSince1970: 1_780_272_000)
    for _ in 0..<3 {
        guard let next = schedule.nextFire(after: date) else { break }
        precondition(next > date, "\(text): next fire \(next) is not after \(date)")
        date = next
    }
    return 0
}
