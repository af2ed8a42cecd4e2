import Attribution
import Foundation
import Testing

/// The information rules of `ChangeMeasure`, worked out by hand on small changes: layout-free
/// logical lines, copies of what the parent held, and same-shape runs.
@Suite struct InformationMeasureTests {
    /// `let total = price(of: item, in: store)`: let, total, price, of, item, in, store — 7 word
    /// tokens, 1.4 lines, however it is laid out.
    static let wide = ["let total = price(of: item, in: store)"]
    static let tall = ["let total = price(", "    of: item,", "    in: store,", ")"]

    @Test func layoutChangesNothing() {
        #expect(measured([FileChange(path: "a.swift", added: Self.wide)]).effectiveLines == 1.4)
        #expect(measured([FileChange(path: "a.swift", added: Self.tall)]).effectiveLines == 1.4)
        // Other indentation, single quotes, a trailing semicolon: still one statement, 1.4 lines.
        #expect(measured([FileChange(path: "a.js", added: ["\tlet total = price( of:item , in:store ) ;"])]).effectiveLines == 1.4)
        #expect(
            measured([FileChange(path: "a.py", added: ["name = 'shipmeter'"])]).effectiveLines
                == measured([FileChange(path: "a.py", added: ["name = \"shipmeter\""])]).effectiveLines)
        // Re-laid out: the tall statement replaces the wide one — a move, worth nothing.
        let relaid = measured([FileChange(path: "a.swift", added: Self.tall, deleted: Self.wide)])
        #expect(relaid.effectiveLines == 0)
        #expect(relaid.addedLines == 4 && relaid.movedLines == 4)
        // Words stay apart: `a b` is not `ab`.
        #expect(measured([FileChange(path: "a.txt", added: ["return value"], deleted: ["returnvalue"])]).effectiveLines == 0.6)
    }

    @Test func blocksTheParentHeldAreCopies() {
        let original = """
            func total(of items: [Item]) -> Decimal {
                var sum = Decimal(0)
                for item in items { sum += item.price * Decimal(item.quantity) }
                return sum
            }
            """
        let lines = original.split(separator: "\n").map(String.init)
        // Written fresh: func total of items Item Decimal (6) + var sum Decimal 0 (4) + for item in
        // items sum item price Decimal item quantity (10) + return sum (2) = 22 tokens, 4.4 lines.
        #expect(measured([FileChange(path: "new.swift", added: lines)]).effectiveLines == 4.4)
        // The parent held it in another file, laid out otherwise: a copy adds nothing.
        let elsewhere = original.replacingOccurrences(of: "    ", with: "\t\t")
        let copy = measured([FileChange(path: "new.swift", added: lines)], reference: [elsewhere])
        #expect(copy.effectiveLines == 0)
        #expect(copy.copiedLines == 5 && copy.addedLines == 5)
        // Two of its statements alone are no block of three: counted (4 + 10 tokens).
        #expect(measured([FileChange(path: "new.swift", added: Array(lines[1...2]))], reference: [original]).effectiveLines == 2.8)
        // A copy with one statement changed: only that statement is new (the blocks before and
        // after it are still the parent's).
        let longer = [
            "let source = try load(path)", "let parsed = parse(source)", "let checked = check(parsed)",
            "let priced = price(checked)", "let grouped = group(priced)", "let summed = sum(grouped)",
            "let rounded = round(summed)", "return render(rounded)",
        ]
        var edited = longer
        edited[4] = "let grouped = group(priced, by: team)"  // let grouped group priced by team: 6 tokens
        let partly = measured([FileChange(path: "new.swift", added: edited)], reference: [longer.joined(separator: "\n")])
        #expect(partly.effectiveLines == 1.2)
        #expect(partly.copiedLines == 7)
    }

    @Test func sameShapeRunsCountAsTheirShape() {
        // 300 `case name = "name"` lines (3 tokens each): one run, worth 3 × (4 + ln 297) tokens.
        let names: [String] = (0..<300).map { (index: Int) -> String in
            let first = Character(UnicodeScalar(UInt8(97 + index % 26))), second = Character(UnicodeScalar(UInt8(97 + index / 26)))
            return "case" + String(first) + String(second)
        }
        let table = names.map { "case \($0) = \"\($0)\"" }
        let run = measured([FileChange(path: "Cases.swift", added: table)])
        let expected = (3 * ChangeMeasure.templateWorth(300)).rounded() / 5
        #expect(run.effectiveLines == expected)
        #expect(run.effectiveLines < 10)
        #expect(run.templatedLines == 300)
        #expect(run.templates.count == 1)
        // The same shape with other words the next day is the same template.
        let tomorrow = measured([FileChange(path: "More.swift", added: names.map { (name: String) -> String in "case \(name)x = \"\(name)x\"" })])
        #expect(tomorrow.templates.map { $0.key } == run.templates.map { $0.key })
        // A few lines of one shape are ordinary code: full credit.
        #expect(measured([FileChange(path: "a.swift", added: Array(table.prefix(5)))]).effectiveLines == 3)
        #expect(measured([FileChange(path: "a.swift", added: Array(table.prefix(5)))]).templatedLines == 0)
        #expect(ChangeMeasure.templateWorth(7) == 7)
        #expect(abs(ChangeMeasure.templateWorth(8) - (4 + log(5.0))) < 1e-12)
    }

    /// Measured without the parent as a reference, a copy would pay in full; measured with
    /// whitespace, the taller layout would: each mutation changes a result above.
    @Test func theReferenceAndTheLayoutAreWhatMakeTheDifference() {
        let lines = ["let a = load(path)", "let b = parse(a)", "let c = check(b)", "return c"]
        let text = lines.joined(separator: "\n")
        // let a load path, let b parse a, let c check b (4 each), return c (2): 14 tokens.
        #expect(measured([FileChange(path: "x.swift", added: lines)]).effectiveLines == 2.8)
        #expect(measured([FileChange(path: "x.swift", added: lines)], reference: [text]).effectiveLines == 0)
        #expect(
            measured([FileChange(path: "x.swift", added: lines)], reference: ["unrelated = 1\n" + text.replacingOccurrences(of: "b", with: "q")])
                .effectiveLines == 2.8)
    }
}
