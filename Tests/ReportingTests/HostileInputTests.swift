import Attribution
import Foundation
import GitKit
import Reporting
import ShipmeterTestSupport
import Testing
import Usage

/// Strings from repositories and usage files are rendered inert in every format.
@Suite struct HostileInputTests {
    static let script = "<script>alert(1)</script>"
    static let image = "\"><img src=x onerror=alert(1)>"
    static let formula = "=HYPERLINK(\"http://evil.test\",\"x\")"

    func hostileReport(groupBy: GroupBy) throws -> (Report, RenderContext) {
        let scratch = ScratchRepository()
        scratch.commit("root", files: ["r": "1\n"], time: 1_767_225_600)
        scratch.tag("deploy/production/<script>alert(1)</script>", message: "status: success", time: 1_767_225_700)
        scratch.commit(
            "\(Self.script) \(Self.image) | col \(Self.formula)", files: ["x": "1\n"],
            author: ("\(Self.script) | Mallory", "mallory@evil.test"), time: 1_767_230_000)
        scratch.tag("deploy/production/\"><img/src=x/onerror=alert(1)>", message: "status: success", time: 1_767_240_000)
        let yaml =
            "teams:\n  \"\(Self.formula.replacingOccurrences(of: "\"", with: "\\\""))\": [mallory@evil.test]\n  \"a|b \(Self.script)\": [nobody@x.test]\n"
        let snapshot = try scratch.snapshot(yaml)
        var usage = UsageBatch()
        usage.add(
            UsageRecord(
                source: "jsonl", key: "k1", timestamp: Date(timeIntervalSince1970: 1_767_229_000), actor: "mallory@evil.test",
                session: Self.image, agent: Self.script, model: "\(Self.script)|\(Self.formula)", repository: scratch.path,
                input: 100, output: 10, costUSD: 1))
        usage.add(
            UsageRecord(
                source: "jsonl", key: "k2", timestamp: Date(timeIntervalSince1970: 1_767_229_000), actor: "+cmd|' /C calc'!A0@x.test",
                model: "-2+3", input: 5_000_000, output: 0, costUSD: 2))
        let report = snapshot.report(
            usage, since: Date(timeIntervalSince1970: 1_767_200_000), until: Date(timeIntervalSince1970: 1_767_300_000),
            environment: nil, groupBy: groupBy)
        return (report, RenderContext(version: "<b>1</b>", generatedAt: Date(timeIntervalSince1970: 1_767_300_000)))
    }

    @Test(arguments: GroupBy.allCases)
    func renderedInert(groupBy: GroupBy) throws {
        let (report, context) = try hostileReport(groupBy: groupBy)
        #expect(!report.groups.isEmpty)

        let html = HTMLReportRenderer().render(report, context: context)
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.lowercased().contains("<img"))
        #expect(!html.contains("<b>1</b>"))
        #expect(html.contains("Content-Security-Policy"))
        #expect(html.contains("default-src 'none'"))

        let markdown = MarkdownReportRenderer().render(report, context: context)
        #expect(!markdown.lowercased().contains("<script"))
        #expect(!markdown.lowercased().contains("<img"))
        // Every row of each table keeps its column count: no unescaped pipe from a name.
        for table in markdown.components(separatedBy: "\n\n") {
            let rows = table.split(separator: "\n").filter { $0.hasPrefix("| ") }
            let columns = Set(rows.map { row in row.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count })
            #expect(columns.count <= 1, "\(table)")
        }

        let csv = CSVReportRenderer().render(report, context: context)
        for cell in Self.cells(csv) {
            guard let first = cell.first else { continue }
            if "=+-@\t\r".contains(first) {
                #expect(Double(cell) != nil, "cell '\(cell)' could run as a formula")
            }
        }

        let json = JSONReportRenderer().render(report, context: context)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(decoded != nil)

        let table = TableReportRenderer().render(report, context: context)
        #expect(!table.contains("\u{1B}"))
    }

    /// Splits RFC 4180 text into cells.
    static func cells(_ text: String) -> [String] {
        var cells = [String](), cell = "", quoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            cell.append("\"")
                        } else {
                            quoted = false
                            pending = next
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(character)
                }
            } else if character == "\"", cell.isEmpty {
                quoted = true
            } else if character == "," || character == "\r\n" || character == "\n" || character == "\r" {
                cells.append(cell)
                cell = ""
            } else {
                cell.append(character)
            }
        }
        if !cell.isEmpty { cells.append(cell) }
        return cells
    }
}
