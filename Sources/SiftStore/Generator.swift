import Foundation
import GRDB
import SiftTime

/// What `generate` builds: a synthetic AWS organisation.
public struct GeneratorOptions: Sendable, Hashable {
    /// The number of accounts.
    public var accounts: Int
    /// The number of IAM users in each account.
    public var users: Int
    /// The seed: the same seed (and `now`) gives the same graph.
    public var seed: UInt64
    /// The moment the organisation is generated at; every time lies before it.
    public var now: Date

    /// Creates options.
    public init(accounts: Int, users: Int, seed: UInt64 = 1, now: Date = Date()) {
        self.accounts = accounts
        self.users = users
        self.seed = seed
        self.now = now
    }
}

/// What `generate` wrote.
public struct GenerateSummary: Sendable, Hashable {
    /// Accounts generated.
    public var accounts = 0
    /// IAM users generated (root users not counted).
    public var users = 0
    /// Root users generated.
    public var rootUsers = 0
    /// Access keys generated.
    public var keys = 0
    /// All nodes, the cloud node included.
    public var nodes = 0
    /// All edges.
    public var edges = 0
    /// Nodes that were new to the graph (the rest were already there, e.g. the same seed twice).
    public var created = 0
}

extension GraphStore {
    /// Writes a realistic synthetic organisation (graph shape of the collector) in one transaction:
    /// a cloud node, accounts with a root user, users with 0-2 access keys of many ages, some never
    /// used, some inactive, some users with console passwords and MFA. Deterministic for a seed.
    /// Into an empty graph it bulk-loads; otherwise it merges like an import.
    /// `progress` gets the number of nodes written, every 50,000 nodes and at the end. Past
    /// `timeLimit` seconds (nil: none) nothing is written and `StoreError.writeTimedOut` thrown.
    @discardableResult
    public func generate(_ options: GeneratorOptions, timeLimit: Double? = nil, progress: ((Int) -> Void)? = nil) throws -> GenerateSummary {
        guard options.accounts >= 0, options.users >= 0 else {
            throw StoreError.invalidOptions("generate: --accounts and --users must not be negative")
        }
        guard options.accounts <= 100_000, options.users <= 10_000_000 else {
            throw StoreError.invalidOptions("generate: at most 100000 accounts and 10000000 users per account")
        }
        return try writer.writeWithoutTransaction { db in
            try Self.inLoadTransaction(db) { try WriteTimeLimit.apply(timeLimit, to: db, what: "generate") {
                let loader = try GraphLoader(db: db, now: UnixTime.seconds(of: options.now), profile: .generating)
                var generator = OrganisationGenerator(options: options, loader: loader, progress: progress)
                return try generator.run()
            } }
        }
    }
}

/// Builds the organisation node by node, writing each `reported` with its keys already in
/// sorted order (checked in debug builds), straight into the loader.
private struct OrganisationGenerator {
    let options: OrganisationOptions
    let loader: GraphLoader
    let progress: ((Int) -> Void)?
    var random: SplitMix64
    var summary = GenerateSummary()
    var writer = SortedObjectWriter()
    /// Counters that make every user and key id unique by construction.
    var userSerial: UInt64 = 0
    var keySerial: UInt64 = 0

    init(options: GeneratorOptions, loader: GraphLoader, progress: ((Int) -> Void)?) {
        self.options = OrganisationOptions(options)
        self.loader = loader
        self.progress = progress
        random = SplitMix64(seed: options.seed)
    }

    private static let emptyObject: [UInt8] = Array("{}".utf8)
    private static let day: Int64 = 86_400

    mutating func run() throws -> GenerateSummary {
        writer.begin()
        writer.string("id", "aws")
        writer.string("kind", "cloud")
        writer.string("name", "aws")
        let cloud = try add(id: "aws", kind: "cloud", name: "aws", subgraph: "cloud:aws")
        var accountIds = Set<String>()
        for accountIndex in 0..<options.accounts {
            var accountId: String
            repeat {
                accountId = String(100_000_000_000 + random.next(below: 899_999_999_999 as UInt64))
            } while !accountIds.insert(accountId).inserted
            try generateAccount(accountId, index: accountIndex, cloud: cloud)
        }
        progress?(summary.nodes)
        let loaded = try loader.finish()
        summary.created = loaded.created
        return summary
    }

    private mutating func add(id: String, kind: String, name: String?, ctime: Int64? = nil, atime: Int64? = nil,
                              subgraph: String) throws -> Int64 {
        let record = NodeRecord(id: id, kind: kind, name: name, ctime: ctime, mtime: nil, atime: atime,
                                reported: writer.end(), desired: Self.emptyObject, metadata: Self.emptyObject)
        let node = LoadedNode(record: record, subgraph: subgraph, firstSeen: options.now, lastSeen: options.now)
        let nid = try loader.add(node, origin: RecordOrigin(source: "generate", line: summary.nodes + 1))
        summary.nodes += 1
        if summary.nodes % 50_000 == 0 { progress?(summary.nodes) }
        return nid
    }

    private mutating func edge(_ from: Int64, _ to: Int64, _ type: EdgeType = .default) throws {
        try loader.addEdge(from: from, to: to, type: type)
        summary.edges += 1
    }

    private mutating func generateAccount(_ accountId: String, index: Int, cloud: Int64) throws {
        let alias = "\(Vocabulary.organisations[index % Vocabulary.organisations.count])-"
            + "\(Vocabulary.environments[(index / Vocabulary.organisations.count) % Vocabulary.environments.count])"
            + (index >= Vocabulary.organisations.count * Vocabulary.environments.count ? "-\(index)" : "")
        writer.begin()
        writer.string("account_status", "ACTIVE")
        writer.string("arn", "arn:aws:organizations::\(accountId):account")
        writer.string("email", "aws+\(alias)@example.com")
        writer.string("id", accountId)
        writer.string("kind", "aws_account")
        writer.string("name", alias)
        let account = try add(id: accountId, kind: "aws_account", name: alias, subgraph: accountId)
        try edge(cloud, account)
        summary.accounts += 1

        if random.chance(0.9) {
            try generateRoot(accountId, account: account)
        }
        var names = UniqueNames()
        for userIndex in 0..<options.users {
            let name = uniqueName(userIndex, &names)
            try generateUser(accountId, account: account, name: name)
        }
    }

    private mutating func generateRoot(_ accountId: String, account: Int64) throws {
        let ctime = options.now - Int64(random.next(below: 8 * 365 * 86_400 as UInt64)) - 365 * Self.day
        let lastUsed = random.chance(0.6) ? between(ctime, options.now) : nil
        writer.begin()
        writer.string("arn", "arn:aws:iam::\(accountId):root")
        writer.time("atime", lastUsed)
        writer.time("ctime", ctime)
        writer.string("id", "\(accountId)-root")
        writer.string("kind", "aws_root_user")
        writer.bool("mfa_active", random.chance(0.8))
        writer.string("name", "root")
        writer.bool("password_enabled", true)
        writer.time("password_last_used", lastUsed)
        let root = try add(id: "\(accountId)-root", kind: "aws_root_user", name: "root", ctime: ctime, atime: lastUsed,
                           subgraph: accountId)
        try edge(account, root)
        summary.rootUsers += 1
    }

    private mutating func uniqueName(_ index: Int, _ names: inout UniqueNames) -> String {
        if index < Vocabulary.fixedUsers.count && options.users >= 10 {
            names.reserve(Vocabulary.fixedUsers[index])
            return Vocabulary.fixedUsers[index]
        }
        var name: String
        if random.chance(0.12) {
            name = "svc-" + Vocabulary.services[random.next(below: Vocabulary.services.count)]
        } else {
            name = Vocabulary.firstNames[random.next(below: Vocabulary.firstNames.count)] + "."
                + Vocabulary.lastNames[random.next(below: Vocabulary.lastNames.count)]
        }
        return names.claim(name)
    }

    private mutating func generateUser(_ accountId: String, account: Int64, name: String) throws {
        userSerial += 1
        let userId = awsId(prefix: "AIDA", serial: userSerial, randomCount: 9)
        let ctime = options.now - Self.day - Int64(random.next(below: 6 * 365 * 86_400 as UInt64))
        let console = random.chance(0.4)
        let passwordLastUsed = console && random.chance(0.8) ? recentUse(after: ctime) : nil
        let isService = name.hasPrefix("svc-") || Vocabulary.fixedUsers.contains(name)
        writer.begin()
        writer.string("arn", "arn:aws:iam::\(accountId):user\(isService ? "/service/" : "/")\(name)")
        writer.time("atime", passwordLastUsed)
        writer.time("ctime", ctime)
        writer.string("id", userId)
        writer.string("kind", "aws_iam_user")
        writer.bool("mfa_active", console ? random.chance(0.7) : random.chance(0.03))
        writer.string("name", name)
        writer.bool("password_enabled", console)
        writer.time("password_last_used", passwordLastUsed)
        writer.string("path", isService ? "/service/" : "/")
        writer.key("tags")
        writer.beginNested()
        if random.chance(0.3) {
            writer.string("owner", "\(name.replacingOccurrences(of: "svc-", with: "team-"))@example.com")
        }
        if random.chance(0.6) {
            writer.string("team", Vocabulary.teams[random.next(below: Vocabulary.teams.count)])
        }
        writer.endNested()
        writer.string("user_id", userId)
        let user = try add(id: userId, kind: "aws_iam_user", name: name, ctime: ctime, atime: passwordLastUsed,
                           subgraph: accountId)
        try edge(account, user)
        summary.users += 1

        let roll = random.next(below: 100 as UInt64)
        let keyCount = roll < 20 ? 0 : roll < 80 ? 1 : 2
        for _ in 0..<keyCount {
            try generateKey(accountId, user: user, userName: name, userCreated: ctime)
        }
    }

    private mutating func generateKey(_ accountId: String, user: Int64, userName: String, userCreated: Int64) throws {
        keySerial += 1
        let keyId = awsId(prefix: "AKIA", serial: keySerial, randomCount: 8)
        let ctime = between(userCreated, options.now - 3600)
        let lastUsed = random.chance(0.15) ? nil : recentUse(after: ctime)
        writer.begin()
        writer.key("access_key_last_used")
        writer.beginNested()
        writer.time("last_used", lastUsed)
        if lastUsed == nil {
            writer.string("region", "N/A")
            writer.string("service_name", "N/A")
        } else {
            writer.string("region", Vocabulary.regions[random.next(below: Vocabulary.regions.count)])
            writer.string("service_name", Vocabulary.awsServices[random.next(below: Vocabulary.awsServices.count)])
        }
        writer.endNested()
        writer.string("access_key_status", random.chance(0.15) ? "Inactive" : "Active")
        writer.time("atime", lastUsed)
        writer.time("ctime", ctime)
        writer.string("id", keyId)
        writer.string("kind", "aws_iam_access_key")
        writer.string("name", userName)
        writer.string("user_name", userName)
        let key = try add(id: keyId, kind: "aws_iam_access_key", name: userName, ctime: ctime, atime: lastUsed,
                          subgraph: accountId)
        try edge(user, key)
        try edge(user, key, .delete)
        summary.keys += 1
    }

    /// A last-use time after `created`: half within 30 days, a quarter within 180, the rest older.
    private mutating func recentUse(after created: Int64) -> Int64 {
        let roll = random.next(below: 4 as UInt64)
        let earliest: Int64
        switch roll {
        case 0, 1: earliest = options.now - 30 * Self.day
        case 2: earliest = options.now - 180 * Self.day
        default: earliest = created
        }
        return between(max(created, earliest), options.now - 60)
    }

    /// A uniform time in `low...high` (low when the range is empty).
    private mutating func between(_ low: Int64, _ high: Int64) -> Int64 {
        guard high > low else { return low }
        return low + Int64(random.next(below: UInt64(high - low)))
    }

    /// An AWS-like id: the prefix, 8 base-32 characters counting up from a per-seed start (so ids
    /// never collide, and they arrive in ascending order, which keeps the id index's inserts at its
    /// right edge), then `randomCount` random characters.
    private mutating func awsId(prefix: StaticString, serial: UInt64, randomCount: Int) -> String {
        let alphabet = Vocabulary.base32
        var bytes = [UInt8]()
        bytes.reserveCapacity(prefix.utf8CodeUnitCount + 8 + randomCount)
        bytes.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
        let counter = serial &+ options.seedOffset
        for shift in stride(from: 35, through: 0, by: -5) {
            bytes.append(alphabet[Int((counter >> UInt64(shift)) & 31)])
        }
        for _ in 0..<randomCount {
            bytes.append(alphabet[Int(random.next() & 31)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The user names taken in one account. A name drawn again gets the first free numeric suffix
/// (`alice.smith2`, `alice.smith3`, ...).
///
/// The next suffix to try is remembered per base name: every smaller suffix is already taken (names
/// are never released), so the result is the same as trying 2, 3, ... each time, without the
/// quadratic cost (the ten `svc-` names recur about 600 times each in a 50,000-user account).
private struct UniqueNames {
    private var taken = Set<String>()
    private var nextSuffix: [String: Int] = [:]

    /// Takes `name` as it is.
    mutating func reserve(_ name: String) {
        taken.insert(name)
    }

    /// `base` if free, else `base` with the first free suffix from 2; the result is taken.
    mutating func claim(_ base: String) -> String {
        if taken.insert(base).inserted { return base }
        var suffix = nextSuffix[base, default: 2]
        while !taken.insert("\(base)\(suffix)").inserted { suffix += 1 }
        nextSuffix[base] = suffix + 1
        return "\(base)\(suffix)"
    }
}

/// The options with times in unix seconds and a per-seed offset for ids.
private struct OrganisationOptions {
    let accounts: Int
    let users: Int
    let now: Int64
    let seedOffset: UInt64

    init(_ options: GeneratorOptions) {
        accounts = options.accounts
        users = options.users
        now = UnixTime.seconds(of: options.now)
        var random = SplitMix64(seed: options.seed ^ 0x5EED)
        seedOffset = random.next() >> 26   // below 2^38: 40-bit serials never wrap

    }
}

/// Writes one compact JSON object whose keys the caller gives in sorted order (one nesting level).
struct SortedObjectWriter {
    private var bytes: [UInt8] = []
    private var needsComma = false
    #if DEBUG
    private var lastKeys: [String] = []
    #endif

    mutating func begin() {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        #if DEBUG
        lastKeys = [""]
        #endif
    }

    /// The finished object.
    mutating func end() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    mutating func key(_ key: StaticString) {
        #if DEBUG
        let text = key.description
        assert(JSONWriter.keyOrder(lastKeys[lastKeys.count - 1], text), "keys out of order: \(text)")
        lastKeys[lastKeys.count - 1] = text
        #endif
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = true
    }

    mutating func beginNested() {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        #if DEBUG
        lastKeys.append("")
        #endif
    }

    mutating func endNested() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
        #if DEBUG
        lastKeys.removeLast()
        #endif
    }

    /// A string member (the value must need no escaping: generated text only).
    mutating func string(_ key: StaticString, _ value: String) {
        self.key(key)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: value.utf8)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func bool(_ key: StaticString, _ value: Bool) {
        self.key(key)
        if value {
            bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        } else {
            bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        }
    }

    /// A time member in ISO form; nothing when the time is nil.
    mutating func time(_ key: StaticString, _ seconds: Int64?) {
        guard let seconds else { return }
        self.key(key)
        bytes.append(UInt8(ascii: "\""))
        ISO8601.append(seconds: seconds, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }
}

/// Words the generator draws names from.
private enum Vocabulary {
    static let base32: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
    static let organisations = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell"]
    static let environments = ["prod", "staging", "dev", "sandbox", "shared", "security", "data", "logs"]
    static let fixedUsers = ["jenkins", "ci", "ccm-sa", "terraform", "deploy"]
    static let services = ["backup", "billing", "etl", "grafana", "ingest", "monitoring", "reports", "s3-sync", "sentry", "vault"]
    static let teams = ["platform", "data", "security", "payments", "growth", "mobile", "sre", "ml"]
    static let regions = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
    static let awsServices = ["iam", "s3", "ec2", "sts", "lambda", "dynamodb", "cloudformation", "ecr", "sqs"]
    static let firstNames = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "nancy",
        "oscar", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yusuf", "zoe", "amir", "bea", "chen",
        "dmitri", "elena", "farah", "goran", "hana", "ines", "jonas", "kenji", "lena", "mateo", "nadia", "omar",
        "priya", "quinn", "rosa", "sven", "tariq", "uma", "vera", "wei", "ximena", "yara", "zeke", "aiko",
    ]
    static let lastNames = [
        "smith", "jones", "garcia", "miller", "davis", "lopez", "wilson", "anderson", "thomas", "taylor", "moore",
        "martin", "lee", "perez", "white", "harris", "clark", "lewis", "walker", "hall", "young", "king", "wright",
        "scott", "green", "baker", "adams", "nelson", "hill", "campbell", "mitchell", "roberts", "carter", "phillips",
        "evans", "turner", "torres", "parker", "collins", "edwards", "stewart", "morris", "murphy", "cook", "rogers",
        "nguyen", "kim", "tanaka", "schmidt", "rossi",
    ]
}
