import Foundation

/// Files that hold JSON documents either one per line (JSONL, as exporters and `curl` loops
/// append them) or as one pretty-printed document.
enum JSONDocuments {
    /// Calls `body` with each top-level JSON value and where it came from.
    static func forEach(_ path: String, batch: inout UsageBatch, _ body: (Any, _ origin: String, _ line: Int, inout UsageBatch) -> Void) throws {
        try forEach(path, batch: &batch, line: { _, _, _ in false }, body)
    }

    /// The same, offering each line to `line` first: a reader that reads a line's bytes directly
    /// returns true, and that line is not decoded into a value (a pretty-printed document, never
    /// offered, always is).
    static func forEach(
        _ path: String, batch: inout UsageBatch, line read: (UnsafeBufferPointer<UInt8>, _ origin: String, inout UsageBatch) -> Bool,
        _ body: (Any, _ origin: String, _ line: Int, inout UsageBatch) -> Void
    ) throws {
        var document = [UInt8]()
        var sawJSONLine = false
        try LineScanner(path: path).forEachLine { number, line, truncated in
            if line.isBlank { return }
            if document.isEmpty, read(line, "\(path):\(number)", &batch) {
                sawJSONLine = true
            } else if document.isEmpty, let value = decodeAny(line) {
                sawJSONLine = true
                body(value, "\(path):\(number)", number, &batch)
            } else if !sawJSONLine {
                // Part of a pretty-printed document: decoded once at the end.
                document.append(contentsOf: line)
                document.append(0x0A)
                if document.count > 512 << 20 {
                    throw UsageError.unreadable(file: path, reason: "a single JSON document over 512 MB; export it as JSON lines")
                }
            } else {
                batch.reject(MalformedLine(file: path, line: number, reason: truncated ? "truncated line" : "not valid JSON"))
            }
        }
        guard !document.isEmpty else { return }
        guard let value = document.withUnsafeBufferPointer(decodeAny) else {
            batch.reject(MalformedLine(file: path, line: 1, reason: "not a valid JSON document"))
            return
        }
        body(value, path, 1, &batch)
    }

    static func decodeAny(_ bytes: UnsafeBufferPointer<UInt8>) -> Any? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
        guard let value = try? JSONSerialization.jsonObject(with: data) else { return nil }
        return value is [Any] || value is [String: Any] ? value : nil
    }

    /// The items of an API page (`{"data": [...]}`), of a bare array, or the object itself.
    static func items(_ value: Any) -> [JSONFields] {
        if let array = value as? [Any] { return array.compactMap(JSONFields.init) }
        guard let object = JSONFields(value) else { return [] }
        if let data = object.array("data") { return data.compactMap(JSONFields.init) }
        return [object]
    }
}
