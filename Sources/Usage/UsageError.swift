import Foundation

public enum UsageError: Error, LocalizedError, Sendable {
    case unknownFormat(file: String)
    case unreadable(file: String, reason: String)
    case invalidPriceFile(String)
    case strict(MalformedLine, count: Int)

    public var errorDescription: String? {
        switch self {
        case .unknownFormat(let file):
            return
                "\(file): not a usage format shipmeter understands. Understood: \(UsageFormat.allCases.map(\.rawValue).joined(separator: ", ")). Convert other sources to the canonical JSONL or CSV (see README), or pass --source."
        case .unreadable(let file, let reason):
            return "cannot read \(file): \(reason)"
                + (reason == "no such file or folder" ? "; check the path (usage files or folders, e.g. ~/.claude/projects)" : "")
        case .invalidPriceFile(let reason):
            return
                "invalid price file: \(reason). Use LiteLLM's model_prices_and_context_window.json or {\"model\": {\"input\": 3, \"output\": 15}} per million tokens."
        case .strict(let first, let count):
            return "\(count) malformed line\(count == 1 ? "" : "s"); first: \(first.location): \(first.reason) (--strict)"
        }
    }
}

/// A line that could not be read; counted and reported, never fatal unless `--strict`.
public struct MalformedLine: Hashable, Sendable {
    public var file: String
    public var line: Int
    public var reason: String

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var location: String { "\(file):\(line)" }
}
