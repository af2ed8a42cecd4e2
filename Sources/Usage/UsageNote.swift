/// What reading usage files and folders had to say besides records: input left out (the
/// command's result is then partial), a folder reached twice, or a file that is not usage.
public enum UsageNote: Sendable, Hashable, CustomStringConvertible {
    /// A file or folder that could not be read (permissions, an I/O error, gone since listed).
    case unreadable(path: String, reason: String)
    /// A symlink whose target does not exist.
    case brokenLink(path: String)
    /// A FIFO, socket or device with a usage file's name: never opened.
    case notRegularFile(path: String)
    /// A name that is not UTF-8 (shown with replacement characters).
    case undecodableName(path: String)
    /// A folder reached a second time through a symlink: read once.
    case readOnce(folder: String)
    /// A file in a folder that is in no usage format.
    case notUsage(path: String)

    /// Whether input was left out: the result is partial (exit status 3).
    public var leftOut: Bool {
        switch self {
        case .unreadable, .brokenLink, .notRegularFile, .undecodableName: true
        case .readOnce, .notUsage: false
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot be read (\(reason)); skipped"
        case .brokenLink(let path): "\(path): a broken symlink; skipped"
        case .notRegularFile(let path): "\(path): not a regular file (a FIFO, socket or device); skipped"
        case .undecodableName(let path): "\(path): the file name is not UTF-8; skipped (rename it to read it)"
        case .readOnce(let folder): "\(folder): a symlink to a folder already read (a loop, or a second way in); not read twice"
        case .notUsage(let path): "\(path): not a usage format, ignored"
        }
    }
}
