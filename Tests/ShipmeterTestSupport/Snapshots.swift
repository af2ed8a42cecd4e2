import Attribution
import Foundation
import GitKit

extension ScratchRepository {
    /// An annotated deploy tag at `revision`, with its tagger time and status.
    public func deploy(_ environment: String = "production", at revision: String = "HEAD", time: Int64, status: String = "success") {
        tag("deploy/\(environment)/\(time)", at: revision, message: "status: \(status)", time: time)
    }

    public func snapshot(_ yaml: String = "") throws -> RepositorySnapshot {
        let (configuration, _) = try Configuration.parse(yaml)
        return try RepositorySnapshot.load(try Repository(discovering: path), configuration: configuration)
    }
}
