/// A plain aligned text table for terminals.
public struct TextTable {
    public var header: [String]
    public var rows: [[String]]
    /// Columns aligned right (numbers).
    public var rightAligned: Set<Int>

    public init(header: [String], rows: [[String]], rightAligned: Set<Int> = []) {
        self.header = header
        self.rows = rows
        self.rightAligned = rightAligned
    }

    public func render() -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], Self.clean(cell).count)
            }
        }
        func line(_ row: [String]) -> String {
            var cells = [String]()
            for (index, width) in widths.enumerated() {
                let cell = index < row.count ? Self.clean(row[index]) : ""
                let pad = String(repeating: " ", count: max(0, width - cell.count))
                cells.append(rightAligned.contains(index) ? pad + cell : cell + pad)
            }
            var text = cells.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        var lines = [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        lines.append(contentsOf: rows.map(line))
        return lines.joined(separator: "\n")
    }

    /// Control characters from repository text never reach the terminal.
    static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? " " : $0 }))
    }
}
