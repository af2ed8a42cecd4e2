import Attribution
import Foundation
import Usage

/// GitHub-flavoured Markdown, fit to paste into a pull request or wiki. Every string from a
/// repository or usage file is escaped so it cannot break the table or inject markup.
public struct MarkdownReportRenderer: ReportRenderer {
    public init() {}

    public func render(_ report: Report, context: RenderContext) -> String {
        var lines = ["## shipmeter report — by \(report.groupBy.rawValue)", ""]
        lines += report.summaryLines.map { "- " + Self.escape($0) }
        lines.append("")
        let columns = ReportColumns.columns(for: report)
        lines.append("| \(Self.escape(report.groupBy.rawValue)) | " + columns.map(\.title).joined(separator: " | ") + " |")
        lines.append("|---|" + columns.map { _ in "---:" }.joined(separator: "|") + "|")
        for group in report.groups {
            lines.append("| \(Self.escape(group.key)) | " + columns.map { Self.escape($0.value(group)) }.joined(separator: " | ") + " |")
        }
        lines.append("| **total** | " + columns.map { "**\(Self.escape($0.value(report.totals)))**" }.joined(separator: " | ") + " |")
        if let note = report.hiddenColumnsNote { lines += ["", "_\(Self.escape(note))_"] }
        let changeSets = report.changeSetRows
        if !changeSets.isEmpty {
            lines += ["", "### \(report.groupBy == .branch ? "Branches" : "Pull requests")", ""]
            lines.append("| \(Self.escape(report.groupBy.rawValue)) | " + ReportColumns.changeSetHeader.joined(separator: " | ") + " |")
            lines.append("|---|---|---|---|---|---:|---:|---:|---:|---|")
            lines += changeSets.map { "| " + ([$0.key] + $0.row).map(Self.escape).joined(separator: " | ") + " |" }
        }
        if !report.weekly.isEmpty {
            lines += ["", "### Weekly trend", "", "| " + Report.weeklyHeader.joined(separator: " | ") + " |", "|---|---:|---:|---:|---:|---:|---:|"]
            lines += report.weeklyRows.map { "| " + $0.map(Self.escape).joined(separator: " | ") + " |" }
        }
        if let budget = context.budget {
            lines += ["", "### Budget", ""] + budget.summaryLines.map { "- " + Self.escape($0) }
        }
        lines += ["", "### Warning signs", ""]
        if report.warnings.isEmpty {
            lines.append("None.")
        } else {
            for warning in report.warnings {
                lines.append("- **\(Self.escape(warning.kind))** (\(Self.escape(warning.group))): \(Self.escape(warning.message))")
            }
        }
        lines += ["", "<sub>shipmeter \(Self.escape(context.version)) · generated \(Timestamp.iso8601(context.generatedAt))</sub>"]
        return lines.joined(separator: "\n")
    }

    /// Backslash-escapes Markdown punctuation and turns HTML-significant characters into
    /// entities; newlines become spaces so a table row stays one row.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "#", "|", "~":
                out += "\\\(character)"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r": out += " "
            default: out.append(character)
            }
        }
        return out
    }
}
