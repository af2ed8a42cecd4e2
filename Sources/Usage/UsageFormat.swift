/// The usage sources shipmeter reads; the raw value is the record's `source`.
public enum UsageFormat: String, CaseIterable, Sendable {
    case claudeCode = "claude-code"
    case codex
    case otel
    case claudeCodeAnalytics = "claude-code-analytics"
    case anthropicUsage = "anthropic-usage"
    case openaiUsage = "openai-usage"
    case litellm
    case csv
    case jsonl
}
