import Foundation
import ShipmeterEngine

/// Errors a user sees: what happened, and what to do about it.
enum ShipmeterError: LocalizedError {
    case invalidInput(String)
    /// A value on the command line that cannot be used (exit status 2, like a parse error).
    case usage(String)

    var errorDescription: String? {
        switch self {
        case .invalidInput(let detail), .usage(let detail): return detail
        }
    }

    /// Whether the command line itself is wrong: argument-parser's errors and `usage`.
    static func isUsage(_ error: Error) -> Bool {
        if case .usage = error as? ShipmeterError { return true }
        return Shipmeter.exitCode(for: error) == .validationFailure
    }

    /// The engine's error with the command line's hint added: which flag or command helps.
    static func presenting(_ error: Error) -> Error {
        guard let error = error as? EngineError else { return error }
        switch error {
        case .notARepository(let path, let detail):
            return invalidInput("\(detail). Run shipmeter inside a git repository or pass --repo <path> (given: \(path)).")
        case .badRevision(let revision, let detail):
            return invalidInput("cannot read '\(revision)': \(detail). Check the revision or range (e.g. v1.0..v1.1).")
        case .noLedger:
            return invalidInput("no ledger: pass --ledger PATH or run inside a git repository (its ledger is <git common dir>/shipmeter/ledger.sqlite)")
        case .missingLedger(let path):
            return invalidInput("no ledger at \(path): name an existing one with --ledger, or fill one with `shipmeter ingest` and `shipmeter attribute`")
        default:
            return error
        }
    }
}
