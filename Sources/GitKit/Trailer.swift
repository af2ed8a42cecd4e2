import CGit2

/// One `Key: value` line from the trailer block at the end of a commit message.
public struct Trailer: Hashable, Sendable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Parses the trailers of `message` with libgit2's rules (the same as `git interpret-trailers`).
    public static func parse(message: String) -> [Trailer] {
        Library.ensureInitialised()  // callable before any repository is opened
        var array = git_message_trailer_array()
        guard git_message_trailers(&array, message) == 0 else { return [] }
        defer { git_message_trailer_array_free(&array) }
        var trailers = [Trailer]()
        trailers.reserveCapacity(array.count)
        for index in 0..<array.count {
            let entry = array.trailers[index]
            guard let key = entry.key, let value = entry.value else { continue }
            trailers.append(Trailer(key: String(decodingCString: key), value: String(decodingCString: value)))
        }
        return trailers
    }
}

extension Array where Element == Trailer {
    /// Values of every trailer whose key matches `key` in any letter case.
    public func values(for key: String) -> [String] {
        let wanted = key.lowercased()
        return filter { $0.key.lowercased() == wanted }.map(\.value)
    }
}
