#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files, the environment and the user's folders through libc: the hook runs on every commit,
/// and Foundation's file manager, file handles and process information cost more to set up than
/// the reading itself.
enum LocalFile {
    /// Up to `limit` bytes from `offset`; nil when the file cannot be opened. Opened without
    /// blocking: a FIFO where a file was expected reads as empty instead of stalling a commit.
    static func read(_ path: String, from offset: Int = 0, limit: Int = 1 << 30) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var result = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: max(1, min(limit, 64 << 10)))
        var position = offset
        while result.count < limit {
            let wanted = min(buffer.count, limit - result.count)
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, off_t(position)) }
            if count < 0 {
                if errno == EINTR { continue }
                return result.isEmpty ? nil : result
            }
            if count == 0 { break }
            result.append(contentsOf: buffer[..<count])
            position += count
        }
        return result
    }

    /// The last `count` bytes of a regular file, and the offset where they start.
    static func tail(_ path: String, count: Int) -> (bytes: [UInt8], start: Int)? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int(info.st_size)
        let start = max(0, size - count)
        guard let bytes = read(path, from: start, limit: size - start) else { return nil }
        return (bytes, start)
    }

    /// Replaces the file's contents with `bytes`; the reason when it cannot.
    static func replace(_ path: String, with bytes: [UInt8]) -> String? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(descriptor)
                return reason
            }
            written += count
        }
        return close(descriptor) == 0 ? nil : String(cString: strerror(errno))
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isFolder(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Text of a small file, or nil.
    static func text(_ path: String, limit: Int = 1 << 20) -> String? {
        read(path, limit: limit).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// The process's own environment and folders.
public enum ProcessEnvironment {
    /// `environ` as a dictionary (the first of a repeated name wins, as getenv's).
    public static func current() -> [String: String] {
        var result = [String: String](minimumCapacity: 64)
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) {
                let name = String(text[..<equals])
                if result[name] == nil { result[name] = String(text[text.index(after: equals)...]) }
            }
            entry += 1
        }
        return result
    }

    /// The working directory (getcwd); "." when it cannot be named.
    public static func currentDirectory() -> String {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let named = buffer.withUnsafeMutableBufferPointer {
            getcwd(UnsafeMutableRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), $0.count) != nil
        }
        guard named else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The user's home folder from the user database, for when HOME is unset.
    static func homeFromUserDatabase() -> String {
        guard let entry = getpwuid(getuid()), let folder = entry.pointee.pw_dir else { return "/" }
        return String(cString: folder)
    }
}

extension String {
    /// Without leading and trailing white space (newlines too when `newlines`), as Foundation's
    /// `trimmingCharacters(in: .whitespaces)` / `.whitespacesAndNewlines`.
    func trimmingWhitespace(newlines: Bool = false) -> String {
        func trimmed(_ character: Character) -> Bool { character.isWhitespace && (newlines || !character.isNewline) }
        guard let first = firstIndex(where: { !trimmed($0) }), let last = lastIndex(where: { !trimmed($0) }) else { return "" }
        return String(self[first...last])
    }
}
