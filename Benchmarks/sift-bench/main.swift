// sift-bench: figures with ratios. `swift run -c release sift-bench <name> [options]`.
let benchArguments = Array(CommandLine.arguments.dropFirst())
switch benchArguments.first {
case "aws":
    // Collect against the emulator beside boto3 direct calls and Cloud Custodian.
    try await AWSBench.run(arguments: Array(benchArguments.dropFirst()))
default:
    print("usage: sift-bench aws [--users N] [--keys M]")
}
