import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
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
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
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
