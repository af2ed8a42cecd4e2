import Foundation
import Reporting
import Usage

/// `usage`'s output: a table, JSON or CSV of token counts by group.
enum UsageRendering {
    static func render(_ summary: UsageSummary, skipped: Int, format: Shipmeter.UsageCommand.UsageFormatOption) -> String {
        switch format {
        case .json:
            return UsageDocument(summary, skipped: skipped).json
        case .csv:
            var csv = CSVWriter(header: ["key", "records", "input", "output", "cache_write", "cache_read", "total", "cost_usd"])
            let rows = summary.groups.isEmpty ? [(key: "total", counts: summary.totals)] : summary.groups
            for group in rows {
                let c = group.counts
                csv.append(
                    [
                        group.key, "\(c.records)", "\(c.input)", "\(c.output)", "\(c.cacheWrite)", "\(c.cacheRead)", "\(c.total)",
                        Money.plain(c.costUSD),
                    ], numeric: Set(1...7))
            }
            return csv.text
        case .table:
            func row(_ key: String, _ c: TokenCounts) -> [String] {
                [
                    key, Quantity.grouped(Int64(c.records)), Quantity.grouped(c.input), Quantity.grouped(c.output), Quantity.grouped(c.cacheWrite),
                    Quantity.grouped(c.cacheRead), Quantity.grouped(c.total), Money.usd(c.costUSD),
                ]
            }
            var rows = summary.groups.map { row($0.key, $0.counts) }
            rows.append(row("total", summary.totals))
            var text = TextTable(
                header: ["key", "records", "input", "output", "cache write", "cache read", "total", "cost"], rows: rows, rightAligned: Set(1...7)
            ).render()
            if summary.totals.unpricedRecords > 0 { text += "\n\(summary.totals.unpricedRecords) records have no price; their cost is not included" }
            if skipped > 0 { text += "\nskipped \(skipped) malformed lines" }
            return text
        }
    }
}
