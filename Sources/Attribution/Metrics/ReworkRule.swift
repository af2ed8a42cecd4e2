import Foundation
import GitKit

/// What makes a deployment rework — unplanned, made to fix production (DORA's rework rate):
/// a rollback; a forward deployment within `windowHours` after a failed or rolled-back deployment
/// of the same environment; one that ships a revert of work an earlier deployment shipped; one
/// that ships a commit matching a hotfix pattern.
public struct ReworkRule: Sendable, Equatable {
    /// Hours after a failed or rolled-back deployment in which the next forward ones are fixes.
    public var windowHours: Double = 24
    /// `Key:` names a trailer (the commit has it); anything else is a word or phrase the subject
    /// holds, in any letter case, not inside a longer word (`hotfix` matches `Hotfix: null check`
    /// and `[HOTFIX] login`, not `hotfixes-doc`). `*` in a phrase matches any run of characters.
    public var hotfixPatterns: [String] = ["hotfix", "Fixes-deploy:"]

    public init(windowHours: Double = 24, hotfixPatterns: [String] = ["hotfix", "Fixes-deploy:"]) {
        self.windowHours = windowHours
        self.hotfixPatterns = hotfixPatterns
    }

    /// Why a deployment is rework, as reports name it.
    public enum Reason: String, Sendable, CaseIterable {
        case rollback
        case afterFailure = "after_failure"
        case revertsShipped = "reverts_shipped"
        case hotfix
    }

    /// Whether a commit with this subject and these trailers is a hotfix.
    public func isHotfix(summary: String, trailers: [Trailer]) -> Bool {
        for pattern in hotfixPatterns where !pattern.isEmpty {
            if pattern.hasSuffix(":") {
                let key = pattern.dropLast().lowercased()
                if trailers.contains(where: { $0.key.lowercased() == key }) { return true }
            } else if Self.containsWord(summary.lowercased(), pattern.lowercased()) {
                return true
            }
        }
        return false
    }

    /// Whether `phrase` occurs in `text` with no letter or digit right before or after it.
    static func containsWord(_ text: String, _ phrase: String) -> Bool {
        let text = Array(text.utf8)
        let parts = phrase.split(separator: "*", omittingEmptySubsequences: false).map { Array($0.utf8) }
        guard let first = parts.first else { return false }
        func isWordByte(_ byte: UInt8) -> Bool { byte >= 0x80 || (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7a) || byte == 0x5f }
        func find(_ needle: [UInt8], from: Int) -> Int? {
            guard !needle.isEmpty else { return from }
            var index = from
            while index + needle.count <= text.count {
                if text[index] == needle[0], text[index..<(index + needle.count)].elementsEqual(needle) { return index }
                index += 1
            }
            return nil
        }
        var start = 0
        while let at = find(first, from: start) {
            start = at + 1
            if at > 0, let head = first.first, isWordByte(head), isWordByte(text[at - 1]) { continue }
            var end = at + first.count
            var matched = true
            for part in parts.dropFirst() {
                guard let next = find(part, from: end) else {
                    matched = false
                    break
                }
                end = next + part.count
            }
            guard matched else { return false }
            if end < text.count, let tail = parts.last?.last, isWordByte(tail), isWordByte(text[end]) { continue }
            return true
        }
        return false
    }
}
