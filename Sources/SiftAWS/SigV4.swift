import Crypto
import Foundation
import SiftTime

/// An HTTP request as the signer sees it: method, decoded path, raw query, headers in order, body.
public struct SignableRequest: Sendable, Hashable {
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The path, not percent-encoded (`/example space/`); the signer normalises and encodes it.
    public var path: String
    /// The raw query string without `?` (`a=b&c=d`), percent-encoded as on the wire.
    public var query: String
    /// Header names and values in the order they are sent; names may repeat.
    public var headers: [(name: String, value: String)]
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String, path: String, query: String = "",
                headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The value of the first header with that name (case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Equal when method, path, query, body and the ordered headers are.
    public static func == (lhs: SignableRequest, rhs: SignableRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.query == rhs.query && lhs.body == rhs.body
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(path)
        hasher.combine(query)
        hasher.combine(body)
        for header in headers {
            hasher.combine(header.name)
            hasher.combine(header.value)
        }
    }
}

/// The intermediate and final products of signing one request, as the official test suite names them.
public struct SigV4Signature: Sendable, Hashable {
    /// The canonical request (`.creq`).
    public let canonicalRequest: String
    /// The string to sign (`.sts`).
    public let stringToSign: String
    /// The `Authorization` header value (`.authz`).
    public let authorization: String
    /// The signed request: the input plus the token and `Authorization` headers (`.sreq`).
    public let signedRequest: SignableRequest
}

/// AWS Signature Version 4 (HMAC-SHA256) for one region and service.
public struct SigV4Signer: Sendable {
    /// Where the session token goes relative to the signature.
    public enum SessionTokenPlacement: Sendable, Hashable {
        /// `X-Amz-Security-Token` is added before signing and is part of the signature (what AWS expects).
        case signed
        /// `X-Amz-Security-Token` is added after the signature is computed.
        case appendedAfterSigning
    }

    /// The credentials that sign.
    public let credentials: AWSCredentials
    /// The signing region, e.g. `us-east-1`.
    public let region: String
    /// The signing service name, e.g. `iam`.
    public let service: String
    /// Where a session token goes.
    public let tokenPlacement: SessionTokenPlacement

    /// Creates a signer.
    public init(credentials: AWSCredentials, region: String, service: String,
                tokenPlacement: SessionTokenPlacement = .signed) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.tokenPlacement = tokenPlacement
    }

    /// Signs `request` at `date`. Adds `X-Amz-Date` when the request has none, and the session token.
    public func sign(_ request: SignableRequest, date: Date) -> SigV4Signature {
        var request = request
        let amzDate: String
        if let existing = request.header("x-amz-date") {
            amzDate = existing
        } else {
            amzDate = Self.amzDate(date)
            request.headers.append((name: "X-Amz-Date", value: amzDate))
        }
        let token = credentials.sessionToken.flatMap { request.header("x-amz-security-token") == nil ? $0 : nil }
        if let token, tokenPlacement == .signed {
            request.headers.append((name: "X-Amz-Security-Token", value: token))
        }
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(request.headers)
        let canonicalRequest = [
            request.method,
            Self.canonicalPath(request.path),
            Self.canonicalQuery(request.query),
            canonicalHeaders,
            signedHeaders,
            Self.hexSHA256(request.body),
        ].joined(separator: "\n")
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, Self.hexSHA256(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")
        let signature = Self.signature(secret: credentials.secretAccessKey, day: day, region: region,
                                       service: service, stringToSign: stringToSign)
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        if let token, tokenPlacement == .appendedAfterSigning {
            request.headers.append((name: "X-Amz-Security-Token", value: token))
        }
        request.headers.append((name: "Authorization", value: authorization))
        return SigV4Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign,
                              authorization: authorization, signedRequest: request)
    }

    /// `YYYYMMDDTHHMMSSZ` in UTC.
    public static func amzDate(_ date: Date) -> String {
        ISO8601.format(date).filter { $0 != "-" && $0 != ":" }
    }

    /// Lower-case hex of SHA-256.
    static func hexSHA256(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func signature(secret: String, day: String, region: String, service: String,
                          stringToSign: String) -> String {
        func hmac(_ key: [UInt8], _ message: String) -> [UInt8] {
            Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
        }
        let kDate = hmac(Array("AWS4\(secret)".utf8), day)
        let kRegion = hmac(kDate, region)
        let kService = hmac(kRegion, service)
        let kSigning = hmac(kService, "aws4_request")
        return hex(hmac(kSigning, stringToSign))
    }

    /// Lower-cased names, sorted; values trimmed with inner runs of spaces collapsed; repeats joined by commas.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (String, String) {
        var values: [String: [String]] = [:]
        for header in headers {
            values[header.name.lowercased(), default: []].append(normalizeHeaderValue(header.value))
        }
        let names = values.keys.sorted()
        let lines = names.map { "\($0):\(values[$0, default: []].joined(separator: ","))\n" }.joined()
        return (lines, names.joined(separator: ";"))
    }

    static func normalizeHeaderValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .joined(separator: " ")
    }

    /// Removes dot segments and empty segments, then percent-encodes each segment.
    static func canonicalPath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        let endsInDirectory = path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..")
        let trailing = endsInDirectory && !segments.isEmpty
        let encoded = segments.map { uriEncode(String($0)) }.joined(separator: "/")
        return "/" + encoded + (trailing ? "/" : "")
    }

    /// Decodes each name and value, re-encodes with the RFC 3986 unreserved set, sorts by name then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs: [(String, String)] = query.split(separator: "&").map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecode(String(pieces[0]))
            let value = pieces.count > 1 ? percentDecode(String(pieces[1])) : ""
            return (uriEncode(name), uriEncode(value))
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Percent-encodes everything but `A-Z a-z 0-9 - . _ ~`, upper-case hex.
    public static func uriEncode(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func percentDecode(_ text: String) -> String {
        text.removingPercentEncoding ?? text
    }
}
