import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An unsigned request to a credential endpoint (instance metadata, container credentials, the IAM Identity
/// Center portal, STS `AssumeRoleWithWebIdentity`). Every request has a deadline: the whole exchange,
/// connection included, must finish within `timeout` seconds.
struct CredentialHTTP: Sendable {
    /// The deadline of one attempt, in seconds.
    let timeout: TimeInterval

    /// The answer: status and body.
    struct Response: Sendable {
        var status: Int
        var body: Data
    }

    /// Sends one request; `.failure` carries a one-line reason (never a header value or a body sent).
    func send(_ method: String, _ url: URL, headers: [(String, String)] = [],
              body: Data? = nil) async -> Result<Response, HTTPFailure> {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        do {
            let (data, response) = try await session.answer(for: request)
            guard let http = response as? HTTPURLResponse else { return .failure(HTTPFailure(message: "not an HTTP answer")) }
            return .success(Response(status: http.statusCode, body: data))
        } catch let error as URLError {
            let reason = error.code == .timedOut ? "no answer within \(Self.seconds(timeout))" : error.localizedDescription
            return .failure(HTTPFailure(message: "\(method) \(Self.redacted(url)): \(reason) (URLError \(error.code.rawValue))"))
        } catch {
            return .failure(HTTPFailure(message: "\(method) \(Self.redacted(url)): \(error)"))
        }
    }

    /// `1 s`, `0.5 s`.
    static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    /// The URL without its query (which may carry account ids and role names, never secrets, but keep it short).
    static func redacted(_ url: URL) -> String {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        components?.query = nil
        return components?.string ?? url.absoluteString
    }
}

/// Why a credential endpoint gave no answer.
struct HTTPFailure: Error, Sendable {
    let message: String
}
