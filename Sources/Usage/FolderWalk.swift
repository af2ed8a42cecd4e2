import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files under a folder, walked with the system's directory calls so that nothing in a usage
/// folder can stop or crash a run: a symlink loop is walked once, a FIFO, socket or device is
/// never opened, a broken symlink, an unreadable folder or a name that is not UTF-8 is skipped
/// with a note saying so. Files come back sorted, so runs are reproducible.
struct FolderWalk {
    var files: [String] = []
    var notes: [UsageNote] = []

    /// Files whose name ends in one of `suffixes` (compared lowercased).
    init(_ root: String, suffixes: [String]) {
        var visited = Set<FolderID>()
        walk(root, suffixes: suffixes, visited: &visited)
        files.sort()
    }

    private struct FolderID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    private mutating func walk(_ folder: String, suffixes: [String], visited: inout Set<FolderID>) {
        var status = stat()
        guard stat(folder, &status) == 0 else { return }
        // A folder reached twice (a symlink back up the tree) is walked once.
        guard visited.insert(FolderID(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))).inserted else {
            notes.append(.readOnce(folder: folder))
            return
        }
        guard let directory = opendir(folder) else {
            notes.append(.unreadable(path: folder, reason: String(cString: strerror(errno))))
            return
        }
        defer { closedir(directory) }
        var names = [[UInt8]]()
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            names.append(name)
        }
        for bytes in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            guard let name = String(validating: bytes, as: UTF8.self) else {
                let shown = String(decoding: bytes, as: UTF8.self)
                notes.append(.undecodableName(path: "\(folder)/\(shown)"))
                continue
            }
            let path = folder + "/" + name
            guard stat(path, &status) == 0 else {
                var link = stat()
                if lstat(path, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK {
                    notes.append(.brokenLink(path: path))
                } else if errno != ENOENT {  // vanished since listed: nothing to say
                    notes.append(.unreadable(path: path, reason: String(cString: strerror(errno))))
                }
                continue
            }
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                walk(path, suffixes: suffixes, visited: &visited)
            case S_IFREG:
                let lower = name.lowercased()
                if suffixes.contains(where: lower.hasSuffix) { files.append(path) }
            default:
                let lower = name.lowercased()
                if suffixes.contains(where: lower.hasSuffix) {
                    notes.append(.notRegularFile(path: path))
                }
            }
        }
    }

    /// Whether `path` is a regular file (after symlinks); FIFOs and devices are never opened.
    static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }
}
