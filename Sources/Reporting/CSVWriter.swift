/// RFC 4180 CSV with spreadsheet-formula neutralisation: a cell from a repository or usage file
/// that begins with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'` so no
/// spreadsheet runs it.
public struct CSVWriter {
    public private(set) var text = ""

    public init(header: [String]) {
        append(header, numeric: [])
    }

    /// `numeric` marks columns holding numbers this program computed; only those may start with `-`.
    public mutating func append(_ row: [String], numeric: Set<Int> = []) {
        text += row.enumerated().map { index, cell in
            Self.escape(numeric.contains(index) ? cell : Self.neutralise(cell))
        }.joined(separator: ",")
        text += "\r\n"
    }

    static func neutralise(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first else { return cell }
        return ["=", "+", "-", "@", "\t", "\r"].contains(first) ? "'" + cell : cell
    }

    static func escape(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
