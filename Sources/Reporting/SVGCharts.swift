import Foundation
import Usage

/// Small inline SVG charts: no script, no external asset, readable when printed.
enum SVGCharts {
    static let palette = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#b7791f", "#4a5568"]

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// `2026-03-02`
    static func day(_ date: Date) -> String { String(Timestamp.iso8601(date).prefix(10)) }

    /// Horizontal bars, one per label, on one scale whose axis says its unit.
    static func bars(
        title: String, items: [(label: String, value: Double)], format: (Double) -> String, axis: String,
        color: String = palette[0]
    ) -> String {
        let rowHeight = 24.0, labelWidth = 170.0, width = 640.0, barArea = width - labelWidth - 80
        let height = Double(max(items.count, 1)) * rowHeight + 72
        let maximum = max(items.map(\.value).max() ?? 0, 1e-9)
        var svg = header(title: title, width: width, height: height)
        if items.isEmpty { svg += emptyNote(width: width, y: 40) }
        for (index, item) in items.enumerated() {
            let y = 28 + Double(index) * rowHeight
            let length = max(item.value / maximum * barArea, item.value > 0 ? 2 : 0)
            svg += "<text x=\"\(number(labelWidth - 8))\" y=\"\(number(y + 15))\" text-anchor=\"end\">\(HTML.escape(truncate(item.label)))</text>"
            svg +=
                "<rect class=\"bar\" x=\"\(number(labelWidth))\" y=\"\(number(y + 3))\" width=\"\(number(length))\" height=\"\(number(rowHeight - 8))\" fill=\"\(color)\"><title>\(HTML.escape(item.label)): \(HTML.escape(format(item.value)))</title></rect>"
            svg += "<text x=\"\(number(labelWidth + length + 6))\" y=\"\(number(y + 15))\">\(HTML.escape(format(item.value)))</text>"
        }
        svg += horizontalAxis(
            x: labelWidth, width: barArea, y: 32 + Double(max(items.count, 1)) * rowHeight, low: format(0),
            high: format(items.isEmpty ? 0 : maximum), label: axis)
        return svg + "</svg>"
    }

    /// Two panels side by side, one bar per label in each, each panel on its own labelled scale:
    /// two units never share an axis.
    static func pairedBars(
        title: String, items: [(label: String, first: Double, second: Double)], firstName: String, secondName: String,
        firstFormat: (Double) -> String, secondFormat: (Double) -> String
    ) -> String {
        let rowHeight = 24.0, labelWidth = 150.0, width = 640.0, gap = 30.0
        let panel = (width - labelWidth - gap - 60) / 2
        let height = Double(max(items.count, 1)) * rowHeight + 84
        let firstMax = max(items.map(\.first).max() ?? 0, 1e-9), secondMax = max(items.map(\.second).max() ?? 0, 1e-9)
        var svg = header(title: title, width: width, height: height)
        if items.isEmpty { svg += emptyNote(width: width, y: 60) }
        let secondX = labelWidth + panel + gap
        for (index, item) in items.enumerated() {
            let y = 28 + Double(index) * rowHeight
            let a = max(item.first / firstMax * panel, item.first > 0 ? 2 : 0), b = max(item.second / secondMax * panel, item.second > 0 ? 2 : 0)
            svg += "<text x=\"\(number(labelWidth - 8))\" y=\"\(number(y + 15))\" text-anchor=\"end\">\(HTML.escape(truncate(item.label)))</text>"
            svg +=
                "<rect class=\"bar\" x=\"\(number(labelWidth))\" y=\"\(number(y + 3))\" width=\"\(number(a))\" height=\"\(number(rowHeight - 8))\" fill=\"\(palette[1])\"><title>\(HTML.escape(item.label)) \(firstName): \(HTML.escape(firstFormat(item.first)))</title></rect>"
            svg +=
                "<rect class=\"bar\" x=\"\(number(secondX))\" y=\"\(number(y + 3))\" width=\"\(number(b))\" height=\"\(number(rowHeight - 8))\" fill=\"\(palette[2])\"><title>\(HTML.escape(item.label)) \(secondName): \(HTML.escape(secondFormat(item.second)))</title></rect>"
        }
        let axisY = 32 + Double(max(items.count, 1)) * rowHeight
        svg += horizontalAxis(
            x: labelWidth, width: panel, y: axisY, low: firstFormat(0), high: firstFormat(items.isEmpty ? 0 : firstMax), label: firstName)
        svg += horizontalAxis(
            x: secondX, width: panel, y: axisY, low: secondFormat(0), high: secondFormat(items.isEmpty ? 0 : secondMax), label: secondName)
        return svg + "</svg>"
    }

    /// One series over weeks, drawn 0…max on a labelled vertical axis; values may be missing.
    static func lines(
        title: String, labels: [String], values: [Double?], format: (Double) -> String, axis: String, color: String = palette[1]
    ) -> String {
        let width = 640.0, height = 220.0, left = 70.0, right = 30.0, top = 30.0, bottom = 52.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        var svg = header(title: title, width: width, height: height)
        let maximum = max(values.compactMap { $0 }.max() ?? 0, 1e-9)
        let base = top + plotHeight
        svg += "<line x1=\"\(number(left))\" y1=\"\(number(base))\" x2=\"\(number(left + plotWidth))\" y2=\"\(number(base))\" stroke=\"#999\"/>"
        svg += "<line x1=\"\(number(left))\" y1=\"\(number(top))\" x2=\"\(number(left))\" y2=\"\(number(base))\" stroke=\"#999\"/>"
        svg += "<text x=\"\(number(left - 4))\" y=\"\(number(base))\" text-anchor=\"end\" class=\"small tick\">\(HTML.escape(format(0)))</text>"
        if values.contains(where: { $0 != nil }) {
            svg +=
                "<text x=\"\(number(left - 4))\" y=\"\(number(top + 8))\" text-anchor=\"end\" class=\"small tick\">\(HTML.escape(format(maximum)))</text>"
        }
        svg +=
            "<text class=\"axis-label\" transform=\"translate(12 \(number(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(HTML.escape(axis))</text>"
        svg +=
            "<text class=\"axis-label\" x=\"\(number(left + plotWidth / 2))\" y=\"\(number(height - 4))\" text-anchor=\"middle\">week starting</text>"
        let count = max(labels.count, 1)
        func x(_ index: Int) -> Double { left + (count == 1 ? plotWidth / 2 : Double(index) / Double(count - 1) * plotWidth) }
        for (index, label) in labels.enumerated() where count <= 12 || index % max(count / 8, 1) == 0 {
            svg += "<text x=\"\(number(x(index)))\" y=\"\(number(base + 16))\" text-anchor=\"middle\" class=\"small\">\(HTML.escape(label))</text>"
        }
        if labels.isEmpty { svg += emptyNote(width: width, y: 110) }
        var points = [String]()
        for (index, value) in values.enumerated() {
            guard let value, index < labels.count else { continue }
            let y = base - value / maximum * plotHeight
            points.append("\(number(x(index))),\(number(y))")
            svg +=
                "<circle cx=\"\(number(x(index)))\" cy=\"\(number(y))\" r=\"3\" fill=\"\(color)\"><title>\(HTML.escape(labels[index])): \(HTML.escape(format(value)))</title></circle>"
        }
        if points.count > 1 {
            svg += "<polyline class=\"line\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
        }
        return svg + "</svg>"
    }

    /// A horizontal scale under bars: its line, its ends, and what it measures.
    static func horizontalAxis(x: Double, width: Double, y: Double, low: String, high: String, label: String) -> String {
        "<line x1=\"\(number(x))\" y1=\"\(number(y))\" x2=\"\(number(x + width))\" y2=\"\(number(y))\" stroke=\"#999\"/>"
            + "<text x=\"\(number(x))\" y=\"\(number(y + 14))\" class=\"small tick\">\(HTML.escape(low))</text>"
            + "<text x=\"\(number(x + width))\" y=\"\(number(y + 14))\" text-anchor=\"end\" class=\"small tick\">\(HTML.escape(high))</text>"
            + "<text class=\"axis-label\" x=\"\(number(x + width / 2))\" y=\"\(number(y + 32))\" text-anchor=\"middle\">\(HTML.escape(label))</text>"
    }

    /// Deployments on a time axis; failures and rollbacks marked apart from forward ones.
    static func timeline(title: String, start: Date, end: Date, events: [(date: Date, label: String, kind: String)]) -> String {
        let width = 640.0, height = 170.0, left = 20.0, right = 20.0, axis = 90.0
        let span = max(end.timeIntervalSince(start), 1)
        var svg = header(title: title, width: width, height: height)
        svg += legend(
            [("forward", palette[2]), ("rolled back", palette[4]), ("rollback", palette[3]), ("failed", "#e53e3e"), ("other", "#a0aec0")], x: left,
            y: 30)
        svg += "<line x1=\"\(number(left))\" y1=\"\(number(axis))\" x2=\"\(number(width - right))\" y2=\"\(number(axis))\" stroke=\"#999\"/>"
        svg += "<text x=\"\(number(left))\" y=\"\(number(axis + 30))\" class=\"small\">\(HTML.escape(day(start)))</text>"
        svg += "<text x=\"\(number(width - right))\" y=\"\(number(axis + 30))\" text-anchor=\"end\" class=\"small\">\(HTML.escape(day(end)))</text>"
        svg += "<text class=\"axis-label\" x=\"\(number(width / 2))\" y=\"\(number(axis + 50))\" text-anchor=\"middle\">time deployed (UTC)</text>"
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
            let mark =
                event.kind == "failed" || event.kind == "rollback"
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
            svg +=
                "<rect x=\"\(number(offset))\" y=\"\(number(y - 9))\" width=\"10\" height=\"10\" fill=\"\(color)\"/><text x=\"\(number(offset + 14))\" y=\"\(number(y))\" class=\"small\">\(HTML.escape(name))</text>"
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
