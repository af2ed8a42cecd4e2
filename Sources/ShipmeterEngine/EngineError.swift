import Foundation
import GitKit
import Ledger

/// Why the engine could not do what it was asked. Messages are the library's; the command line
/// adds which flag or command to use.
public enum EngineError: Error, LocalizedError {
    /// The path is not inside a git repository.
    case notARepository(path: String, detail: String)
    /// A revision or range that does not resolve.
    case badRevision(String, detail: String)
    /// A git operation failed.
    case git(GitError)
    /// A file could not be read or written.
    case io(path: String, detail: String)
    /// `.shipmeter.yml`, a prices file or another input says something the engine cannot use.
    case invalidInput(String)
    /// The ledger failed (unreachable, locked, not a ledger…).
    case ledger(LedgerError)
    /// Other runs kept writing the same repository's attribution.
    case busy(String)
    /// No ledger was named and there is no repository to keep one in.
    case noLedger
    /// A command that only reads the ledger was pointed at a file that does not exist.
    case missingLedger(path: String)

    /// `error` as the engine reports it: git's and the ledger's failures by their case.
    static func wrapping(_ error: Error) -> EngineError {
        switch error {
        case let error as EngineError: return error
        case let error as GitError: return .git(error)
        case let error as LedgerError: return .ledger(error)
        default: return .invalidInput(error.localizedDescription)
        }
    }

    public var errorDescription: String? {
        switch self {
        case .notARepository(let path, let detail):
            return "\(detail) (given: \(path))"
        case .badRevision(let revision, let detail):
            return "cannot read '\(revision)': \(detail)"
        case .git(let error):
            return error.message
        case .io(let path, let detail):
            return "cannot read \(path): \(detail)"
        case .invalidInput(let message), .busy(let message):
            return message
        case .ledger(let error):
            return error.localizedDescription
        case .noLedger:
            return "no ledger named, and no repository here to keep one in"
        case .missingLedger(let path):
            return "no ledger at \(path)"
        }
    }
}
