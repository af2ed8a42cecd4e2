import Foundation

/// Errors a user sees: what happened, and what to do about it.
enum ShipmeterError: LocalizedError {
    case notARepository(path: String, detail: String)
    case badRevision(String, detail: String)
    case git(String)
    case invalidInput(String)

    var errorDescription: String? {
        switch self {
        case .notARepository(let path, let detail):
            return "\(detail). Run shipmeter inside a git repository or pass --repo <path> (given: \(path))."
        case .badRevision(let revision, let detail):
            return "cannot read '\(revision)': \(detail). Check the revision or range (e.g. v1.0..v1.1)."
        case .git(let detail):
            return detail
        case .invalidInput(let detail):
            return detail
        }
    }
}
