import Foundation

/// Calls one AWS service over the query protocol (form POST, XML answers) or the JSON 1.1 protocol.
struct ServiceClient: Sendable {
    let transport: AWSTransport
    let endpoint: URL
    /// Signs every request with its current credentials (renewed before they expire).
    let credentials: CredentialProvider
    /// The signing region and service name.
    let region: String
    let service: String
    /// The query protocol's `Version` parameter (IAM `2010-05-08`, STS `2011-06-15`).
    let apiVersion: String

    /// Sends `Action=operation&Version=...&parameters` and returns the `<operationResult>` element.
    func query(_ operation: String, _ parameters: [(String, String)] = []) async throws(AWSError) -> XMLTree {
        let signer = try await makeSigner(operation)
        let form = ([("Action", operation), ("Version", apiVersion)] + parameters)
            .map { "\(SigV4Signer.uriEncode($0.0))=\(SigV4Signer.uriEncode($0.1))" }
            .joined(separator: "&")
        let request = AWSHTTPRequest(
            operation: operation, url: endpoint,
            headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")],
            body: Array(form.utf8))
        return try await transport.send(
            request, signer: signer,
            decodeError: { status, body in Self.queryError(operation: operation, status: status, body: body) },
            decode: { (body: Data) throws(AWSError) -> XMLTree in
                let root: XMLTree
                do { root = try XMLTree.parse(body) } catch {
                    throw .malformedResponse(operation: operation, message: "\(error)")
                }
                guard let result = root.child("\(operation)Result") ?? (root.name == "\(operation)Result" ? root : nil)
                else {
                    // Operations without a result element (UpdateAccessKey, DeleteAccessKey) answer just metadata.
                    return XMLTree(name: "\(operation)Result", text: "", children: [])
                }
                return result
            })
    }

    /// Sends a JSON 1.1 request with `X-Amz-Target: target` and returns the decoded object.
    func json(_ operation: String, target: String, _ payload: [String: Any]) async throws(AWSError) -> [String: Any] {
        let signer = try await makeSigner(operation)
        let body: Data
        do { body = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]) } catch {
            throw .malformedResponse(operation: operation, message: "cannot encode request: \(error)")
        }
        let request = AWSHTTPRequest(
            operation: operation, url: endpoint,
            headers: [(name: "Content-Type", value: "application/x-amz-json-1.1"),
                      (name: "X-Amz-Target", value: target)],
            body: Array(body))
        // The transport's decoder checks the body (a bad one counts as a failed attempt) and hands
        // over the bytes, which are Sendable; the object is read from them here (bodies are small).
        let data: Data = try await transport.send(
            request, signer: signer,
            decodeError: { status, body in Self.jsonError(operation: operation, status: status, body: body) },
            decode: { (data: Data) throws(AWSError) -> Data in
                guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
                    throw .malformedResponse(operation: operation, message: "not a JSON object")
                }
                return data
            })
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .malformedResponse(operation: operation, message: "not a JSON object")
        }
        return object
    }

    /// A signer with the provider's current credentials. A provider that cannot deliver gives a
    /// non-retryable `CredentialError` service error naming the operation.
    func makeSigner(_ operation: String) async throws(AWSError) -> SigV4Signer {
        do throws(CredentialError) {
            return SigV4Signer(credentials: try await credentials.credentials(), region: region, service: service)
        } catch {
            throw .service(operation: operation, status: 0, code: Self.credentialErrorCode, message: error.description)
        }
    }

    /// The code of an `AWSError` that stands for credentials that could not be obtained or renewed.
    static let credentialErrorCode = "CredentialError"

    /// `<ErrorResponse><Error><Code>` (IAM, STS) to an `AWSError`.
    static func queryError(operation: String, status: Int, body: Data) -> AWSError {
        guard let root = try? XMLTree.parse(body),
              let error = root.child("Error") ?? root.find("Errors", "Error"),
              let code = error.value("Code")
        else {
            return .http(operation: operation, status: status, body: snippet(body))
        }
        let message = error.value("Message") ?? ""
        if code == "NoSuchEntity" { return .noSuchEntity(operation: operation, message: message) }
        return .service(operation: operation, status: status, code: code, message: message)
    }

    /// `{"__type": "...#Code", "message": ...}` (JSON protocol) to an `AWSError`.
    static func jsonError(operation: String, status: Int, body: Data) -> AWSError {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
              let type = object["__type"] as? String
        else {
            return .http(operation: operation, status: status, body: snippet(body))
        }
        let code = String(type.split(separator: "#").last ?? Substring(type))
        let message = (object["message"] as? String) ?? (object["Message"] as? String) ?? ""
        return .service(operation: operation, status: status, code: code, message: message)
    }

    static func snippet(_ body: Data) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return text.isEmpty ? "(empty body)" : text
    }
}

