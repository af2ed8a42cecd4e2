import Foundation
import ShipmeterEngine

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

    /// The engine's notes and warnings, one line each.
    static func diagnostics(_ items: [Diagnostic]) {
        for item in items { diagnostic(item.description) }
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
