import Attribution
import Foundation
import ShipmeterTestSupport
import Testing

/// Invariants 6–10 of the information measure over generated changes of real code, each with a
/// mutation of the measure (or of the yield) that must break it, so the property can fail.
enum InformationInvariants {
    static let seeds: [UInt64] = Array(1...40)

    /// `count` real statements from a seeded position of the corpus (no two the same).
    static func code(_ count: Int, _ random: inout SeededGenerator) -> [String] {
        let start = Int(random.next() % UInt64(RealCode.statements.count - count))
        return Array(RealCode.statements[start..<(start + count)])
    }

    /// A repository of three files of real code, and a copy of 3–40 consecutive statements of one
    /// of them (or a whole file) into a new file: worth at most 5% of the same lines written
    /// fresh. With `reference` false the parent is not consulted — the mutation.
    static func copies(reference: Bool) -> [UInt64] {
        seeds.filter { seed in
            var random = SeededGenerator(seed: seed)
            let files = (0..<3).map { _ in code(30 + Int(random.next() % 40), &random) }
            let source = files[Int(random.next() % 3)]
            let whole = random.next() % 4 == 0
            let length = whole ? source.count : 3 + Int(random.next() % 38)
            let start = whole ? 0 : Int(random.next() % UInt64(source.count - length + 1))
            let copy = Array(source[start..<(start + length)])
            let fresh = measured([FileChange(path: "src/new.swift", added: copy)]).effectiveLines
            let texts = reference ? files.map { $0.joined(separator: "\n") } : []
            let copied = measured([FileChange(path: "src/elsewhere/copy.swift", added: copy)], reference: texts).effectiveLines
            return !(fresh > 0 && copied <= 0.05 * fresh)
        }
    }

    /// The same statements laid out one argument per line earn within 10% of the usual layout,
    /// and re-laying out the usual into the tall one adds at most 5% of it. With `lineByLine`
    /// each physical line is measured alone (no logical lines) — the mutation.
    static func layout(lineByLine: Bool) -> [UInt64] {
        seeds.filter { seed in
            var random = SeededGenerator(seed: seed)
            let wide = code(10 + Int(random.next() % 30), &random)
            let tall = wide.flatMap { tallLayout($0).split(separator: "\n").map(String.init) }
            func files(_ lines: [String], deleted: [String] = []) -> [FileChange] {
                lineByLine
                    ? lines.enumerated().map { FileChange(path: "f\($0.offset).swift", added: [$0.element]) }
                        + deleted.enumerated().map { FileChange(path: "f\($0.offset).swift", deleted: [$0.element]) }
                    : [FileChange(path: "a.swift", added: lines, deleted: deleted)]
            }
            let usual = measured(files(wide)).effectiveLines, taller = measured(files(tall)).effectiveLines
            let relaid = measured(files(tall, deleted: wide)).effectiveLines
            return !(abs(taller - usual) <= 0.10 * usual && relaid <= 0.05 * usual)
        }
    }

    /// One argument per line with a trailing comma and other indentation.
    static func tallLayout(_ line: String) -> String {
        guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")"), open < close else { return "  " + line }
        let inner = line[line.index(after: open)..<close]
        guard inner.contains(","), !inner.contains("("), !inner.contains("\"") else { return "  " + line }
        let arguments = inner.split(separator: ",").map { "      " + $0.trimmingCharacters(in: .whitespaces) + "," }
        return (["  " + line[...open]] + arguments + ["  " + line[close...]]).joined(separator: "\n")
    }

    /// k (8–400) lines of one shape earn at most the shape's `templateWorth(k)` lines of their
    /// average worth, and no more than ~10 ordinary lines for 300; 2–5 such lines among ordinary
    /// code lose at most 10% of their credit. `templateRun` as `Int.max` is the mutation.
    static func templates(templateRun: Int = ChangeMeasure.templateRun) -> [UInt64] {
        seeds.filter { seed in
            var random = SeededGenerator(seed: seed)
            let count = 8 + Int(random.next() % 393)
            let names = (0..<count).map { index in "item" + RealCode.name(Int(random.next() % 1_000_000) * 1_000 + index) }
            let table = names.map { "case \($0) = \"\($0)\"" }  // 3 tokens each
            let run = measured([FileChange(path: "Table.swift", added: table)], templateRun: templateRun).effectiveLines
            let bound = 3 * ChangeMeasure.templateWorth(count) / 5 + 0.2
            let ordinary = code(20, &random), few = Array(table.prefix(2 + Int(random.next() % 4)))
            let mixed = measured([FileChange(path: "a.swift", added: ordinary + few)], templateRun: templateRun).effectiveLines
            let apart = measured([FileChange(path: "a.swift", added: ordinary)]).effectiveLines + Double(few.count) * 0.6
            return !(run <= bound && (count < 300 || run <= 10) && mixed >= 0.9 * apart)
        }
    }

    /// Half of the gamer's changes without their usage record: its yield stays within 10% of
    /// what it was with every record. With `countUncovered` the yield is computed over all its
    /// normalised deployments, as before — the mutation.
    static func coverage(countUncovered: Bool) -> [UInt64] {
        seeds.filter { seed in
            let world = World.generate(seed: seed)
            var all = [Int: Int64](), hidden = [Int: Int64]()
            for (index, change) in world.changes.enumerated() {
                let tokens = Int64(change.files.reduce(0) { $0 + $1.added.count }) * 10_000
                all[index] = tokens
                if change.team == "honest" || index % 2 == 0 { hidden[index] = tokens }
            }
            func yield(_ usage: [Int: Int64]) -> Double? {
                guard let gamer = world.build(usage: usage).groups.first(where: { $0.key == "gamer" }) else { return nil }
                return countUncovered ? gamer.normalisedDeployments / (Double(gamer.tokens.total) / 1e6) : gamer.ndPerMillionTokens
            }
            guard let before = yield(all), let after = yield(hidden), before > 0 else { return true }
            return !(after <= 1.10 * before)
        }
    }
}

@Suite struct InformationPropertyTests {
    @Test func copiesOfWhatTheParentHeldAddNothing() {
        #expect(InformationInvariants.copies(reference: true).isEmpty)
        #expect(InformationInvariants.copies(reference: false).count == InformationInvariants.seeds.count)
    }

    @Test func layoutAddsNothing() {
        #expect(InformationInvariants.layout(lineByLine: false).isEmpty)
        #expect(InformationInvariants.layout(lineByLine: true).count > InformationInvariants.seeds.count / 2)
    }

    @Test func sameShapeRunsEarnAtMostTheirShape() {
        #expect(InformationInvariants.templates().isEmpty)
        #expect(InformationInvariants.templates(templateRun: .max).count == InformationInvariants.seeds.count)
    }

    @Test func hidingUsageNeverRaisesTheYield() {
        #expect(InformationInvariants.coverage(countUncovered: false).isEmpty)
        #expect(InformationInvariants.coverage(countUncovered: true).count > InformationInvariants.seeds.count / 2)
    }

    /// Without usage, no figure derived from tokens is a number (a group with usage and nothing
    /// covered shipped has a measured yield of 0: `MetricsTests`).
    @Test func withoutUsageTheYieldIsUnknownNotZero() {
        for seed in InformationInvariants.seeds.prefix(10) {
            let world = World.generate(seed: seed)
            let none = world.build()
            for group in none.groups + [none.totals] {
                #expect(group.normalisedDeployments > 0)
                #expect(group.ndPerMillionTokens == nil && group.costPerND == nil && group.costPerEngineerMonth == nil)
                #expect(group.shippedTokenRatio == nil && group.aiLinesShippedKnown == nil && group.usageCoverage == 0)
            }
            // Usage for the honest team only: the gamer's figures stay unknown, the honest team's are numbers.
            var honest = [Int: Int64]()
            for (index, change) in world.changes.enumerated() where change.team == "honest" { honest[index] = 50_000 }
            let some = world.build(usage: honest)
            let gamer = some.groups.first { $0.key == "gamer" }
            #expect(gamer?.ndPerMillionTokens == nil && gamer?.costPerND == nil)
            #expect((some.groups.first { $0.key == "honest" }?.ndPerMillionTokens ?? 0) > 0)
            #expect(some.totals.usageCoverage.map { $0 > 0 && $0 < 1 } == true)
        }
    }
}
