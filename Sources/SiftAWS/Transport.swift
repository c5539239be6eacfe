import Foundation
import Synchronization
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What went wrong talking to AWS. Every case names the operation.
public enum AWSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The service answered with an error code (`AccessDenied`, `ReportInProgress`, ...).
    case service(operation: String, status: Int, code: String, message: String)
    /// The entity does not exist (`NoSuchEntity`): for a delete, it is already gone.
    case noSuchEntity(operation: String, message: String)
    /// A status without a parseable error body.
    case http(operation: String, status: Int, body: String)
    /// No answer: connection refused, dropped, timed out.
    case transport(operation: String, message: String)
    /// An answer that lacks what the operation must return.
    case malformedResponse(operation: String, message: String)
    /// Retries ran out; `last` is the final failure.
    indirect case retriesExhausted(operation: String, attempts: Int, last: AWSError)
    /// Waiting for the credential report took too long.
    case reportTimeout(seconds: Double)

    /// The error code when the service sent one.
    public var code: String? {
        switch self {
        case .service(_, _, let code, _): return code
        case .noSuchEntity: return "NoSuchEntity"
        case .retriesExhausted(_, _, let last): return last.code
        default: return nil
        }
    }

    /// One line: operation, status, code, message.
    public var description: String {
        switch self {
        case .service(let operation, let status, let code, let message):
            return "\(operation): \(code) (HTTP \(status)): \(message)"
        case .noSuchEntity(let operation, let message):
            return "\(operation): NoSuchEntity: \(message)"
        case .http(let operation, let status, let body):
            return "\(operation): HTTP \(status): \(body)"
        case .transport(let operation, let message):
            return "\(operation): \(message)"
        case .malformedResponse(let operation, let message):
            return "\(operation): malformed response: \(message)"
        case .retriesExhausted(let operation, let attempts, let last):
            return "\(operation): gave up after \(attempts) attempts: \(last)"
        case .reportTimeout(let seconds):
            return "GenerateCredentialReport: report not ready after \(Int(seconds)) s"
        }
    }

    /// Throttling, 5xx and dropped connections are worth another try.
    var isRetryable: Bool {
        switch self {
        case .service(_, let status, let code, _):
            return Self.throttlingCodes.contains(code) || status >= 500
        case .http(_, let status, _):
            return status >= 500 || status == 429
        case .transport:
            return true
        case .noSuchEntity, .malformedResponse, .retriesExhausted, .reportTimeout:
            return false
        }
    }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
        "RequestThrottled", "RequestThrottledException", "SlowDown", "PriorRequestNotComplete",
        "ServiceUnavailable", "InternalFailure", "InternalError",
    ]
}

/// Exponential backoff with full jitter: attempt n waits uniformly in [0, min(cap, base * 2^n)].
public struct RetryPolicy: Sendable, Hashable {
    /// How many times one request is sent at most.
    public var maxAttempts: Int
    /// The first backoff ceiling, in seconds.
    public var baseDelay: Double
    /// The largest backoff ceiling, in seconds.
    public var maxDelay: Double

    /// Creates a policy.
    public init(maxAttempts: Int = 10, baseDelay: Double = 0.05, maxDelay: Double = 5) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before retry number `retry` (0 for the first retry).
    public func delay<R: RandomNumberGenerator>(retry: Int, using random: inout R) -> Double {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(min(retry, 30))))
        return Double.random(in: 0...ceiling, using: &random)
    }
}

/// At most `limit` holders at once; the others wait in arrival order.
public actor ConcurrencyLimiter {
    private let limit: Int
    private var inUse = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Creates a limiter admitting `limit` (at least 1).
    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Waits for a slot.
    public func acquire() async {
        if inUse < limit {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Frees a slot, handing it to the first waiter.
    public func release() {
        if waiters.isEmpty {
            inUse -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// Runs `body` holding a slot.
    public func withSlot<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }
}

/// Counts API calls (every request sent, retries included) by operation. Thread-safe.
public final class APICallCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    /// Creates an empty counter.
    public init() {}

    func record(_ operation: String) {
        counts.withLock { $0[operation, default: 0] += 1 }
    }

    /// Calls per operation.
    public var byOperation: [String: Int] {
        counts.withLock { $0 }
    }

    /// All calls.
    public var total: Int { byOperation.values.reduce(0, +) }
}

/// A request to one AWS endpoint, before signing.
struct AWSHTTPRequest: Sendable {
    /// The operation, for errors and counting.
    var operation: String
    /// The endpoint URL (path `/`).
    var url: URL
    /// Headers besides Host, X-Amz-Date and the signature.
    var headers: [(name: String, value: String)]
    /// The body.
    var body: [UInt8]
}

/// The raw answer.
struct AWSHTTPResponse: Sendable {
    var status: Int
    var body: Data
}

/// A point in time by which a whole piece of work (one account's collect) must be done.
public struct AWSDeadline: Sendable, Hashable {
    /// When the time is up.
    public let at: Date
    /// The length of time it was set for, for messages.
    public let seconds: Double

    /// A deadline `seconds` from now.
    public init(seconds: Double, now: Date = Date()) {
        self.at = now.addingTimeInterval(seconds)
        self.seconds = seconds
    }

    /// Seconds left (negative when passed).
    var remaining: Double { at.timeIntervalSinceNow }
}

/// Sends signed requests over URLSession with retries and a bound on requests in flight.
///
/// Time is bounded three ways: each request has `timeout` seconds to connect and answer (URLSession
/// has no separate connect timeout on Linux: the request timeout covers the connect); failures to get
/// any answer (refused, reset, timed out) are retried at most `maxTransportAttempts` times in all; and
/// work run under `AWSTransport.$deadline` (one account's collect) stops at that deadline, each
/// request's timeout cut to the time left. Errors say `timed out after N s`.
public final class AWSTransport: Sendable {
    /// The deadline of the work under way (set by the collector per account); nil: none.
    @TaskLocal public static var deadline: AWSDeadline?
    /// How many times a request that got no answer at all is sent at most.
    public static let maxTransportAttempts = 3
    /// Operations that change a key: never retried after a failure without an answer (a reset, a timeout,
    /// a truncated body), since the first request may have acted; answered errors (5xx, throttling) are
    /// retried as usual.
    public static let sentOnceWithoutAnswer: Set<String> = ["UpdateAccessKey", "DeleteAccessKey"]
    /// The timeout of one request, seconds.
    let timeout: TimeInterval
    let session: URLSession
    let limiter: ConcurrencyLimiter
    let retry: RetryPolicy
    /// Counts every request sent.
    public let counter: APICallCounter
    /// Gets one debug line per request (operation, status or error, duration); never credentials.
    let logger: Logger

    /// Creates a transport with at most `maxInFlight` requests at once.
    public init(maxInFlight: Int = 16, retry: RetryPolicy = RetryPolicy(), counter: APICallCounter = APICallCounter(),
                timeout: TimeInterval = 30, logger: Logger = Logger(label: "sift.aws")) {
        self.logger = logger
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(1, maxInFlight)
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        self.session = URLSession(configuration: configuration)
        self.limiter = ConcurrencyLimiter(limit: maxInFlight)
        self.retry = retry
        self.counter = counter
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// Signs and sends `request`, retrying throttling, 5xx and dropped connections. `decode` turns a
    /// 2xx answer into a value or an error; error answers are decoded by `decodeError`.
    func send<T>(_ request: AWSHTTPRequest, signer: SigV4Signer,
                 decodeError: @Sendable (Int, Data) -> AWSError,
                 decode: (Data) throws(AWSError) -> T) async throws(AWSError) -> T {
        var random = SystemRandomNumberGenerator()
        var attempt = 0
        var transportFailures = 0
        let deadline = Self.deadline
        func pastDeadline() -> AWSError? {
            // URLSession on Linux counts request timeouts in whole seconds: under one second left is none.
            guard let deadline, deadline.remaining < 1 else { return nil }
            return .transport(operation: request.operation, message: "timed out after \(Self.seconds(deadline.seconds)) s (the account's deadline)")
        }
        while true {
            if let late = pastDeadline() { throw late }
            attempt += 1
            let outcome = await sendOnce(request, signer: signer, timeout: min(timeout, (deadline?.remaining ?? timeout).rounded(.down)))
            let failure: AWSError
            switch outcome {
            case .success(let response) where (200..<300).contains(response.status):
                return try decode(response.body)
            case .success(let response):
                failure = decodeError(response.status, response.body)
            case .failure(let error):
                failure = error
            }
            guard failure.isRetryable else { throw failure }
            guard !Task.isCancelled else { throw .transport(operation: request.operation, message: "cancelled") }
            if case .transport = failure {
                // No answer (or a broken one): the request may have reached AWS and acted. An action that
                // changes a key is never sent again blind; the caller finds out what happened instead.
                if Self.sentOnceWithoutAnswer.contains(request.operation) { throw failure }
                transportFailures += 1
            }
            guard attempt < retry.maxAttempts, transportFailures < Self.maxTransportAttempts else {
                throw .retriesExhausted(operation: request.operation, attempts: attempt, last: failure)
            }
            if let late = pastDeadline() { throw late }
            var wait = retry.delay(retry: attempt - 1, using: &random)
            if let deadline { wait = max(0, min(wait, deadline.remaining)) }
            try? await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
        }
    }

    /// Whole seconds when the value is whole (`30`), else one decimal (`0.5`).
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    private func sendOnce(_ request: AWSHTTPRequest, signer: SigV4Signer, timeout: TimeInterval) async -> Result<AWSHTTPResponse, AWSError> {
        await limiter.acquire()
        let result = await perform(request, signer: signer, timeout: max(timeout, 0.001))
        await limiter.release()
        return result
    }

    private func perform(_ request: AWSHTTPRequest, signer: SigV4Signer, timeout: TimeInterval) async -> Result<AWSHTTPResponse, AWSError> {
        counter.record(request.operation)
        let host = Self.hostHeader(request.url)
        var signable = SignableRequest(method: "POST", path: request.url.path.isEmpty ? "/" : request.url.path,
                                       query: request.url.query ?? "",
                                       headers: [(name: "Host", value: host)] + request.headers,
                                       body: request.body)
        signable = signer.sign(signable, date: Date()).signedRequest
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = "POST"
        urlRequest.timeoutInterval = timeout
        urlRequest.httpBody = Data(request.body)
        for header in signable.headers where header.name.lowercased() != "host" {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        let started = Date()
        do {
            let (data, response) = try await session.answer(for: urlRequest)
            guard let http = response as? HTTPURLResponse else {
                return .failure(.transport(operation: request.operation, message: "not an HTTP response"))
            }
            logger.debug("\(request.operation) HTTP \(http.statusCode) in \(Int(Date().timeIntervalSince(started) * 1000)) ms")
            return .success(AWSHTTPResponse(status: http.statusCode, body: data))
        } catch let error as URLError {
            logger.debug("\(request.operation) URLError \(error.code.rawValue) in \(Int(Date().timeIntervalSince(started) * 1000)) ms")
            if error.code == .timedOut {
                return .failure(.transport(operation: request.operation,
                                           message: "\(request.url.absoluteString): timed out after \(Self.seconds(timeout)) s without an answer"))
            }
            return .failure(.transport(operation: request.operation,
                                       message: "\(request.url.absoluteString): \(error.localizedDescription) (URLError \(error.code.rawValue))"))
        } catch {
            return .failure(.transport(operation: request.operation, message: "\(error)"))
        }
    }

    /// `host` or `host:port` when the port is not the scheme's default: what the HTTP client sends.
    static func hostHeader(_ url: URL) -> String {
        let host = url.host ?? ""
        guard let port = url.port else { return host }
        let scheme = url.scheme?.lowercased()
        if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { return host }
        return "\(host):\(port)"
    }
}
