/// The schema files of `Schema/`, embedded at build time.
public enum SiftSchema {
    /// The SQL migrations, in the order they apply; index + 1 is the schema version.
    public static let migrations: [(name: String, sql: String)] = [
        ("v001_graph", String(decoding: PackageResources.v001_graph_sql, as: UTF8.self)),
        ("v003_checks", String(decoding: PackageResources.v003_checks_sql, as: UTF8.self)),
        ("v004_ops", String(decoding: PackageResources.v004_ops_sql, as: UTF8.self)),
        ("v005_kind_times", String(decoding: PackageResources.v005_kind_times_sql, as: UTF8.self)),
    ]

    /// The kind hierarchy (`kinds.json`) as UTF-8 JSON.
    public static var kindsJSON: [UInt8] { PackageResources.kinds_json }

    /// The posture-check catalogue (`checks/*.json`), one UTF-8 JSON document per file, with the file name.
    public static var checkCatalogues: [(file: String, json: [UInt8])] {
        [("checks/iam.json", PackageResources.iam_json)]
    }
}
