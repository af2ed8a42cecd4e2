import Foundation

/// RFC 4180 CSV, streamed: quoted fields may hold commas, doubled quotes and newlines.
struct CSVRecords {
    let path: String

    /// Calls `body` with the header and each row as a dictionary, and the row's first line.
    func forEachRow(_ body: (_ row: [String: String], _ line: Int) -> Void, malformed: (MalformedLine) -> Void) throws {
        var header: [String]?
        var fields = [String]()
        var field = [UInt8]()
        var inQuotes = false
        var rowStart = 0
        try LineScanner(path: path).forEachLine { number, line, truncated in
            if !inQuotes {
                rowStart = number
                if line.isBlank { return }
            }
            var index = 0
            var bytes = Array(line)
            if bytes.last == 0x0D { bytes.removeLast() }
            while index < bytes.count {
                let byte = bytes[index]
                if inQuotes {
                    if byte == 0x22 {
                        if index + 1 < bytes.count, bytes[index + 1] == 0x22 {
                            field.append(0x22)
                            index += 1
                        } else {
                            inQuotes = false
                        }
                    } else {
                        field.append(byte)
                    }
                } else if byte == 0x22, field.isEmpty {
                    inQuotes = true
                } else if byte == 0x2C {
                    fields.append(String(decoding: field, as: UTF8.self))
                    field.removeAll(keepingCapacity: true)
                } else {
                    field.append(byte)
                }
                index += 1
            }
            if inQuotes {
                if truncated {
                    malformed(MalformedLine(file: path, line: rowStart, reason: "unterminated quoted field"))
                    inQuotes = false
                    fields = []
                    field = []
                    return
                }
                field.append(0x0A)
                return
            }
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            defer { fields.removeAll(keepingCapacity: true) }
            guard let names = header else {
                header = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                return
            }
            guard fields.count == names.count else {
                malformed(MalformedLine(file: path, line: rowStart, reason: "\(fields.count) fields, header has \(names.count)"))
                return
            }
            var row = [String: String]()
            for (name, value) in zip(names, fields) where !value.isEmpty { row[name] = value }
            body(row, rowStart)
        }
    }

    /// Reads every row into `batch` through `record`; rows it rejects are reported, not fatal.
    func read(into batch: inout UsageBatch, record: (JSONFields) throws(FieldError) -> UsageRecord) throws {
        var rejected = [MalformedLine]()
        var records = [UsageRecord]()
        try forEachRow(
            { row, line in
                do {
                    records.append(try record(JSONFields(row)))
                } catch {
                    rejected.append(MalformedLine(file: path, line: line, reason: error.reason))
                }
            }, malformed: { rejected.append($0) })
        for item in records { batch.add(item) }
        for line in rejected { batch.reject(line) }
    }

    /// The header row's column names, lowercased.
    static func header(of head: [UInt8]) -> [String] {
        let firstLine = head.split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        return String(decoding: firstLine, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: ",")
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")).lowercased() }
    }
}
