import Foundation
import Testing
@testable import SiftAWS
#if canImport(Glibc)
import Glibc
#endif

/// A loopback socket that listens and never answers: the kernel completes connections into its
/// backlog, so a client connects and then waits for a reply that never comes.
final class SilentServer {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        descriptor = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)/") ?? URL(fileURLWithPath: "/") }

    func stop() { close(descriptor) }
}

/// Network time bounds (issue 13): a server that never answers, a refused connection.
@Suite struct TransportTimeoutTests {
    let credentials = AWSCredentials(accessKeyId: "FAKEBASEKEY", secretAccessKey: "fake-base-secret", source: "test")

    @Test func aSilentServerTimesOutAndIsRetriedAFewTimesOnly() async throws {
        let server = try SilentServer()
        defer { server.stop() }
        let transport = AWSTransport(retry: RetryPolicy(maxAttempts: 10, baseDelay: 0.01, maxDelay: 0.02), timeout: 1)
        let iam = IAMClient(credentials: credentials, endpoint: server.endpoint, transport: transport)
        await #expect {
            _ = try await iam.listUsers()
        } throws: { error in
            guard case AWSError.retriesExhausted("ListUsers", AWSTransport.maxTransportAttempts, let last) = error else { return false }
            return "\(last)".hasSuffix("timed out after 1 s without an answer")
        }
        #expect(transport.counter.total == AWSTransport.maxTransportAttempts)
    }

    @Test func theAccountDeadlineStopsRetries() async throws {
        let server = try SilentServer()
        defer { server.stop() }
        let transport = AWSTransport(retry: RetryPolicy(maxAttempts: 10, baseDelay: 0.01, maxDelay: 0.02), timeout: 30)
        let iam = IAMClient(credentials: credentials, endpoint: server.endpoint, transport: transport)
        await #expect {
            try await AWSTransport.$deadline.withValue(AWSDeadline(seconds: 1.5)) {
                _ = try await iam.listUsers()
            }
        } throws: { error in
            "\(error)" == "ListUsers: timed out after 1.5 s (the account's deadline)"
        }
        // One request, cut to the time left, then the deadline: never the 30 s of a request.
        #expect(transport.counter.total == 1)
    }

    @Test func aRefusedConnectionIsRetriedAFewTimesOnly() async throws {
        let server = try SilentServer()
        let endpoint = server.endpoint
        server.stop() // nothing listens there now: connections are refused
        let transport = AWSTransport(retry: RetryPolicy(maxAttempts: 10, baseDelay: 0.01, maxDelay: 0.02), timeout: 5)
        let iam = IAMClient(credentials: credentials, endpoint: endpoint, transport: transport)
        await #expect {
            _ = try await iam.listUsers()
        } throws: { error in
            guard case AWSError.retriesExhausted("ListUsers", AWSTransport.maxTransportAttempts, _) = error else { return false }
            return true
        }
        #expect(transport.counter.total == AWSTransport.maxTransportAttempts)
    }
}
