import Attribution
import Foundation
import Usage

/// One self-contained HTML file: inline CSS and SVG, no script, no external asset, a
/// restrictive Content-Security-Policy. Opens offline, survives email, prints.
public struct HTMLReportRenderer: ReportRenderer {
    public init() {}

    public static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

    public func render(_ report: Report, context: RenderContext) -> String {
        let e = HTML.escape
        var body = ""
        body +=
            "<header><h1>shipmeter report</h1><p class=\"meta\">by \(e(report.groupBy.rawValue)) · \(e(report.windowText)) · environment \(e(report.environment ?? "none")) · \(e(report.repositories.joined(separator: ", ")))</p></header>"

        if let navigation = context.navigation { body += Self.navigation(navigation) }

        // Summary: yield and shipped work first.
        let t = report.totals
        body += "<section class=\"summary\">"
        for (label, value) in [
            ("Yield (ND per M tokens)", Quantity.figure(t.ndPerMillionTokens)),
            ("Normalised deployments", Quantity.figure(t.normalisedDeployments)),
            ("Shipped-token ratio", Quantity.percent(t.shippedTokenRatio)),
            ("Deployments", "\(t.deployments)"),
            ("Change failure rate", Quantity.percent(t.changeFailureRate)),
            ("Rework rate", Quantity.percent(t.reworkRate)),
            ("AI-assisted share", Quantity.percent(t.aiAssistedShare)),
            ("AI-written lines shipped", t.aiLinesShippedKnown.map { Quantity.short(Int64($0)) } ?? "—"),
            ("Cost", t.hasUsage ? Money.usd(t.costUSD) : Money.usd(nil as Double?)),
            ("Usage coverage", Quantity.percent(t.usageCoverage)),
            ("Cost per ND", Money.usd(t.costPerND)),
        ] {
            body += "<div class=\"figure\"><div class=\"value\">\(e(value))</div><div class=\"label\">\(e(label))</div></div>"
        }
        body += "</section>"

        body += "<section class=\"charts\">"
        body += SVGCharts.bars(
            title: "Yield: normalised deployments per million tokens, by \(report.groupBy.rawValue)",
            items: report.groups.map { ($0.key, $0.ndPerMillionTokens ?? 0) }, format: { String(format: "%.2f", $0) },
            axis: "normalised deployments per million tokens")
        body += SVGCharts.pairedBars(
            title: "Tokens against normalised deployments, by \(report.groupBy.rawValue)",
            items: report.groups.map { ($0.key, Double($0.tokens.total), $0.normalisedDeployments) },
            firstName: "tokens", secondName: "normalised deployments",
            firstFormat: { Quantity.short(Int64($0)) }, secondFormat: { String(format: "%.2f", $0) })
        let weekLabels = report.weekly.map { SVGCharts.day($0.start) }
        // One unit per chart: a ratio and dollars never share an axis.
        body += SVGCharts.lines(
            title: "Weekly shipped-token ratio", labels: weekLabels, values: report.weekly.map(\.shippedTokenRatio),
            format: { Quantity.percent($0) }, axis: "share of tokens shipped (%)", color: SVGCharts.palette[1])
        body += SVGCharts.lines(
            title: "Weekly cost", labels: weekLabels, values: report.weekly.map { $0.costUSD.doubleValue },
            format: { Money.usd($0) }, axis: "cost (USD)", color: SVGCharts.palette[2])
        body += SVGCharts.lines(
            title: "Weekly rework rate", labels: weekLabels, values: report.weekly.map(\.reworkRate),
            format: { Quantity.percent($0) }, axis: "rework deployments (%)", color: SVGCharts.palette[4])
        body += SVGCharts.timeline(
            title: "Deployments in \(report.environment ?? "no environment")", start: report.since, end: report.until,
            events: report.deployments.map { detail in
                let d = detail.deployment
                let kind = d.status == .rolledBack ? "rolled-back" : d.kind.rawValue
                return (d.time, "\(d.id) — \(kind), \(detail.shippedCommits) commits", kind)
            })
        body += "</section>"

        // The per-group table.
        let columns = ReportColumns.columns(for: report)
        body += "<section><h2>By \(e(report.groupBy.rawValue))</h2><table><thead><tr><th>\(e(report.groupBy.rawValue))</th>"
        body += columns.map { "<th class=\"num\">\(e($0.title))</th>" }.joined() + "</tr></thead><tbody>"
        for group in report.groups {
            let name = context.navigation?.groupLinks[group.key].map { "<a href=\"\(e($0))\">\(e(group.key))</a>" } ?? e(group.key)
            body += "<tr><td>\(name)</td>" + columns.map { "<td class=\"num\">\(e($0.value(group)))</td>" }.joined() + "</tr>"
        }
        body += "<tr class=\"total\"><td>total</td>" + columns.map { "<td class=\"num\">\(e($0.value(t)))</td>" }.joined() + "</tr></tbody></table>"
        if let note = report.hiddenColumnsNote { body += "<p class=\"small\">\(e(note))</p>" }
        body += "</section>"
        let changeSets = report.changeSetRows
        if !changeSets.isEmpty {
            body +=
                "<section><h2>\(report.groupBy == .branch ? "Branches" : "Pull requests")</h2><table class=\"changesets\"><thead><tr><th>\(e(report.groupBy.rawValue))</th>"
            body += ReportColumns.changeSetHeader.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead><tbody>"
            for (key, row) in changeSets {
                body += "<tr><td>\(e(key))</td>" + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>"
            }
            body += "</tbody></table></section>"
        }

        // Per-deployment detail (thousands of rows in a year: kept lean, aligned by CSS).
        body +=
            "<section><h2>Deployments</h2><table class=\"deployments\"><thead><tr><th>deployment</th><th>time</th><th>kind</th><th>status</th><th>commits</th><th>lines</th><th>effective lines</th><th>ND</th><th>AI share</th><th>tokens</th><th>cost</th><th>rework</th></tr></thead><tbody>"
        for detail in report.deployments {
            let d = detail.deployment
            body += d.status == .success ? "<tr>" : "<tr class=\"\(e(d.status.rawValue))\">"
            body += "<td>\(e(d.id))</td><td>\(e(Timestamp.iso8601(d.time)))</td><td>\(e(d.kind.rawValue))</td><td>\(e(d.status.rawValue))</td>"
            body +=
                "<td>\(detail.shippedCommits)</td><td>\(detail.lines.map(String.init) ?? "—")</td><td>\(e(Quantity.figure(detail.effectiveLines, digits: 1)))</td><td>\(e(Quantity.figure(detail.normalisedDeployments)))</td><td>\(e(Quantity.percent(detail.aiAssistedShare)))</td>"
            body += "<td>\(e(Quantity.short(detail.tokens)))</td><td>\(e(Money.usd(detail.costUSD)))</td>"
            body += "<td>\(e(detail.rework.map(\.rawValue).joined(separator: ", ")))</td></tr>"
        }
        if report.deployments.isEmpty { body += "<tr><td colspan=\"12\">No deployments in this window.</td></tr>" }
        body += "</tbody></table></section>"

        body += "<section><h2>Warning signs</h2>"
        if report.warnings.isEmpty {
            body += "<p>None in this window.</p>"
        } else {
            body += "<ul class=\"warnings\">"
            for warning in report.warnings {
                let figures = warning.figures.map { "\($0.0) \(JSONValue.format($0.1))" }.joined(separator: ", ")
                body +=
                    "<li><strong>\(e(warning.kind))</strong> · \(e(warning.group)): \(e(warning.message)) <span class=\"small\">(\(e(figures)))</span></li>"
            }
            body += "</ul>"
        }
        body += "</section>"

        if let budget = context.budget {
            body += "<section><h2>Budget \(budget.year)</h2><ul>" + budget.summaryLines.map { "<li>\(e($0))</li>" }.joined() + "</ul></section>"
        }
        body +=
            "<footer>shipmeter \(e(context.version)) · generated \(e(Timestamp.iso8601(context.generatedAt))) · normalised deployments credit shipped work; token volume alone is not a score.</footer>"

        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(Self.contentSecurityPolicy)">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>shipmeter report — \(e(report.windowText))</title>
            <style>\(Self.style)\(context.navigation == nil ? "" : "\n" + Self.navigationStyle)</style></head>
            <body>\(body)</body></html>
            """
    }

    /// The dashboard's trail and filter rows: links only.
    static func navigation(_ navigation: ReportNavigation) -> String {
        let e = HTML.escape
        func link(_ choice: ReportNavigation.Choice) -> String {
            choice.current
                ? "<a class=\"current\" aria-current=\"page\" href=\"\(e(choice.href))\">\(e(choice.text))</a>"
                : "<a href=\"\(e(choice.href))\">\(e(choice.text))</a>"
        }
        var html = "<nav class=\"filters\">"
        if !navigation.trail.isEmpty {
            html += "<div class=\"trail\">" + navigation.trail.map(link).joined(separator: " › ") + "</div>"
        }
        for filter in navigation.filters where !filter.choices.isEmpty {
            html += "<div><span class=\"label\">\(e(filter.name))</span> " + filter.choices.map(link).joined(separator: " ") + "</div>"
        }
        html += "<div><span class=\"label\">data</span> <a href=\"\(e(navigation.json))\">this report as JSON</a></div></nav>"
        return html
    }

    /// The dashboard's additions (a report file has no navigation).
    static let navigationStyle = """
        nav.filters{margin:12px 0;font-size:13px}nav.filters div{margin:4px 0}nav.filters .label{display:inline-block;min-width:90px;color:#4a5568}
        nav.filters a{margin-right:8px;color:#2b6cb0;text-decoration:none}nav.filters a.current{font-weight:600;color:#1a202c;border-bottom:2px solid #2b6cb0}
        td a{color:#2b6cb0}
        """

    static let style = """
        body{font:14px/1.45 -apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1a202c;margin:24px auto;max-width:1100px;padding:0 16px}
        h1{margin:0 0 4px}h2{margin-top:28px;border-bottom:1px solid #e2e8f0}.meta,.small,footer{color:#4a5568;font-size:12px}
        .summary{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.figure{border:1px solid #e2e8f0;border-radius:6px;padding:8px 12px;min-width:120px}
        .figure .value{font-size:20px;font-weight:600}.figure .label{font-size:12px;color:#4a5568}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px}.chart{max-width:100%;height:auto}
        .chart text{font-size:11px;fill:#1a202c}.chart .title{font-size:13px;font-weight:600}.chart .small{font-size:10px;fill:#4a5568}.chart .axis-label{font-size:11px;fill:#4a5568}
        table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:4px 8px;border-bottom:1px solid #edf2f7;text-align:left}
        .num{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:600;border-top:2px solid #a0aec0}
        table.deployments td:nth-child(n+5):not(:last-child),table.deployments th:nth-child(n+5):not(:last-child){text-align:right;font-variant-numeric:tabular-nums}
        tr.rolled-back td,tr.failure td{color:#c53030}.warnings li{margin:4px 0}footer{margin-top:32px}
        @media print{body{margin:0;max-width:none}.charts{grid-template-columns:1fr 1fr}section{break-inside:avoid}}
        """
}
