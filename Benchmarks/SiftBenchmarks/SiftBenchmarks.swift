// Micro-benchmarks on ordo-one/benchmark: `swift package benchmark` (release build).
import Benchmark
import Foundation
import SiftQuery
import SiftStore

/// The queries of SPEC section 1 and a few more shapes.
let walkthroughQueries = [
    "is(access_key) and last_access > 90days <-- is(user)",
    "is(access_key) and last_access > 90days and name not in [jenkins, ci]",
    "is(user) -[1:3]-> is(access_key) and access_key_status == Active",
    "is(aws_iam_user) with(empty, --> is(access_key)) sort name desc, ctime limit 10, 5",
    "/ancestors.account.reported.name =~ \"^prod-\" and (tags.`app.kubernetes.io/name` == web or tags any == \"x\") <-default[0:1]delete-> all",
]

let benchmarks: @Sendable () -> Void = {
    Benchmark("parse walkthrough", configuration: .init(metrics: [.wallClock, .mallocCountTotal, .throughput])) { benchmark in
        for _ in benchmark.scaledIterations {
            for query in walkthroughQueries {
                blackHole(try QueryParser.parse(query))
            }
        }
    }

    // The goal of issue 3: parse + compile under 50 µs per query (5 queries per iteration).
    Benchmark("parse and compile walkthrough", configuration: .init(metrics: [.wallClock, .mallocCountTotal, .throughput])) { benchmark in
        let compiler = SQLiteCompiler(kinds: .builtin, now: Date(timeIntervalSince1970: 1_769_817_600))
        for _ in benchmark.scaledIterations {
            for query in walkthroughQueries {
                blackHole(try compiler.compile(try QueryParser.parse(query)))
            }
        }
    }

    Benchmark("parse and print", configuration: .init(metrics: [.wallClock, .throughput])) { benchmark in
        for _ in benchmark.scaledIterations {
            for query in walkthroughQueries {
                blackHole(try QueryParser.parse(query).description)
            }
        }
    }
}
