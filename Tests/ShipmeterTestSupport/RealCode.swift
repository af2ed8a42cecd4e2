import Foundation

/// Lines of real code for generated histories: statements of this project's own sources, each
/// of five word tokens (the median of ordinary code's) and no shape more than seven
/// times, so that any two runs of the same number of lines carry the same work while their
/// shapes vary as real code's do. A generated statement of one shape would be a same-shape run —
/// a template — and discounted as one.
public final class RealCode: @unchecked Sendable {
    // @unchecked: `next` is used by the one scenario (and test) that owns the instance.
    /// Every usable statement, in a fixed (shuffled) order.
    public static let statements: [String] = load()
    private var next = 0

    public init() {}

    /// `count` statements this instance has not handed out before.
    public func lines(_ count: Int) -> [String] {
        precondition(next + count <= Self.statements.count, "the corpus has \(Self.statements.count) statements")
        defer { next += count }
        return Array(Self.statements[next..<(next + count)])
    }

    /// A made-up name of letters only (`value` in base 26): no digits, so no numbered template.
    public static func name(_ value: Int) -> String {
        var rest = value, letters = ""
        repeat {
            letters.append(Character(UnicodeScalar(UInt8(97 + rest % 26))))
            rest /= 26
        } while rest > 0
        return letters
    }

    /// One statement chosen by `random`.
    public static func line(_ random: inout some RandomNumberGenerator) -> String {
        statements[Int(random.next() % UInt64(statements.count))]
    }

    /// Most statements of one shape: fewer than a same-shape run (`ChangeMeasure.templateRun`,
    /// 8), so no choice of them is ever a template.
    static let perShape = 7

    static func load() -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var seen = Set<String>(), shapes = [String: Int](), result = [String]()
        // The sources only: a test edited must not change what every scenario is made of.
        for folder in ["Sources"] {
            let base = root.appendingPathComponent(folder)
            let files = (FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String } ?? [])
                .filter { $0.hasSuffix(".swift") && !$0.contains("OTLP/") && !$0.contains("/Generated/") }.sorted()
            for file in files {
                guard let text = try? String(contentsOf: base.appendingPathComponent(file), encoding: .utf8) else { continue }
                for raw in text.split(separator: "\n") {
                    let line = raw.trimmingCharacters(in: .whitespaces)
                    guard usable(line), wordTokens(line) == 5, seen.insert(line).inserted else { continue }
                    let shape = shape(line)
                    guard shapes[shape, default: 0] < perShape else { continue }
                    shapes[shape, default: 0] += 1
                    result.append(line)
                }
            }
        }
        // Neighbours in the corpus are not neighbours in a file: a run of them is no copy of a
        // block that some scenario puts in its repository.
        var random = SeededGenerator(seed: 1)
        result.shuffle(using: &random)
        return result
    }

    /// Statements that stand alone: no comment, no escape, balanced brackets, no quote left open,
    /// and no digits (a line with digits is a numbered template, counted once per person).
    static func usable(_ line: String) -> Bool {
        guard !line.isEmpty, !line.hasPrefix("//"), !line.hasPrefix("*"), !line.hasPrefix("#"), line.count < 120,
            !line.contains("\\"), !line.hasSuffix(","), !line.contains(where: \.isNumber)
        else { return false }
        var depth = 0
        for character in line {
            if character == "(" || character == "[" { depth += 1 }
            if character == ")" || character == "]" { depth -= 1 }
            if depth < 0 { return false }
        }
        return depth == 0 && line.filter({ $0 == "\"" }).count % 2 == 0
    }

    /// Runs of letters, digits, `_` and non-ASCII: what the measure counts.
    public static func wordTokens(_ line: String) -> Int {
        var count = 0, inWord = false
        for byte in line.utf8 {
            let word =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte >= 0x80
            if word, !inWord { count += 1 }
            inWord = word
        }
        return count
    }

    /// Its shape as the measure sees it, near enough: the first word, then words as `I`,
    /// punctuation as written.
    static func shape(_ line: String) -> String {
        var result = "", inWord = false, first = true
        for character in line {
            let word = character.isLetter || character.isNumber || character == "_"
            if word {
                if first { result.append(character) } else if !inWord { result.append("I") }
            } else {
                if inWord { first = false }
                if !character.isWhitespace { result.append(character) }
            }
            inWord = word
        }
        return result
    }
}
