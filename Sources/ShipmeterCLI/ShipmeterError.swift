import Foundation
import ShipmeterEngine

/// Errors a user sees: what happened, and what to do about it.
enum ShipmeterError: LocalizedError {
    case invalidInput(String)

    var errorDescription: String? {
        switch self {
        case .invalidInput(let detail): return detail
        }
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
