import Foundation

/// Warnings that name who ships lines that add no information — copies, re-layouts, same-shape
/// runs — and whose yield leaves out work no usage record covers.
extension WarningSigns {
    /// Lines of a kind below which a group is not warned about (a handful is ordinary).
    static let lowInformationMinimum = 30
    /// Share of a group's added lines from which it is.
    static let lowInformationShare = 0.2
    /// Coverage under this fraction of the other groups' median is far below theirs.
    static let coveragePeerFraction = 0.6

    func lowInformation(_ report: Report) -> [Warning] {
        var warnings = [Warning]()
        for group in report.groups where group.addedLines > 0 {
            let added = Double(group.addedLines)
            func share(_ lines: Int) -> Double { Double(lines) / added }
            if group.copiedLines >= Self.lowInformationMinimum, share(group.copiedLines) >= Self.lowInformationShare {
                warnings.append(
                    Warning(
                        kind: "copied_code", group: group.key,
                        message:
                            "\(Int((share(group.copiedLines) * 100).rounded()))% of the lines \(group.key) shipped (\(group.copiedLines) of \(group.addedLines)) were blocks of code the repository already held: a copy adds nothing to what shipped.",
                        figures: [("copied_lines", Double(group.copiedLines)), ("added_lines", added), ("share", share(group.copiedLines))]))
            }
            if group.relaidLines >= Self.lowInformationMinimum, share(group.relaidLines) >= Self.lowInformationShare {
                warnings.append(
                    Warning(
                        kind: "reformatting", group: group.key,
                        message:
                            "\(group.key) shipped \(group.relaidLines) lines (\(Int((share(group.relaidLines) * 100).rounded()))% of its added lines) that only moved or re-laid out code already there, \(group.layoutOnlyCommits) commits of nothing else: layout changes add nothing.",
                        figures: [
                            ("relaid_lines", Double(group.relaidLines)), ("added_lines", added), ("share", share(group.relaidLines)),
                            ("layout_only_commits", Double(group.layoutOnlyCommits)),
                        ]))
            }
            if group.templatedLines >= Self.lowInformationMinimum, share(group.templatedLines) >= Self.lowInformationShare {
                warnings.append(
                    Warning(
                        kind: "templated_lines", group: group.key,
                        message:
                            "\(Int((share(group.templatedLines) * 100).rounded()))% of the lines \(group.key) shipped (\(group.templatedLines) of \(group.addedLines)) were runs of one shape (tables, mappings, enums): a run earns about what ten lines do, once per person.",
                        figures: [("templated_lines", Double(group.templatedLines)), ("added_lines", added), ("share", share(group.templatedLines))]))
            }
        }
        return warnings
    }

    /// Groups whose shipped work recorded usage covers far less than the others' (or less than
    /// the floor): their yield counts only the covered part, so the rest is unexplained spend
    /// or usage kept off the record.
    func lowUsageCoverage(_ report: Report) -> [Warning] {
        guard report.totals.hasUsage else { return [] }  // nothing recorded at all: nothing to compare
        let shipped = report.groups.filter { $0.effectiveLines >= Self.trivialEffectiveLines * 5 }
        var warnings = [Warning]()
        for group in shipped {
            guard let coverage = group.usageCoverage else { continue }
            let peers = shipped.filter { $0.key != group.key }.compactMap(\.usageCoverage)
            let peerMedian = peers.isEmpty ? nil : Self.median(peers)
            let belowFloor = coverage < builder.worth.coverageFloor
            let belowPeers = peerMedian.map { coverage < Self.coveragePeerFraction * $0 } ?? false
            guard belowFloor || belowPeers else { continue }
            var figures = [
                ("usage_coverage", coverage), ("effective_lines", group.effectiveLines),
                ("covered_effective_lines", group.coveredEffectiveLines), ("floor", builder.worth.coverageFloor),
            ]
            if let peerMedian { figures.append(("peer_usage_coverage", peerMedian)) }
            warnings.append(
                Warning(
                    kind: "low_usage_coverage", group: group.key,
                    message:
                        "Recorded usage covers \(Int((coverage * 100).rounded()))% of what \(group.key) shipped\(peerMedian.map { ", against \(Int(($0 * 100).rounded()))% for other groups" } ?? ""): commits that name no session with records and join no usage record count for normalised deployments but not for the yield, so usage kept off the record does not raise it.",
                    figures: figures))
        }
        return warnings
    }
}
