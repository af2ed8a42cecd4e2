import Foundation
import Synchronization

/// A temporary folder, removed when the value is released.
public final class ScratchDirectory: @unchecked Sendable {
    // @unchecked: `path` is immutable after init; nothing else is stored.
    public let path: String

    public init(_ label: String = "shipmeter") {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.resolvingSymlinksInPath().path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    public func file(_ relative: String) -> String { path + "/" + relative }

    public func write(_ relative: String, _ text: String) {
        write(relative, Data(text.utf8))
    }

    public func write(_ relative: String, _ data: Data) {
        let url = URL(fileURLWithPath: file(relative))
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: url)
        // `SHIPMETER_FUZZ_SEEDS=DIR swift test` keeps every fixture the tests write, as seeds
        // for the fuzz corpora (scripts/fuzz seeds).
        if let seeds = ProcessInfo.processInfo.environment["SHIPMETER_FUZZ_SEEDS"], data.count <= 16 << 10 {
            let name = "\(StableName.of(data))-" + url.lastPathComponent
            try? FileManager.default.createDirectory(atPath: seeds, withIntermediateDirectories: true)
            try? data.write(to: URL(fileURLWithPath: seeds + "/" + name))
        }
    }
}

/// A short name from content (FNV-1a), so the same fixture is kept once.
enum StableName {
    static func of(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }
}

/// The result of running a program.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program and waits for it, capturing both streams.
@discardableResult
public func run(
    _ executable: String, _ arguments: [String], in directory: String? = nil,
    environment: [String: String] = [:], input: String? = nil
) -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe(), err = Pipe(), inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inPipe
    do { try process.run() } catch {
        return ProcessResult(status: -1, stdout: "", stderr: "\(error)")
    }
    if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try? inPipe.fileHandleForWriting.close()
    // Read both pipes concurrently so a full stderr pipe cannot stall the child.
    let errData = LockedData()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errData.set(err.fileHandleForReading.readDataToEndOfFile())
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus,
        stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData.get(), as: UTF8.self))
}

final class LockedData: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) {
        lock.lock()
        data = value
        lock.unlock()
    }
    func get() -> Data {
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}

/// A fresh git repository in a temporary folder, driven through the git CLI, with a fixed
/// identity and clock so histories are reproducible.
public final class ScratchRepository: @unchecked Sendable {
    // @unchecked: the clock is advanced only by the test that owns the repository.
    public let directory: ScratchDirectory
    public var path: String { directory.path }
    /// The next commit's time (seconds since the epoch); each commit advances it by a minute.
    public var clock: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z

    public init(bare: Bool = false, initialBranch: String = "main") {
        directory = ScratchDirectory("repo")
        git(["init", "-q", "-b", initialBranch] + (bare ? ["--bare"] : []))
        git(["config", "user.name", "Test Author"])
        git(["config", "user.email", "author@example.test"])
        git(["config", "commit.gpgsign", "false"])
        git(["config", "tag.gpgsign", "false"])
    }

    public static var baseEnvironment: [String: String] {
        ["GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"]
    }

    /// Runs git in the repository; fails loudly (via the returned status) rather than throwing.
    @discardableResult
    public func git(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) -> ProcessResult {
        var env = Self.baseEnvironment
        for (key, value) in environment { env[key] = value }
        let result = run("git", arguments, in: path, environment: env, input: input)
        if result.status != 0 {
            FileHandle.standardError.write(Data("git \(arguments.joined(separator: " ")) failed: \(result.stderr)\n".utf8))
        }
        return result
    }

    /// git's standard output, trimmed.
    public func output(_ arguments: [String]) -> String {
        git(arguments).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func write(_ relative: String, _ text: String) { directory.write(relative, text) }

    /// Writes files and commits them; returns the new commit's id.
    @discardableResult
    public func commit(
        _ message: String, files: [String: String] = [:], author: (name: String, email: String)? = nil,
        time: Int64? = nil, offset: String = "+0000", allowEmpty: Bool = true
    ) -> String {
        for (file, text) in files { write(file, text) }
        if !files.isEmpty { git(["add", "-A"]) }
        let when = time ?? clock
        clock = max(clock, when) + 60
        var env = ["GIT_AUTHOR_DATE": "\(when) \(offset)", "GIT_COMMITTER_DATE": "\(when) \(offset)"]
        if let author {
            env["GIT_AUTHOR_NAME"] = author.name
            env["GIT_AUTHOR_EMAIL"] = author.email
        }
        git(["commit", "-q", "--no-verify"] + (allowEmpty ? ["--allow-empty"] : []) + ["-F", "-"], environment: env, input: message)
        return output(["rev-parse", "HEAD"])
    }

    /// Merges `branch` into the current branch with a merge commit.
    @discardableResult
    public func merge(_ branch: String, message: String? = nil, time: Int64? = nil) -> String {
        let when = time ?? clock
        clock = max(clock, when) + 60
        let env = ["GIT_AUTHOR_DATE": "\(when) +0000", "GIT_COMMITTER_DATE": "\(when) +0000"]
        git(["merge", "-q", "--no-ff", "--no-edit", "-m", message ?? "Merge \(branch)", branch], environment: env)
        return output(["rev-parse", "HEAD"])
    }

    /// An annotated tag with a fixed tagger date.
    public func tag(_ name: String, at revision: String = "HEAD", message: String? = nil, time: Int64? = nil) {
        if let message {
            let when = time ?? clock
            git(["tag", "-a", name, revision, "-m", message], environment: ["GIT_COMMITTER_DATE": "\(when) +0000"])
        } else {
            git(["tag", name, revision])
        }
    }

    public func head() -> String { output(["rev-parse", "HEAD"]) }
}

/// The built `shipmeter` binary, run as a user would.
public enum ShipmeterBinary {
    /// `.build/debug/shipmeter` next to this package (or `SHIPMETER_BINARY`).
    public static var path: String {
        if let configured = ProcessInfo.processInfo.environment["SHIPMETER_BINARY"] { return configured }
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        }
        for candidate in [".build/debug/shipmeter", ".build/x86_64-unknown-linux-gnu/debug/shipmeter", ".build/arm64-apple-macosx/debug/shipmeter"] {
            let path = url.appendingPathComponent(candidate).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return url.appendingPathComponent(".build/debug/shipmeter").path
    }

    @discardableResult
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) -> ProcessResult {
        var env = ScratchRepository.baseEnvironment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        return ShipmeterTestSupport.run(path, arguments, in: directory, environment: env)
    }
}

extension ScratchRepository {
    /// A repository with a baseline deployment (2026-01-01) and then one commit by Ann naming
    /// the Claude Code `session`, deployed.
    public static func withDeployedSession(_ session: String) -> ScratchRepository {
        let scratch = ScratchRepository()
        scratch.commit("root", files: ["a": "1\n"], time: 1_767_225_600)
        scratch.tag("deploy/production/1", message: "status: success", time: 1_767_225_700)
        scratch.commit("feature\n\nAI-Session: claude-code/\(session)", files: ["b": "1\n"], author: ("Ann", "ann@acme.test"), time: 1_767_230_000)
        scratch.tag("deploy/production/2", message: "status: success", time: 1_767_240_000)
        return scratch
    }
}

/// Results of processes run from several threads at once, collected in the order they finish.
public final class ProcessResults: Sendable {
    private let results = Mutex<[ProcessResult]>([])

    public init() {}

    public func append(_ result: ProcessResult) { results.withLock { $0.append(result) } }

    public var all: [ProcessResult] { results.withLock { $0 } }
}
