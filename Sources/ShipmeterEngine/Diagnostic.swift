import Usage

/// Something a user should know that does not stop the work: a skipped file, an unreadable
/// deploy log, a model without a price. The engine returns these; the command line prints them
/// and decides its exit status by their cases (`isPartial`), never by their text.
public enum Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Level: String, Sendable {
        case note, warning
    }

    /// Reading usage files and folders: input left out, or a file ignored.
    case usage(UsageNote)
    /// Lines of usage files that are no record: `count` of them, the first with its place and reason.
    case malformedLines(count: Int, first: String)
    /// Models without a price: their cost is left out of the figures.
    case unpriced(models: [String])
    /// Commits whose line counts are unknown (their blobs are not present): the figures are partial.
    case unknownLines(commits: Int, partialClone: Bool, fetchingMissing: Bool)
    /// The environment asked for has no deployments (`inLedger`: in the ledger's stored ones).
    case unknownEnvironment(String, found: [String], inLedger: Bool)
    /// Anything else worth a line (settings, history, deploy logs, tags): what it says.
    case note(String)
    case warning(String)

    /// Whether input the command was asked to read was left out, or figures could not be
    /// computed: it finishes, and says its result is partial (exit status 3).
    public var isPartial: Bool {
        switch self {
        case .usage(let note): note.leftOut
        case .unknownLines: true
        case .malformedLines, .unpriced, .unknownEnvironment, .note, .warning: false
        }
    }

    public var level: Level {
        switch self {
        case .usage, .note: .note
        case .malformedLines, .unpriced, .unknownLines, .unknownEnvironment, .warning: .warning
        }
    }

    public var message: String {
        switch self {
        case .usage(let note): note.description
        case .malformedLines(let count, let first): UsageBatch.malformedSummary(count: count, first: first)
        case .unpriced(let models):
            "no price for \(models.joined(separator: ", ")): their cost is left out (add them under prices: in .shipmeter.yml or pass --prices)"
        case .unknownLines(let commits, let partialClone, let fetchingMissing):
            "line counts unknown for \(commits) commit\(commits == 1 ? "" : "s"): blobs not present (partial clone?)"
                + (partialClone ? (fetchingMissing ? "" : "; pass --fetch-missing to let git fetch them") : "; they count no lines")
        case .unknownEnvironment(let environment, let found, let inLedger):
            "no deployments in environment '\(environment)'\(inLedger ? " in the ledger" : "") (found: \(found.isEmpty ? "none" : found.joined(separator: ", ")))"
        case .note(let text), .warning(let text): text
        }
    }

    /// `warning: …` / `note: …`, as printed on standard error.
    public var description: String { "\(level.rawValue): \(message)" }

    /// The malformed-lines warning of a read; nil when every line was a record or not usage.
    static func malformed(in batch: UsageBatch) -> Diagnostic? {
        guard let first = batch.malformed.first else { return nil }
        return .malformedLines(count: batch.malformedCount, first: "\(first.location): \(first.reason)")
    }
}
