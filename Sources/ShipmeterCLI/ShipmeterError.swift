import Foundation
import ShipmeterEngine
import Usage

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

    /// The engine's error as the command line says it: a window the command line gave wrong is a
    /// usage error (exit status 2), named by its option; the rest carry the engine's hint.
    static func presenting(_ error: Error) -> Error {
        guard let error = error as? EngineError else { return error }
        switch error {
        case .badDate(let edge, let text):
            return usage("--\(edge.rawValue) '\(text)' is not a date. \(error.hint ?? "")")
        case .emptyWindow(let since, let until):
            return usage("--since must be before --until (got \(Timestamp.iso8601(since)) and \(Timestamp.iso8601(until))).")
        default:
            return invalidInput(error.errorDescription ?? error.message)
        }
    }
}
