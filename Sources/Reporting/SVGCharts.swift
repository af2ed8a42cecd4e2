import Foundation
import Usage

/// Small inline SVG charts: no script, no external asset, readable when printed.
enum SVGCharts {
    static let palette = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#b7791f", "#4a5568"]

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// `2026-03-02`
    static func day(_ date: Date) -> String { String(Timestamp.iso8601(date).prefix(10)) }

    /// Horizontal bars, one per label.
    static func bars(title: String, items: [(label: String, value: Double)], format: (Double) -> String, color: String = palette[0]) -> String {
        let rowHeight = 24.0, labelWidth = 170.0, width = 640.0, barArea = width - labelWidth - 80
        let height = Double(max(items.count, 1)) * rowHeight + 36
        let maximum = max(items.map(\.value).max() ?? 0, 1e-9)
        var svg = header(title: title, width: width, height: height)
        if items.isEmpty { svg += emptyNote(width: width, y: 40) }
        for (index, item) in items.enumerated() {
            let y = 28 + Double(index) * rowHeight
            let length = max(item.value / maximum * barArea, item.value > 0 ? 2 : 0)
            svg += "<text x=\"\(number(labelWidth - 8))\" y=\"\(number(y + 15))\" text-anchor=\"end\">\(HTML.escape(truncate(item.label)))</text>"
            svg += "<rect class=\"bar\" x=\"\(number(labelWidth))\" y=\"\(number(y + 3))\" width=\"\(number(length))\" height=\"\(number(rowHeight - 8))\" fill=\"\(color)\"><title>\(HTML.escape(item.label)): \(HTML.escape(format(item.value)))</title></rect>"
            svg += "<text x=\"\(number(labelWidth + length + 6))\" y=\"\(number(y + 15))\">\(HTML.escape(format(item.value)))</text>"
        }
        return svg + "</svg>"
    }

    /// Two bars per label on independent scales: tokens and normalised deployments.
    static func pairedBars(title: String, items: [(label: String, first: Double, second: Double)], firstName: String, secondName: String,
                           firstFormat: (Double) -> String, secondFormat: (Double) -> String) -> String {
        let rowHeight = 34.0, labelWidth = 170.0, width = 640.0, barArea = width - labelWidth - 90
        let height = Double(max(items.count, 1)) * rowHeight + 56
        let firstMax = max(items.map(\.first).max() ?? 0, 1e-9), secondMax = max(items.map(\.second).max() ?? 0, 1e-9)
        var svg = header(title: title, width: width, height: height)
        svg += legend([(firstName, palette[1]), (secondName, palette[2])], x: labelWidth, y: 30)
        if items.isEmpty { svg += emptyNote(width: width, y: 60) }
        for (index, item) in items.enumerated() {
            let y = 46 + Double(index) * rowHeight
            let a = max(item.first / firstMax * barArea, item.first > 0 ? 2 : 0), b = max(item.second / secondMax * barArea, item.second > 0 ? 2 : 0)
            svg += "<text x=\"\(number(labelWidth - 8))\" y=\"\(number(y + 17))\" text-anchor=\"end\">\(HTML.escape(truncate(item.label)))</text>"
            svg += "<rect class=\"bar\" x=\"\(number(labelWidth))\" y=\"\(number(y + 2))\" width=\"\(number(a))\" height=\"12\" fill=\"\(palette[1])\"><title>\(HTML.escape(item.label)) \(firstName): \(HTML.escape(firstFormat(item.first)))</title></rect>"
            svg += "<text x=\"\(number(labelWidth + a + 6))\" y=\"\(number(y + 12))\">\(HTML.escape(firstFormat(item.first)))</text>"
            svg += "<rect class=\"bar\" x=\"\(number(labelWidth))\" y=\"\(number(y + 16))\" width=\"\(number(b))\" height=\"12\" fill=\"\(palette[2])\"><title>\(HTML.escape(item.label)) \(secondName): \(HTML.escape(secondFormat(item.second)))</title></rect>"
            svg += "<text x=\"\(number(labelWidth + b + 6))\" y=\"\(number(y + 26))\">\(HTML.escape(secondFormat(item.second)))</text>"
        }
        return svg + "</svg>"
    }

    /// Lines over weeks; each series on its own scale (drawn 0…max), values may be missing.
    static func lines(title: String, labels: [String], series: [(name: String, values: [Double?], format: (Double) -> String)]) -> String {
        let width = 640.0, height = 240.0, left = 50.0, right = 40.0, top = 44.0, bottom = 40.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        var svg = header(title: title, width: width, height: height)
        svg += legend(series.enumerated().map { ($1.name, palette[($0 + 1) % palette.count]) }, x: left, y: 30)
        svg += "<line x1=\"\(number(left))\" y1=\"\(number(top + plotHeight))\" x2=\"\(number(left + plotWidth))\" y2=\"\(number(top + plotHeight))\" stroke=\"#999\"/>"
        let count = max(labels.count, 1)
        func x(_ index: Int) -> Double { left + (count == 1 ? plotWidth / 2 : Double(index) / Double(count - 1) * plotWidth) }
        for (index, label) in labels.enumerated() where count <= 12 || index % max(count / 8, 1) == 0 {
            svg += "<text x=\"\(number(x(index)))\" y=\"\(number(height - 18))\" text-anchor=\"middle\" class=\"small\">\(HTML.escape(label))</text>"
        }
        if labels.isEmpty { svg += emptyNote(width: width, y: 120) }
        for (seriesIndex, line) in series.enumerated() {
            let color = palette[(seriesIndex + 1) % palette.count]
            let maximum = max(line.values.compactMap { $0 }.max() ?? 0, 1e-9)
            var points = [String]()
            for (index, value) in line.values.enumerated() {
                guard let value else { continue }
                let y = top + plotHeight - value / maximum * plotHeight
                points.append("\(number(x(index))),\(number(y))")
                svg += "<circle cx=\"\(number(x(index)))\" cy=\"\(number(y))\" r=\"3\" fill=\"\(color)\"><title>\(HTML.escape(line.name)) \(HTML.escape(labels[index])): \(HTML.escape(line.format(value)))</title></circle>"
            }
            if points.count > 1 {
                svg += "<polyline class=\"line\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
            }
        }
        return svg + "</svg>"
    }

    /// Deployments on a time axis; failures and rollbacks marked apart from forward ones.
    static func timeline(title: String, start: Date, end: Date, events: [(date: Date, label: String, kind: String)]) -> String {
        let width = 640.0, height = 150.0, left = 20.0, right = 20.0, axis = 90.0
        let span = max(end.timeIntervalSince(start), 1)
        var svg = header(title: title, width: width, height: height)
        svg += legend([("forward", palette[2]), ("rolled back", palette[4]), ("rollback", palette[3]), ("failed", "#e53e3e"), ("other", "#a0aec0")], x: left, y: 30)
        svg += "<line x1=\"\(number(left))\" y1=\"\(number(axis))\" x2=\"\(number(width - right))\" y2=\"\(number(axis))\" stroke=\"#999\"/>"
        svg += "<text x=\"\(number(left))\" y=\"\(number(axis + 30))\" class=\"small\">\(HTML.escape(day(start)))</text>"
        svg += "<text x=\"\(number(width - right))\" y=\"\(number(axis + 30))\" text-anchor=\"end\" class=\"small\">\(HTML.escape(day(end)))</text>"
        if events.isEmpty { svg += emptyNote(width: width, y: 70) }
        for event in events {
            let x = left + event.date.timeIntervalSince(start) / span * (width - left - right)
            let color: String
            switch event.kind {
            case "forward": color = palette[2]
            case "rolled-back": color = palette[4]
            case "rollback": color = palette[3]
            case "failed": color = "#e53e3e"
            default: color = "#a0aec0"
            }
            let mark = event.kind == "failed" || event.kind == "rollback"
                ? "<path class=\"mark\" d=\"M\(number(x - 6)) \(number(axis - 6)) L\(number(x + 6)) \(number(axis + 6)) M\(number(x + 6)) \(number(axis - 6)) L\(number(x - 6)) \(number(axis + 6))\" stroke=\"\(color)\" stroke-width=\"3\">"
                : "<circle class=\"mark\" cx=\"\(number(x))\" cy=\"\(number(axis))\" r=\"6\" fill=\"\(color)\">"
            let close = event.kind == "failed" || event.kind == "rollback" ? "</path>" : "</circle>"
            svg += mark + "<title>\(HTML.escape(event.label))</title>" + close
        }
        return svg + "</svg>"
    }

    static func header(title: String, width: Double, height: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" aria-label=\"\(HTML.escape(title))\" viewBox=\"0 0 \(number(width)) \(number(height))\" width=\"\(number(width))\" height=\"\(number(height))\"><text x=\"0\" y=\"16\" class=\"title\">\(HTML.escape(title))</text>"
    }

    static func legend(_ entries: [(String, String)], x: Double, y: Double) -> String {
        var svg = "", offset = x
        for (name, color) in entries {
            svg += "<rect x=\"\(number(offset))\" y=\"\(number(y - 9))\" width=\"10\" height=\"10\" fill=\"\(color)\"/><text x=\"\(number(offset + 14))\" y=\"\(number(y))\" class=\"small\">\(HTML.escape(name))</text>"
            offset += 24 + Double(name.count) * 6.5
        }
        return svg
    }

    static func emptyNote(width: Double, y: Double) -> String {
        "<text x=\"\(number(width / 2))\" y=\"\(number(y))\" text-anchor=\"middle\" class=\"small\">no data in this window</text>"
    }

    static func truncate(_ text: String) -> String {
        text.count > 24 ? String(text.prefix(23)) + "…" : text
    }
}

/// HTML escaping for text and attribute values.
public enum HTML {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if scalar.value < 0x20, scalar != "\n", scalar != "\t" { out += " " } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
