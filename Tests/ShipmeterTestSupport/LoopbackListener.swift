import Foundation

/// A Python script listening on loopback for a test, started with `arguments`; its first line on
/// standard output is the port it listens on (`print(port, flush=True)`). Starting returns once
/// that line is read (nil when the script ends without one): no clock involved.
public struct LoopbackListener {
    public let process: Process
    public let port: String?

    public init(script: String, arguments: [String] = []) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // it ended first
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).split(separator: "\n").first.map(String.init)
        port = text.flatMap { $0.allSatisfy(\.isNumber) && !$0.isEmpty ? $0 : nil }
    }
}
