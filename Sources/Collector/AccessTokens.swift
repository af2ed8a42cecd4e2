import Foundation
import Synchronization
import Usage

/// What a token lets its holder do: push usage (agents' exporters) or read the dashboard.
public enum TokenRole: String, Sendable, CaseIterable {
    case ingest, viewer
}

/// The tokens file (`serve --tokens FILE`): one token per line, `ROLE NAME sha256:HEX CREATED`,
/// kept as the SHA-256 of the token, never the token itself. Written whole to a temporary file
/// and renamed over the old one, readable by its owner only.
public struct AccessTokens: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var role: TokenRole
        public var name: String
        public var hash: String
        public var created: String
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads `path`; a missing file holds no tokens.
    public static func load(_ path: String) throws -> AccessTokens {
        guard FileManager.default.fileExists(atPath: path) else { return AccessTokens() }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Invalid(description: "cannot read the tokens file \(path): \(error.localizedDescription)")
        }
        var tokens = AccessTokens()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard fields.count >= 3, let role = TokenRole(rawValue: fields[0]), fields[2].hasPrefix("sha256:"), fields[2].count == 71 else {
                throw Invalid(description: "\(path):\(number + 1): expected `ingest|viewer NAME sha256:HEX [CREATED]`")
            }
            tokens.entries.append(
                Entry(role: role, name: fields[1], hash: String(fields[2].dropFirst(7)), created: fields.count > 3 ? fields[3] : ""))
        }
        return tokens
    }

    /// Adds a token named `name`; returns the token, which is shown once and kept nowhere.
    public mutating func add(name: String, role: TokenRole, now: Date = Date()) throws -> String {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.@".contains($0) }) else {
            throw Invalid(description: "token name '\(name)' must be letters, digits, - _ . or @ (no spaces)")
        }
        guard !entries.contains(where: { $0.name == name }) else {
            throw Invalid(description: "a token named '\(name)' exists already; remove it first (`shipmeter serve tokens remove \(name)`)")
        }
        var random = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
        let token = "shipmeter_" + (role == .viewer ? "view_" : "push_") + secret
        entries.append(Entry(role: role, name: name, hash: Self.hash(token), created: Timestamp.iso8601(now)))
        return token
    }

    /// Removes the token named `name`; false when there was none.
    public mutating func remove(name: String) -> Bool {
        let before = entries.count
        entries.removeAll { $0.name == name }
        return entries.count < before
    }

    public func write(to path: String) throws {
        var text = "# shipmeter serve tokens, one per line: role, name, the SHA-256 of the token, created (tokens themselves are not kept)\n"
        for entry in entries { text += "\(entry.role.rawValue) \(entry.name) sha256:\(entry.hash) \(entry.created)\n" }
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Invalid(description: "cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Invalid(description: "cannot replace \(path): \(reason)")
        }
    }

    /// The entry a presented token matches, if any.
    public func entry(for token: String) -> Entry? {
        guard !token.isEmpty else { return nil }
        let hash = Self.hash(token)
        return entries.first { $0.hash == hash }
    }

    static func hash(_ token: String) -> String { SHA256.hex(token) }
}

/// The tokens file as a running server sees it: read again when it changes, so tokens added or
/// removed take effect without a restart.
final class TokenFile: Sendable {
    let path: String
    private let state: Mutex<(tokens: AccessTokens, modified: Date?, checked: Date)>

    init(path: String) throws {
        self.path = path
        let tokens = try AccessTokens.load(path)
        state = Mutex((tokens, Self.modified(path), Date()))
    }

    static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// The current tokens (the file is looked at again at most once a second; a file that
    /// became unreadable keeps the tokens read before).
    var tokens: AccessTokens {
        state.withLock { state in
            let now = Date()
            if now.timeIntervalSince(state.checked) >= 1 {
                state.checked = now
                let modified = Self.modified(path)
                if modified != state.modified, let fresh = try? AccessTokens.load(path) {
                    state.tokens = fresh
                    state.modified = modified
                }
            }
            return state.tokens
        }
    }
}
