import Foundation
import ShipmeterEngine
import Synchronization

/// Writes results to standard output and diagnostics to standard error.
enum Output {
    static func write(_ text: String) {
        var text = text
        if !text.hasSuffix("\n") { text += "\n" }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func diagnostic(_ text: String) {
        // On a terminal, a diagnostic replaces any progress line rather than running into it.
        let clear = isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[2K" : ""
        FileHandle.standardError.write(Data((clear + (text.hasSuffix("\n") ? text : text + "\n")).utf8))
    }

    /// The engine's notes and warnings, one line each; one that left input out makes the
    /// command's exit status 3 (partial).
    static func diagnostics(_ items: [Diagnostic]) {
        for item in items {
            diagnostic(item.description)
            if item.isPartial { ExitStatus.markPartial() }
        }
    }

    /// Writes to `path` atomically (a temporary file renamed into place), or to stdout when nil.
    static func emit(_ text: String, to path: String?) throws {
        guard let path else { return write(text) }
        let url = URL(fileURLWithPath: path)
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw ShipmeterError.invalidInput("cannot write \(path): \(error.localizedDescription)")
        }
    }
}

enum Terminal {
    /// Colour only on a terminal, and never with `NO_COLOR` set.
    static var wantsColor: Bool {
        guard ProcessInfo.processInfo.environment["NO_COLOR"].map({ $0.isEmpty }) ?? true else { return false }
        return isatty(STDOUT_FILENO) == 1
    }
}

/// The exit statuses (README, "Exit status"): 0 done; 1 failed, nothing written; 2 the command
/// line is wrong; 3 done, but input it was asked to read was left out (named on standard error).
enum ExitStatus {
    static let usage: Int32 = 2
    static let partial: Int32 = 3

    private static let partialResult = Mutex(false)

    /// The command finishes, but its result leaves out input (unreadable usage files, commits
    /// whose lines are unknown).
    static func markPartial() {
        partialResult.withLock { $0 = true }
    }

    static var isPartial: Bool {
        partialResult.withLock { $0 }
    }
}
