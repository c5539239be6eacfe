import Foundation
import Testing
import SiftTime

// SiftTime against Python's `datetime` as the oracle: a few thousand seeded strings, valid and
// not, read by both; accept/refuse and the epoch seconds (and microseconds) must agree, except for
// the deliberate differences below, which the oracle script names and this test asserts one by one.
//
// Python 3.11's `datetime.fromisoformat` accepts more than RFC 3339, and SiftTime refuses it:
// - `naive`: a time without a zone (Python reads it as a naive datetime; it names no instant).
// - `separator`: any character between date and time (`2026-01-31x12:00:00Z`); we take `T`, `t`, space.
// - `short-time`: `12:00` or `12` without the seconds (RFC 3339 needs them; the query form takes `12:00`).
// - `offset-form`: `+02`, `+0200`, `+02:00:30`, `+02:00.5` (RFC 3339 has `+02:00` only; queries take `+0200`).
// - `fraction-form`: `,5` or a `.` without digits.
// - `offset-minutes`: an offset with minutes 60 or more (`+00:60`), which Python carries into the hour.
// - `other-shape`: anything else Python takes that is not in the grammar (basic format, week dates, a space before the zone).
// SiftTime accepts what Python refuses:
// - `leap-second`: `23:59:60` is read as `23:59:59` (RFC 3339 allows a leap second; unix time has none).
// - `year-zero`: year 0000 (1 BC, proleptic Gregorian; Python's years start at 1).
// - `lowercase`: `t` and `z` (RFC 3339 section 5.6 allows them); Python is given the uppercase text.

private let oracleScript = #"""
import re, sys
from datetime import datetime, timezone, timedelta

form, strings_path, seconds_path = sys.argv[1], sys.argv[2], sys.argv[3]
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
CYCLE = 146097 * 86400  # the Gregorian calendar repeats every 400 years, 146,097 days
if form == 'rfc3339':
    SHAPE = re.compile(r'^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$')
    SEPARATORS = 'Tt '
else:  # queryValue
    SHAPE = re.compile(r'^\d{4}-\d{2}-\d{2}([Tt]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2}))?$')
    SEPARATORS = 'Tt'
DATE_ONLY = re.compile(r'^\d{4}-\d{2}-\d{2}$')

def python(s):
    """(epoch seconds, microseconds, aware) as Python reads s, or None when it refuses.
    Years 0000-0399 are read 400 years later and 9600-9999 400 years earlier, the epoch moved
    back by the cycle, so that year 0000 and offsets across years 1 and 9999 stay in Python's range."""
    s = s.replace('t', 'T').replace('z', 'Z')
    shift = 0
    if re.match(r'^\d{4}', s):
        year = int(s[:4])
        if year < 400:
            s, shift = '%04d' % (year + 400) + s[4:], -CYCLE
        elif year >= 9600:
            s, shift = '%04d' % (year - 400) + s[4:], CYCLE
    try:
        if DATE_ONLY.match(s):
            d = datetime.strptime(s, '%Y-%m-%d').replace(tzinfo=timezone.utc)  # a date alone: midnight UTC
        else:
            d = datetime.fromisoformat(s)
    except ValueError:
        return None
    if d.tzinfo is None:
        return (None, None, False)
    delta = d - EPOCH
    return (delta.days * 86400 + delta.seconds + shift, delta.microseconds, True)

def category(s):
    """Why a string Python accepts is not in our grammar."""
    m = re.match(r'^\d{4}-\d{2}-\d{2}(.)(.*)$', s)
    if m is None:
        return 'other-shape'
    sep, rest = m.group(1), m.group(2)
    if sep not in SEPARATORS:
        return 'separator'
    if not re.search(r'[Zz+-]', rest):
        return 'naive'
    if re.match(r'^\d{2}(:\d{2})?([Zz+-]|$)', rest):
        return 'short-time'
    if re.search(r',|\.(?!\d)', rest):
        return 'fraction-form'
    if re.search(r'[+-]\d{2}(:\d{2}(:|\.)|\d{2}$|$)', rest):
        return 'offset-form'
    return 'other-shape'

out = []
for s in open(strings_path, encoding='utf-8').read().split('\n')[:-1]:
    if SHAPE.match(s) is None:
        got = python(s)
        out.append('REFUSE python' if got is None else 'REFUSE ' + category(s))
        continue
    offset = re.search(r'[+-]\d{2}:?(\d{2})$', s)
    if offset and int(offset.group(1)) >= 60:
        out.append('REFUSE offset-minutes')
        continue
    t, notes = s, []
    if form == 'rfc3339' and t[17:19] == '60':
        t = t[:17] + '59' + t[19:]
        notes.append('leap-second')
    if t.startswith('0000'):
        notes.append('year-zero')
    if re.search('[tz]', s):
        notes.append('lowercase')
    got = python(t)
    if got is None:
        out.append('REFUSE python')
    elif not got[2]:
        out.append('REFUSE naive')
    else:
        out.append('ACCEPT %d %d %s' % (got[0], got[1], ','.join(notes) or 'same'))
print('\n'.join(out))
print('FORMATS')
for line in open(seconds_path).read().split():
    print((EPOCH + timedelta(seconds=int(line))).isoformat().replace('+00:00', 'Z'))
"""#

/// SplitMix64: the strings are the same at every run.
private struct SeededRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

/// Strings near the grammar: valid ones, fields out of range, other zones and separators, cut or
/// edited by a character.
private func generate(count: Int, seed: UInt64, dateOnly: Bool) -> [String] {
    var random = SeededRandom(state: seed)
    func two(_ valid: ClosedRange<Int>, _ wild: ClosedRange<Int>) -> String {
        let value = random.chance(85) ? Int.random(in: valid, using: &random) : Int.random(in: wild, using: &random)
        return value < 10 ? "0\(value)" : "\(value)"
    }
    var strings: [String] = []
    for _ in 0..<count {
        let year = random.pick([0, 1, 1969, 1970, 2000, 2038, 2100, 9999, 1900, 2024, 2026]
                               + [Int.random(in: 1...9999, using: &random), Int.random(in: 1...9999, using: &random)])
        var text = String(repeating: "0", count: 4 - String(year).count) + String(year)
        text += "-" + two(1...12, 0...13) + "-" + (random.chance(20) ? random.pick(["28", "29", "30", "31"]) : two(1...28, 0...32))
        if !(dateOnly && random.chance(25)) {
            text += random.pick(["T", "T", "T", "T", "t", " ", "x", "_"])
            text += two(0...23, 0...25) + ":" + two(0...59, 0...61)
            switch random.below(10) {
            case 0: break
            case 1: text += ":60"
            default: text += ":" + two(0...59, 0...61)
            }
            if random.chance(30) {
                text += random.pick([".", ".", ","]) + String((0..<random.below(12)).map { _ in Character(String(random.below(10))) })
            }
            let sign = random.pick(["+", "-"])
            switch random.below(12) {
            case 0, 1, 2: text += "Z"
            case 3: text += "z"
            case 4: break
            case 5: text += sign + two(0...23, 0...25)
            case 6: text += sign + two(0...23, 0...25) + two(0...59, 0...61)
            case 7: text += sign + two(0...23, 0...25) + ":" + two(0...59, 0...61) + ":" + two(0...59, 0...59)
            default: text += sign + two(0...23, 0...25) + ":" + two(0...59, 0...61)
            }
        }
        if random.chance(15) {
            var characters = Array(text)
            let position = random.below(characters.count)
            switch random.below(3) {
            case 0: characters = Array(characters[..<position])
            case 1: characters.remove(at: position)
            default: characters.insert(random.pick(Array("0123456789-:+TZ. x")), at: position)
            }
            text = String(characters)
        }
        strings.append(text)
    }
    return strings
}

/// Runs the oracle script: one verdict per string, then the Python text of each unix time.
private func runOracle(form: String, strings: [String], seconds: [Int64]) throws -> (verdicts: [String], formats: [String]) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sift-time-oracle-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let stringsFile = directory.appendingPathComponent("strings.txt")
    let secondsFile = directory.appendingPathComponent("seconds.txt")
    try strings.map { $0 + "\n" }.joined().write(to: stringsFile, atomically: true, encoding: .utf8)
    try seconds.map { "\($0)\n" }.joined().write(to: secondsFile, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", oracleScript, form, stringsFile.path, secondsFile.path]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "python3 failed (it is the oracle of this test): \(errorText)")
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let split = try #require(lines.firstIndex(of: "FORMATS"))
    return (Array(lines[..<split]), Array(lines[(split + 1)...]).filter { !$0.isEmpty })
}

@Suite struct PythonOracleTests {
    /// Compares one form; returns how many strings fell in each verdict category.
    func compare(form: ISO8601Form, name: String, seed: UInt64, dateOnly: Bool) throws -> [String: Int] {
        let strings = generate(count: 3_000, seed: seed, dateOnly: dateOnly)
        var random = SeededRandom(state: seed ^ 0xF0F0)
        let seconds: [Int64] = [-62_135_596_800, 253_402_300_799, 0, -1, 951_782_400, Int64(Int32.max), Int64(Int32.max) + 1,
                                4_107_542_400, 4_107_542_399]
            + (0..<2_000).map { _ in Int64(random.next() % 315_537_897_600) - 62_135_596_800 }
        let (verdicts, formats) = try runOracle(form: name, strings: strings, seconds: seconds)
        try #require(verdicts.count == strings.count)
        var categories: [String: Int] = [:]
        var mismatches: [String] = []
        for (text, verdict) in zip(strings, verdicts) {
            let words = verdict.split(separator: " ").map(String.init)
            let ours = try? ISO8601.parse(text, form: form)
            if words[0] == "ACCEPT" {
                for note in words[3].split(separator: ",") { categories[String(note), default: 0] += 1 }
                guard let ours else { mismatches.append("\(text): Python \(verdict), SiftTime refuses"); continue }
                if ours.secondsSince1970 != Int64(words[1]) || Int(ours.nanoseconds / 1_000) != Int(words[2]) {
                    mismatches.append("\(text): Python \(verdict), SiftTime \(ours.secondsSince1970) \(ours.nanoseconds)")
                }
            } else {
                categories[words[1], default: 0] += 1
                if let ours { mismatches.append("\(text): Python \(verdict), SiftTime accepts \(ours.secondsSince1970)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) differences, first: \(mismatches.prefix(10).joined(separator: "\n"))")
        try #require(formats.count == seconds.count)
        for (value, python) in zip(seconds, formats) {
            #expect(ISO8601.format(seconds: value) == python, "\(value)")
        }
        return categories
    }

    @Test func rfc3339AgreesWithPython() throws {
        let categories = try compare(form: .rfc3339, name: "rfc3339", seed: 20_261_204, dateOnly: false)
        // Each deliberate difference occurred, so each is asserted above; and most strings agree plainly.
        for name in ["naive", "separator", "short-time", "offset-form", "fraction-form", "offset-minutes",
                     "leap-second", "year-zero", "lowercase"] {
            #expect((categories[name] ?? 0) > 0, "no string of category \(name): \(categories)")
        }
        #expect((categories["same"] ?? 0) > 400, "\(categories)")
        #expect((categories["python"] ?? 0) > 300, "\(categories)")
    }

    @Test func queryValuesAgreeWithPython() throws {
        let categories = try compare(form: .queryValue, name: "queryValue", seed: 41_204, dateOnly: true)
        for name in ["naive", "separator", "offset-form", "fraction-form", "offset-minutes", "year-zero", "lowercase"] {
            #expect((categories[name] ?? 0) > 0, "no string of category \(name): \(categories)")
        }
        #expect((categories["same"] ?? 0) > 800, "\(categories)")
    }
}

extension SeededRandom: RandomNumberGenerator {}
