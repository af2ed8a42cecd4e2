import Attribution
import GitKit

/// A repository as deployment classification asks it, through libgit2's own walks: for
/// deployments added to a ledger, without reading the whole history into a graph.
struct RepositoryShipping: ShippingHistory {
    let repository: Repository

    func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws -> Bool {
        try repository.isAncestor(ancestor, of: descendant)
    }

    func ship(_ commit: ObjectID, after earlier: [ObjectID]) throws -> [ObjectID] {
        let walk = try RevisionWalk(repository)
        try walk.push(commit)
        for id in earlier { try walk.hide(id) }
        return try walk.all()
    }
}
