import AttributionModel

/// How a commit's change measure is kept in the `commits` table.
extension ChangeMeasure {
    /// From the `effective_lines`, `fingerprint`, `inverse_fingerprint` and `templates` columns,
    /// and `lines`: the `added_lines`, `copied_lines`, `moved_lines` and `templated_lines`
    /// columns; nil when the commit's lines were never worked out (or are unknown).
    init?(_ effective: SQLValue, _ fingerprint: SQLValue, _ inverse: SQLValue, _ templates: SQLValue, lines: [SQLValue]) {
        guard let effectiveLines = effective.real, let forward = fingerprint.integer, let backward = inverse.integer else { return nil }
        // `key:tokens,key:tokens`
        let parsed = (templates.text ?? "").split(separator: ",").compactMap { item -> Template? in
            let parts = item.split(separator: ":")
            guard parts.count == 2, let key = Int64(parts[0]), let tokens = Int(parts[1]) else { return nil }
            return Template(key: key, tokens: tokens)
        }
        let counts = lines.map { Int($0.integer ?? 0) } + [0, 0, 0, 0]
        self.init(
            effectiveLines: effectiveLines, fingerprint: forward, inverseFingerprint: backward, templates: parsed,
            addedLines: counts[0], copiedLines: counts[1], movedLines: counts[2], templatedLines: counts[3])
    }

    /// The values of those columns, in that order.
    var columnValues: [SQLValue] {
        [
            .real(effectiveLines), .integer(fingerprint), .integer(inverseFingerprint),
            .text(templates.map { "\($0.key):\($0.tokens)" }.joined(separator: ",")),
            .integer(Int64(addedLines)), .integer(Int64(copiedLines)), .integer(Int64(movedLines)), .integer(Int64(templatedLines)),
        ]
    }

    /// The same columns for a commit whose lines are unknown.
    static let nullColumns = [SQLValue](repeating: .null, count: 8)
}
