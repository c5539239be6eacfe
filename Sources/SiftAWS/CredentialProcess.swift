import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SiftTime

/// Runs a profile's `credential_process` as botocore does: the command line split like a POSIX shell
/// (`shlex.split`), no shell, its stdout a JSON document `{"Version": 1, "AccessKeyId", "SecretAccessKey",
/// "SessionToken", "Expiration"}`. Unlike botocore, its stderr is passed through as it is written (it may
/// prompt or explain), the last of it is kept for the error, and it is killed after a timeout.
enum CredentialProcess {
    /// Runs `command` and parses its credentials.
    static func run(command: String, source: String, environment: [String: String], timeout: TimeInterval,
                    stderr: @escaping @Sendable (Data) -> Void) async throws(CredentialError) -> AWSCredentials {
        let words: [String]
        do { words = try split(command) } catch { throw .retrieval(source: source, message: error.message) }
        guard let program = words.first else { throw .retrieval(source: source, message: "credential_process is empty") }
        guard let executable = locate(program, path: environment["PATH"] ?? "/usr/bin:/bin") else {
            throw .retrieval(source: source, message: "'\(program)' not found")
        }
        let outcome: Result<(Int32, Data, Data), CredentialError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: execute(executable, Array(words.dropFirst()), environment: environment,
                                                       timeout: timeout, source: source, stderr: stderr))
            }
        }
        let (status, output, errorTail) = try outcome.get()
        guard status == 0 else {
            let tail = String(decoding: errorTail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .retrieval(source: source, message: "exited with status \(status)" + (tail.isEmpty ? "" : ": \(tail)"))
        }
        return try parse(output, source: source)
    }

    /// The JSON of version 1.
    static func parse(_ output: Data, source: String) throws(CredentialError) -> AWSCredentials {
        guard let object = (try? JSONSerialization.jsonObject(with: output)) as? [String: Any] else {
            throw .retrieval(source: source, message: "the output is not a JSON object")
        }
        guard (object["Version"] as? NSNumber)?.intValue == 1, !(object["Version"] is String) else {
            throw .retrieval(source: source, message: "unsupported Version '\(object["Version"].map { "\($0)" } ?? "<none>")'; "
                + "supported versions: 1")
        }
        guard let id = object["AccessKeyId"] as? String else {
            throw .retrieval(source: source, message: "missing required key in response: 'AccessKeyId'")
        }
        guard let secret = object["SecretAccessKey"] as? String else {
            throw .retrieval(source: source, message: "missing required key in response: 'SecretAccessKey'")
        }
        var expiration: Date?
        if let text = object["Expiration"] as? String {
            do {
                expiration = try ISO8601.parseDate(text)
            } catch {
                throw .retrieval(source: source, message: "Expiration '\(text)' is not an ISO 8601 time (\(error))")
            }
        }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: object["SessionToken"] as? String,
                              source: source, expiration: expiration)
    }

    /// Blocking: starts the process, forwards stderr, collects stdout, kills it at the deadline.
    private static func execute(_ executable: String, _ arguments: [String], environment: [String: String],
                                timeout: TimeInterval, source: String,
                                stderr: @escaping @Sendable (Data) -> Void) -> Result<(Int32, Data, Data), CredentialError> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch {
            return .failure(.retrieval(source: source, message: "cannot start \(executable): \(error.localizedDescription)"))
        }
        let collected = Collected()
        let readers = DispatchGroup()
        readers.enter()
        DispatchQueue.global().async {
            collected.setOutput(out.fileHandleForReading.readDataToEndOfFile())
            readers.leave()
        }
        readers.enter()
        DispatchQueue.global().async {
            while true {
                let chunk = err.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                stderr(chunk)
                collected.appendError(chunk)
            }
            readers.leave()
        }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
            _ = readers.wait(timeout: .now() + 1)
            return .failure(.retrieval(source: source, message: "no answer within \(CredentialHTTP.seconds(timeout)); killed"))
        }
        // Descendants may keep the pipes open; do not wait for them beyond a moment.
        _ = readers.wait(timeout: .now() + 2)
        return .success((process.terminationStatus, collected.output, collected.errorTail))
    }

    /// `program` as is when it has a slash, else the first executable of that name in `path`.
    static func locate(_ program: String, path: String) -> String? {
        if program.contains("/") { return program }
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    struct SplitError: Error {
        let message: String
    }

    /// POSIX `shlex.split`: whitespace separates words; single quotes keep everything; double quotes keep
    /// everything but `\"`, `\\`, `\$`, `` \` ``; a backslash outside quotes escapes the next character.
    static func split(_ line: String) throws(SplitError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = Array(line).makeIterator()
        while let c = iterator.next() {
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                var closed = false
                while let d = iterator.next() {
                    if d == "'" { closed = true; break }
                    current.append(d)
                }
                if !closed { throw SplitError(message: "credential_process: no closing quotation") }
            case "\"":
                inWord = true
                var closed = false
                while let d = iterator.next() {
                    if d == "\"" { closed = true; break }
                    if d == "\\" {
                        guard let e = iterator.next() else { break }
                        if !["\"", "\\", "$", "`"].contains(e) { current.append("\\") }
                        current.append(e)
                    } else {
                        current.append(d)
                    }
                }
                if !closed { throw SplitError(message: "credential_process: no closing quotation") }
            case "\\":
                inWord = true
                guard let d = iterator.next() else { throw SplitError(message: "credential_process: no escaped character") }
                current.append(d)
            default:
                inWord = true
                current.append(c)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}

/// What a child wrote, gathered from two reader threads.
private final class Collected: Sendable {
    private let outputData = Mutex(Data())
    private let errorData = Mutex(Data())

    func setOutput(_ data: Data) {
        outputData.withLock { $0 = data }
    }

    func appendError(_ data: Data) {
        errorData.withLock { errors in
            errors.append(data)
            if errors.count > 4096 { errors = errors.suffix(4096) }
        }
    }

    var output: Data { outputData.withLock { $0 } }

    var errorTail: Data { errorData.withLock { $0 } }
}
