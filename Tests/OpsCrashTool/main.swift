// sift-ops-crashtest: runs the `cleanup` workflow once on a database, for the kill test of SiftOpsTests
// (which kills this process with SIGKILL at random moments and runs it again).
//
//     sift-ops-crashtest DB [--now-offset SECONDS]
//
// AWS credentials and endpoint come from the environment (AWS_ENDPOINT_URL, ...). Exit status 0 when every
// key's action succeeded, 1 when any failed, 2 for usage.
import Foundation
import SiftAWS
import SiftOps
import SiftStore

let arguments = Array(CommandLine.arguments.dropFirst())
guard let path = arguments.first else {
    FileHandle.standardError.write(Data("usage: sift-ops-crashtest DB [--now-offset SECONDS]\n".utf8))
    exit(2)
}
let offset: TimeInterval = {
    guard let index = arguments.firstIndex(of: "--now-offset"), index + 1 < arguments.count,
          let value = TimeInterval(arguments[index + 1]) else { return 0 }
    return value
}()
do {
    let store = try GraphStore(path: path)
    let provider = IAMKeyActionsProvider(configuration: AWSConfiguration(environment: ProcessInfo.processInfo.environment),
                                         role: nil)
    let environment = WorkflowEnvironment(
        store: store, collect: { _ in "" }, actions: provider.provider, runLine: { _ in },
        now: { Date().addingTimeInterval(offset) }, output: { print($0) })
    let report = try await WorkflowRunner(environment: environment).run(.cleanup)
    exit(report.cleanup?.outcomes.contains { $0.result == .failed } == true ? 1 : 0)
} catch {
    FileHandle.standardError.write(Data("sift-ops-crashtest: \(error)\n".utf8))
    exit(1)
}
