// Fuzz target: the AWS shared files (`~/.aws/credentials` and `~/.aws/config`) as the credential
// chain reads them. The input is the credentials file, a NUL byte, and the config file. Both are
// parsed, merged into profiles, and botocore's chain is walked for up to 8 of the profiles
// (`source_profile` chains and their cycles, `credential_source`, SSO sessions, process and web
// identity settings), without fetching anything: instance metadata is disabled, no container
// variable is set, MFA is never asked. Any text resolves or throws; never a crash or a hang.
import Foundation
@testable import SiftAWS

/// Where the two files are written for the chain to read.
let directory = NSTemporaryDirectory() + "sift-fuzz-shared-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let cut = bytes.firstIndex(of: 0) ?? bytes.count
    let credentials = String(decoding: bytes[..<cut], as: UTF8.self)
    let config = String(decoding: bytes[min(cut + 1, bytes.count)...], as: UTF8.self)
    _ = try? SharedINIFile.parse(credentials, path: "credentials")
    _ = try? SharedINIFile.parse(config, path: "config")
    // The harness keeps the chain away from device and proc files a fuzzed setting could name
    // (a token file of /dev/zero would be read for ever); real configurations do not name them.
    if config.contains("/dev") || config.contains("/proc") || credentials.contains("/dev") || credentials.contains("/proc") {
        return 0
    }
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let credentialsPath = directory + "/credentials", configPath = directory + "/config"
    guard FileManager.default.createFile(atPath: credentialsPath, contents: Data(credentials.utf8)),
          FileManager.default.createFile(atPath: configPath, contents: Data(config.utf8)) else { return 0 }
    let environment = ["HOME": directory, "AWS_SHARED_CREDENTIALS_FILE": credentialsPath, "AWS_CONFIG_FILE": configPath,
                       "AWS_EC2_METADATA_DISABLED": "true"]
    guard let shared = try? AWSConfiguration(environment: environment).sharedConfig() else { return 0 }
    for name in shared.profiles.keys.sorted().prefix(8) {
        let chain = CredentialChain(
            configuration: AWSConfiguration(environment: environment, profile: name),
            options: CredentialOptions(mfaPrompt: .unavailable), transport: AWSTransport(), shared: shared)
        let done = DispatchSemaphore(value: 0)
        Task {
            _ = try? await chain.resolve()
            done.signal()
        }
        done.wait()
    }
    return 0
}
