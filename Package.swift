// swift-tools-version: 6.1
// Sift: a resource graph database with a query shell.
import PackageDescription

let package = Package(
    name: "Sift",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sift", targets: ["sift"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"4.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The SQL schema, the kind hierarchy and the check catalogue, kept as data in Schema/
        // and embedded into the program at build time.
        .target(
            name: "SiftSchema",
            path: "Schema",
            exclude: ["README.md"],
            resources: [
                .embedInCode("sql/v001_graph.sql"),
                .embedInCode("sql/v003_checks.sql"),
                .embedInCode("sql/v004_ops.sql"),
                .embedInCode("sql/v005_kind_times.sql"),
                .embedInCode("kinds.json"),
                .embedInCode("checks/iam.json"),
            ]
        ),
        // The release and the commit the binary was built from (stamped before each build).
        .target(name: "SiftVersion", plugins: [.plugin(name: "VersionStamp")]),
        .plugin(name: "VersionStamp", capability: .buildTool()),
        // Dates and times: strict ISO-8601 / RFC 3339 reading (errors with their column) and writing,
        // civil-date arithmetic, durations. Pure: no dependencies.
        .target(name: "SiftTime"),
        // The query language: lexer, parser, AST, printer. Pure: no I/O, no SQL.
        .target(name: "SiftQuery", dependencies: ["SiftTime"]),
        // The graph in SQLite: schema, migrations, writer, import/export, generator, SQL compiler.
        .target(
            name: "SiftStore",
            dependencies: [
                "SiftQuery", "SiftSchema", "SiftTime",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // IAM policy evaluation: documents, wildcards, decisions, the permissions summary. Pure: no I/O.
        .target(name: "SiftPolicy"),
        // AWS: SigV4, credentials, IAM/STS/Organizations clients, the collector, key actions.
        .target(
            name: "SiftAWS",
            dependencies: [
                "SiftStore", "SiftTime", "SiftPolicy",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Posture checks: catalogue, runs, scores, reports.
        .target(
            name: "SiftChecks",
            dependencies: ["SiftStore", "SiftQuery", "SiftSchema", "SiftTime", "SiftPolicy"]
        ),
        // Acting on the graph: config, workflows and their events, jobs, the cleanup journal and runner.
        .target(
            name: "SiftOps",
            dependencies: [
                "SiftQuery", "SiftStore", "SiftAWS", "SiftTime", "SiftPolicy",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A line editor for terminals, in Swift: knows nothing of Sift (prompt, completion and
        // highlighting callbacks, a history store in; lines out).
        .target(name: "LineEditing", swiftSettings: [.swiftLanguageMode(.v6)]),
        // The shell: line grammar, commands, pipelines, output, REPL, workflows, jobs, cleanup.
        .target(
            name: "SiftShell",
            dependencies: [
                "SiftQuery", "SiftStore", "SiftAWS", "SiftChecks", "SiftOps", "SiftTime", "LineEditing", "SiftVersion",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The executable: argument parsing and start-up modes only.
        .executableTarget(
            name: "sift",
            dependencies: [
                "SiftShell", "SiftTime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SiftTimeTests", dependencies: ["SiftTime"]),
        .testTarget(name: "SiftQueryTests", dependencies: ["SiftQuery", "SiftTime"]),
        .testTarget(name: "SiftStoreTests", dependencies: ["SiftStore", "SiftQuery", "SiftTime", "SiftSchema"]),
        .testTarget(name: "SiftPolicyTests", dependencies: ["SiftPolicy"]),
        .testTarget(
            name: "SiftAWSTests",
            dependencies: [
                "SiftAWS", "SiftStore", "SiftTime", "SiftQuery", "SiftPolicy", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "SiftChecksTests",
            dependencies: ["SiftChecks", "SiftStore", "SiftQuery", "SiftSchema", "SiftTime", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Fixtures"]
        ),
        // Runs one cleanup on a database, for the kill test of SiftOpsTests.
        .executableTarget(name: "sift-ops-crashtest", dependencies: ["SiftOps", "SiftStore", "SiftAWS"], path: "Tests/OpsCrashTool"),
        .testTarget(
            name: "SiftOpsTests",
            dependencies: ["SiftOps", "SiftStore", "SiftAWS", "SiftTime", "SiftPolicy", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "SiftShellTests", dependencies: ["SiftShell"]),
        .testTarget(name: "LineEditingTests", dependencies: ["LineEditing"], swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "EndToEndTests", dependencies: ["SiftStore"]),
        // A child process the store's kill test starts and kills (SIGKILL) in the middle of a write.
        .executableTarget(name: "sift-store-crashtest", dependencies: ["SiftStore"], path: "Tests/StoreCrashTool"),
        // Figures with ratios (store, queries, shell start-up): `swift run -c release sift-bench`.
        .executableTarget(
            name: "sift-bench",
            dependencies: [
                "SiftStore", "SiftQuery", "SiftAWS", "SiftShell", "LineEditing",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            path: "Benchmarks/sift-bench"
        ),
        // Micro-benchmarks on ordo-one/benchmark: `swift package benchmark`.
        .executableTarget(
            name: "SiftBenchmarks",
            dependencies: [
                "SiftStore", "SiftQuery",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Benchmarks/SiftBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
