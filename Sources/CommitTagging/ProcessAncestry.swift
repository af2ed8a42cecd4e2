#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
import Foundation
#endif

/// Process ancestry: parent, grandparent, … up to init.
public enum ProcessAncestry {
    public static func current() -> [Int32] {
        var result = [Int32]()
        var pid = getppid()
        var guardCount = 0
        while pid > 1, guardCount < 64 {
            result.append(pid)
            guard let parent = parent(of: pid) else { break }
            pid = parent
            guardCount += 1
        }
        return result
    }

    static func parent(of pid: Int32) -> Int32? {
        #if os(Linux)
        // `pid (name) state ppid …`: the parent is the second field after the name's last `)`.
        // Plain read(2): this runs in every commit's hook, where Foundation's file reading costs.
        let descriptor = open("/proc/\(pid)/stat", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0, let close = buffer[..<count].lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = buffer[(close + 1)..<count].split(separator: UInt8(ascii: " "))
        return fields.count > 1 ? Int32(String(decoding: fields[1], as: UTF8.self)) : nil
        #else
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/ps")
        process.arguments = ["-o", "ppid=", "-p", "\(pid)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        #endif
    }
}
