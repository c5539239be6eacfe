// sift-bench: plain figures and ratios. `sift-bench query [--users N] [--runs R] [--db PATH]`.
let benchArguments = Array(CommandLine.arguments.dropFirst())
if benchArguments.first == "query" { try QueryBench.run(Array(benchArguments.dropFirst())) } else { print("bench") }
