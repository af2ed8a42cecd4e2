import Attribution

/// How a commit's change measure is kept in the `commits` table.
extension ChangeMeasure {
    /// From the `effective_lines`, `fingerprint`, `inverse_fingerprint` and `templates` columns;
    /// nil when the commit's lines were never worked out (or are unknown).
    init?(_ effective: SQLValue, _ fingerprint: SQLValue, _ inverse: SQLValue, _ templates: SQLValue) {
        guard let lines = effective.real, let forward = fingerprint.integer, let backward = inverse.integer else { return nil }
        // `key:tokens,key:tokens`
        let parsed = (templates.text ?? "").split(separator: ",").compactMap { item -> Template? in
            let parts = item.split(separator: ":")
            guard parts.count == 2, let key = Int64(parts[0]), let tokens = Int(parts[1]) else { return nil }
            return Template(key: key, tokens: tokens)
        }
        self.init(effectiveLines: lines, fingerprint: forward, inverseFingerprint: backward, templates: parsed)
    }

    /// The values of those columns.
    var columnValues: [SQLValue] {
        [.real(effectiveLines), .integer(fingerprint), .integer(inverseFingerprint),
         .text(templates.map { "\($0.key):\($0.tokens)" }.joined(separator: ","))]
    }
}
