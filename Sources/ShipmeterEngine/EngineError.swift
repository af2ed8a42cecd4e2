import Attribution
import Foundation
import GitKit
import Ledger
import Usage

/// Why the engine could not do what it was asked: one case per distinct failure, each with what
/// happened (`message`) and what to do about it (`hint`, naming the command line's flags; the
/// collector shows the message alone).
public enum EngineError: Error, LocalizedError {
    /// The path is not inside a git repository.
    case notARepository(path: String, detail: String)
    /// A revision or range that does not resolve.
    case badRevision(String, detail: String)
    /// A git operation failed.
    case git(GitError)
    /// A file could not be read or written.
    case io(path: String, detail: String)
    /// `.shipmeter.yml` is not a regular file inside the repository.
    case settingsFile(String)
    /// `.shipmeter.yml` says something invalid.
    case settings(String)
    /// A deploy log named in `.shipmeter.yml` leads outside the repository.
    case deployLogOutside(path: String)
    /// The prices file cannot be read (`unreadable`), or is not a price list.
    case prices(path: String, detail: String, unreadable: Bool)
    /// Usage files could not be read (unknown format, unreadable, malformed under `--strict`).
    case usage(UsageError)
    /// A window edge that is not a date.
    case badDate(ReportWindow.Edge, String)
    /// A window whose start is not before its end.
    case emptyWindow(since: Date, until: Date)
    /// `report.by` in `.shipmeter.yml` names no grouping.
    case unknownGrouping(String)
    /// An environment without deployments where one with them is needed.
    case unknownEnvironment(String, known: [String])
    /// A repository the ledger does not hold.
    case unknownRepository(String, known: [String])
    /// A ledger report from a ledger that holds no attributed repository.
    case nothingAttributed(location: String)
    /// A budget projection with no budget set.
    case noBudget
    /// The ledger failed (unreachable, locked, not a ledger…).
    case ledger(LedgerError)
    /// Other runs kept writing the same repository's attribution.
    case busy(String)
    /// No ledger was named and there is no repository to keep one in.
    case noLedger
    /// A command that only reads the ledger was pointed at a file that does not exist.
    case missingLedger(path: String)
    /// A failure of no kind above (a library's own error), by its description.
    case unexpected(String)

    /// `error` as the engine reports it: git's, the ledger's and usage reading's failures by their case.
    static func wrapping(_ error: Error) -> EngineError {
        switch error {
        case let error as EngineError: return error
        case let error as GitError: return .git(error)
        case let error as LedgerError: return .ledger(error)
        case let error as UsageError: return .usage(error)
        default: return .unexpected(error.localizedDescription)
        }
    }

    /// What happened.
    public var message: String {
        switch self {
        case .notARepository(let path, let detail): "\(detail) (given: \(path))"
        case .badRevision(let revision, let detail): "cannot read '\(revision)': \(detail)"
        case .git(let error): error.message
        case .io(let path, let detail): "cannot read \(path): \(detail)"
        case .settings(let detail), .settingsFile(let detail): detail
        case .deployLogOutside(let path): "deploy log \(path) (deployments.logs in .shipmeter.yml) leads outside the repository"
        case .prices(let path, let detail, let unreadable): unreadable ? "cannot read the price file \(path): \(detail)" : "\(path): \(detail)"
        case .usage(let error): error.localizedDescription
        case .badDate(let edge, let text): "\(edge.rawValue) '\(text)' is not a date"
        case .emptyWindow(let since, let until): "since must be before until (got \(Timestamp.iso8601(since)) and \(Timestamp.iso8601(until)))"
        case .unknownGrouping(let value): ".shipmeter.yml report.by '\(value)' is unknown"
        case .unknownEnvironment(let environment, let known):
            "no deployments in environment '\(environment)'. Environments found: \(known.isEmpty ? "none" : known.joined(separator: ", "))."
        case .unknownRepository(let name, let known):
            "--repo \(name) is not in the ledger (it holds: \(known.isEmpty ? "no attributed repositories" : known.joined(separator: ", ")))"
        case .nothingAttributed(let location): "\(location) holds no attributed repository yet"
        case .noBudget: "no budget"
        case .ledger(let error): error.localizedDescription
        case .busy(let message), .unexpected(let message): message
        case .noLedger: "no ledger named, and no repository here to keep one in"
        case .missingLedger(let path): "no ledger at \(path)"
        }
    }

    /// What to do about it; nil when the message says it.
    public var hint: String? {
        switch self {
        case .notARepository: "Run shipmeter inside a git repository or pass --repo <path>."
        case .badRevision: "Check the revision or range (e.g. v1.0..v1.1)."
        case .settingsFile: "shipmeter reads .shipmeter.yml only as a regular file inside the repository."
        case .settings: "Fix the file or remove the setting."
        case .deployLogOutside: "shipmeter reads only deploy logs inside it."
        case .prices(_, _, let unreadable):
            unreadable
                ? "Pass --prices a LiteLLM model_prices_and_context_window.json or a {\"model\": {\"input\": 3, …}} file, or leave it out for the bundled prices."
                : nil
        case .badDate: "Use 30d, 12w, 2026-03-01 or 2026-03-01T09:00:00Z."
        case .unknownGrouping: "Use one of: \(GroupBy.allCases.map(\.rawValue).joined(separator: ", "))."
        case .unknownRepository: "Run `shipmeter attribute` in that repository first."
        case .nothingAttributed:
            "Run `shipmeter attribute` (with the same --ledger) in each repository, or run report inside one."
        case .noBudget: "Pass --annual USD or set budget.annual_usd / teams.<name>.budget_usd in .shipmeter.yml."
        case .noLedger: "Pass --ledger PATH or run inside a git repository (its ledger is <git common dir>/shipmeter/ledger.sqlite)."
        case .missingLedger: "Name an existing one with --ledger, or fill one with `shipmeter ingest` and `shipmeter attribute`."
        case .git, .io, .usage, .emptyWindow, .unknownEnvironment, .ledger, .busy, .unexpected: nil
        }
    }

    /// Whether the request itself is wrong (a bad date, an empty window): exit status 2 on the
    /// command line, 400 from the collector.
    public var isRequestError: Bool {
        switch self {
        case .badDate, .emptyWindow, .unknownRepository, .unknownEnvironment: true
        default: false
        }
    }

    public var errorDescription: String? { hint.map { "\(message). \($0)" } ?? message }
}
