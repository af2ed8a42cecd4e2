/// The usage sources shipmeter reads; the raw value is the record's `source`.
public enum UsageFormat: String, CaseIterable, Sendable {
    case claudeCode = "claude-code"
    case codex
    case geminiCLI = "gemini-cli"
    case opencode
    case copilotCLI = "copilot-cli"
    case qwenCode = "qwen-code"
    case crush
    case goose
    case amp
    case cursor
    case otel
    case claudeCodeAnalytics = "claude-code-analytics"
    case anthropicUsage = "anthropic-usage"
    case openaiUsage = "openai-usage"
    case litellm
    case csv
    case jsonl

    /// Sources whose rows hold a session's running totals, overwritten in place: a read sees
    /// one record per session with its totals so far. The ledger stores each ingest's increase
    /// over the totals it saw last (`LedgerStore.ingestGrowth`).
    public var isCumulative: Bool { self == .goose || self == .crush }

    /// The record `source` names of those sources: one set lookup per record, where a record's
    /// format would cost a comparison with every raw value.
    public static let runningTotalSources: Set<String> = Set(allCases.filter(\.isCumulative).map(\.rawValue))
}
