import Attribution
import CommitTagging
import Foundation
import GitKit
import OTLPWire
import Usage

/// Every parser of untrusted input, each as a function of raw bytes. A target must never crash,
/// hang or grow memory without bound, whatever the bytes; it may reject them.
enum FuzzTargets {
    static let names: [String] =
        UsageFormat.allCases.map { "usage-\($0.rawValue)" } + [
            "usage-detect", "prices", "settings", "codeowners", "mailmap", "deploy-log", "tag-message", "trailers", "ai-signals",
            "git-ai-note", "agent-trace", "otlp-wire", "hook-json",
        ]

    /// Runs `data` through the target called `name` (one of `names`).
    static func run(_ name: String, _ data: Data) {
        if name.hasPrefix("usage-") {
            readUsage(data, format: UsageFormat(rawValue: String(name.dropFirst(6))))
            return
        }
        switch name {
        case "prices":
            _ = try? PriceTable.load(json: data)
        case "settings":
            _ = try? Configuration.parse(text(data))
        case "codeowners":
            let owners = CodeOwners(text: text(data))
            for path in ["README.md", "src/app/main.swift", "docs/a b/c.md", ".github/x", "a/b/c/d/e/f/g.txt"] { _ = owners.owners(of: path) }
        case "mailmap":
            guard let mailmap = try? Mailmap(text: text(data)) else { return }
            _ = mailmap.resolve(name: "A U Thor", email: "author@example.com")
            _ = mailmap.resolve(name: "", email: "")
        case "deploy-log":
            _ = DeploymentSources.parseLog(text(data), name: "deploys.jsonl")
        case "tag-message":
            _ = DeploymentSources.status(fromTagMessage: text(data))
        case "trailers":
            let (trailers, embedded) = Trailer.read(message: text(data))
            for trailer in trailers + embedded { _ = SessionReference.parse(trailer.value) }
        case "ai-signals":
            let message = text(data)
            let when = GitTime(seconds: 1_767_225_600)
            let commit = Commit(
                id: zeroID, parents: [], author: Signature(name: "A", email: "a@example.com", time: when),
                committer: Signature(name: "A", email: "a@example.com", time: when), message: message, tree: zeroID)
            let (trailers, embedded) = Trailer.read(message: message)
            _ = detector.signals(for: commit, summary: commit.summary, trailers: trailers, embedded: embedded)
        case "git-ai-note":
            _ = GitAINote(text: text(data)).aiLineCount
        case "agent-trace":
            withFile(data, named: "trace.jsonl") { path in _ = AgentTrace(paths: [path]).malformed }
        case "otlp-wire":
            // What `shipmeter serve` decodes from a request body: protobuf, and JSON when it looks like JSON.
            let bytes = [UInt8](data)
            let json = data.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{")
            for signal in OTLPSignal.allCases {
                _ = try? OTLPExportRequest.decode(bytes, signal: signal, encoding: json ? .json : .protobuf)
            }
        case "hook-json":
            // The commit hook's JSON parser must accept what JSONSerialization, which it replaced,
            // accepts, and read the same members.
            let ours = TranscriptJSON.parse(data)
            let theirs = try? JSONSerialization.jsonObject(with: data)
            precondition((ours == nil) == (theirs == nil), "the hook's JSON parser and JSONSerialization disagree on whether this is JSON")
            if let object = theirs as? [String: Any] {
                for (key, value) in object {
                    precondition(ours?[key] != nil, "the hook's JSON parser lost the member \(key)")
                    if let text = value as? String { precondition(ours?[key]?.string == text, "the hook's JSON parser read \(key) differently") }
                }
            }
        default:
            preconditionFailure("no fuzz target \(name)")
        }
    }

    static let zeroID = try! ObjectID(hex: String(repeating: "0", count: 40))
    static let detector = AISignalDetector(extraTrailerKeys: ["X-Agent"], extraCoAuthors: ["bot@example.com"])

    /// Bytes as git and the settings readers see them: invalid UTF-8 is repaired, not refused.
    static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    /// Usage readers read files: the bytes are written to one, named as the format's files are
    /// (a SQLite header makes it a `.db`, JSON an agent's `.jsonl` or `.json`, anything else CSV).
    static func readUsage(_ data: Data, format: UsageFormat?) {
        let name: String
        if data.starts(with: Array("SQLite format 3\0".utf8)) {
            name = "store.db"
        } else if let first = data.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        {
            name =
                [.geminiCLI, .opencode, .amp, .anthropicUsage, .openaiUsage, .claudeCodeAnalytics, .cursor].contains(format)
                ? "session.json" : "session.jsonl"
        } else {
            name = "usage.csv"
        }
        withFile(data, named: name) { path in _ = try? UsageLoader(format: format).load([path]) }
    }

    /// A scratch folder per process, in memory when the machine has `/dev/shm`.
    static let folder: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = base + "/shipmeter-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FuzzTargets.folder) }
        return path
    }()

    static func withFile(_ data: Data, named name: String, _ body: (String) -> Void) {
        let path = folder + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: data)
        body(path)
        unlink(path)
    }
}
