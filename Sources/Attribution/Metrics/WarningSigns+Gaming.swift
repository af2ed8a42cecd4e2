import Foundation
import Usage

/// The warnings that name work cut, padded or churned to look like more: splitting deployments or
/// commits, low-information lines, changes shipped with their reverts.
extension WarningSigns {
    /// A group whose deployments are far smaller than its peers' and far more frequent: work cut
    /// into many deployments (each earns only its share of a unit, so the split earns nothing).
    func deploymentSplitting(_ report: Report) -> [Warning] {
        // Work that counts nothing (churn, lock files) has warnings of its own.
        var sizes = [String: [Double]]()
        for deployment in work.deployments {
            for (group, size) in deployment.byGroup where size > 0 { sizes[group, default: []].append(size) }
        }
        var warnings = [Warning]()
        for (group, own) in sizes.sorted(by: { $0.key < $1.key }) where own.count >= Self.splittingMinimum {
            let peers = sizes.filter { $0.key != group }
            let peerSizes = peers.values.flatMap { $0 }
            guard peerSizes.count >= 3 else { continue }
            let ownMedian = Self.median(own), peerMedian = Self.median(peerSizes)
            let peerCount = Self.median(peers.values.map { Double($0.count) })
            guard ownMedian * 4 <= peerMedian, Double(own.count) >= 2 * peerCount else { continue }
            warnings.append(
                Warning(
                    kind: "deployment_splitting", group: group,
                    message:
                        "\(group) shipped in \(own.count) deployments of \(Self.figure(ownMedian)) effective lines at the median, against \(Self.figure(peerMedian)) in other groups' deployments (\(Self.figure(peerCount)) each): work split into many small deployments earns no more than shipping it once.",
                    figures: [
                        ("deployments", Double(own.count)), ("median_effective_lines", ownMedian),
                        ("peer_median_effective_lines", peerMedian), ("peer_deployments", peerCount),
                    ]))
        }
        return warnings
    }

    /// A group whose commits are far smaller than its peers' and far more numerous, or mostly
    /// trivial where its peers' are not.
    func commitSplitting(_ report: Report) -> [Warning] {
        let sizes = work.commitSizes.mapValues { $0.filter { $0 > 0 } }
        func trivialShare(_ values: [Double]) -> Double {
            values.isEmpty ? 0 : Double(values.filter { $0 < Self.trivialEffectiveLines }.count) / Double(values.count)
        }
        var warnings = [Warning]()
        for (group, own) in sizes.sorted(by: { $0.key < $1.key }) where own.count >= 2 * Self.splittingMinimum {
            let peers = sizes.filter { $0.key != group }
            let peerSizes = peers.values.flatMap { $0 }
            guard peerSizes.count >= Self.splittingMinimum else { continue }
            let ownMedian = Self.median(own), peerMedian = Self.median(peerSizes)
            let peerCount = Self.median(peers.values.map { Double($0.count) })
            let smaller = ownMedian * 4 <= peerMedian && Double(own.count) >= 2 * peerCount
            let ownTrivial = trivialShare(own), peerTrivial = trivialShare(peerSizes)
            let trivial = ownTrivial >= 0.4 && ownTrivial >= 2 * peerTrivial && Double(own.count) * ownTrivial >= Double(Self.splittingMinimum)
            guard smaller || trivial else { continue }
            warnings.append(
                Warning(
                    kind: "commit_splitting", group: group,
                    message:
                        "\(group) shipped \(own.count) commits of \(Self.figure(ownMedian)) effective lines at the median (\(Int((ownTrivial * 100).rounded()))% under \(Self.figure(Self.trivialEffectiveLines))), against \(Self.figure(peerMedian)) for other groups' commits (\(Int((peerTrivial * 100).rounded()))% under): more, smaller commits earn nothing more.",
                    figures: [
                        ("commits", Double(own.count)), ("median_effective_lines", ownMedian), ("trivial_share", ownTrivial),
                        ("peer_median_effective_lines", peerMedian), ("peer_trivial_share", peerTrivial), ("peer_commits", peerCount),
                    ]))
        }
        return warnings
    }

    /// A group whose shipped lines are mostly low-information: generated, vendored, lock files,
    /// repeated or templated lines.
    func padding(_ report: Report) -> [Warning] {
        report.groups.compactMap { group in
            guard group.changedLines >= Self.paddingMinimumLines, group.effectiveLines < 0.25 * Double(group.changedLines) else { return nil }
            let share = group.effectiveLines / Double(group.changedLines)
            return Warning(
                kind: "padding", group: group.key,
                message:
                    "\(group.key) shipped \(group.changedLines) changed lines worth \(Self.figure(group.effectiveLines)) effective lines (\(Int((share * 100).rounded()))%): most of them are generated, vendored, lock-file, moved, re-indented, repeated or templated lines, which count nothing.",
                figures: [("changed_lines", Double(group.changedLines)), ("effective_lines", group.effectiveLines), ("share", share)])
        }
    }

    /// A group that shipped changes and their reverts: churn that counts nothing.
    func revertChurn(_ report: Report) -> [Warning] {
        var pairs = [String: Int]()
        for pair in work.churn.pairs {
            guard let group = work.commitGroups[pair.revert] ?? work.commitGroups[pair.reverted] else { continue }
            pairs[group, default: 0] += 1
        }
        return pairs.sorted { $0.key < $1.key }.compactMap { group, count in
            guard count >= 2 else { return nil }
            return Warning(
                kind: "revert_churn", group: group,
                message:
                    "\(group) shipped \(count) reverts of shipped changes: a reverted change and its revert both count 0, and a change applied again counts once.",
                figures: [("reverts", Double(count))])
        }
    }
}
