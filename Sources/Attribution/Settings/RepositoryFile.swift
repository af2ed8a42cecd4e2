import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file a cloned repository names for shipmeter to read (`.shipmeter.yml`, its deploy logs,
/// `.mailmap`, `.agent-trace/traces.jsonl`). The repository is untrusted input: such a file is read only when it is a regular
/// file inside the work tree after every symlink is followed, never through `..` or an absolute
/// path, never a FIFO or device (which would block or never end), and never past `limit` bytes.
public enum RepositoryFile {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case outside(String)
        case notRegular(String)
        case tooLarge(String, limit: Int)
        case unreadable(String, reason: String)

        public var description: String {
            switch self {
            case .outside(let path): return "\(path) is outside the repository; files named by the repository must be inside it"
            case .notRegular(let path): return "\(path) is not a regular file"
            case .tooLarge(let path, let limit): return "\(path) is over \(limit >> 20) MB"
            case .unreadable(let path, let reason): return "\(path) cannot be read: \(reason)"
            }
        }
    }

    /// The text of `relative` under `root`; nil when there is no such file.
    public static func contents(_ relative: String, in root: String, limit: Int) throws(Refusal) -> String? {
        let full = root + "/" + relative
        guard Configuration.staysInside(relative) else { throw .outside(relative) }
        var status = stat()
        guard lstat(full, &status) == 0 else {
            if errno == ENOENT { return nil }
            throw .unreadable(full, reason: String(cString: strerror(errno)))
        }
        guard let resolvedRoot = realpath(root, nil) else { throw .unreadable(root, reason: String(cString: strerror(errno))) }
        defer { free(resolvedRoot) }
        guard let resolved = realpath(full, nil) else {
            // A dangling symlink or a loop: nothing to read.
            if errno == ENOENT { return nil }
            throw .unreadable(full, reason: String(cString: strerror(errno)))
        }
        defer { free(resolved) }
        let rootPath = String(cString: resolvedRoot), filePath = String(cString: resolved)
        guard filePath.hasPrefix(rootPath.hasSuffix("/") ? rootPath : rootPath + "/") else { throw .outside(relative) }
        // Non-blocking open: opening a FIFO for reading would otherwise wait for a writer.
        let fd = open(filePath, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(full, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard fstat(fd, &status) == 0 else { throw .unreadable(full, reason: String(cString: strerror(errno))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .notRegular(relative) }
        guard Int(status.st_size) <= limit else { throw .tooLarge(relative, limit: limit) }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0, errno == EINTR || errno == EAGAIN { continue }
            guard count >= 0 else { throw .unreadable(full, reason: String(cString: strerror(errno))) }
            if count == 0 { break }  // shrank while being read
            filled += count
        }
        return String(decoding: bytes[0..<filled], as: UTF8.self)
    }
}
