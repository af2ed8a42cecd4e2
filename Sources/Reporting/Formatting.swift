import Foundation

/// Money as people read it.
public enum Money {
    /// `$1,234.57`
    public static func usd(_ amount: Decimal) -> String {
        "$" + grouped(amount, fractionDigits: 2)
    }

    public static func usd(_ amount: Double?) -> String {
        guard let amount, amount.isFinite else { return "—" }
        return usd(Decimal(amount))
    }

    /// `1234.567891` — for machine-readable outputs, six decimals at most.
    public static func plain(_ amount: Decimal) -> String {
        var source = amount
        var rounded = Decimal()
        NSDecimalRound(&rounded, &source, 6, .plain)
        return "\(rounded)"
    }

    static func grouped(_ amount: Decimal, fractionDigits: Int) -> String {
        var source = amount
        var rounded = Decimal()
        NSDecimalRound(&rounded, &source, fractionDigits, .plain)
        let negative = rounded < 0
        let text = "\(negative ? -rounded : rounded)"
        let parts = text.split(separator: ".", maxSplits: 1)
        let whole = Quantity.groupDigits(String(parts[0]))
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        while fraction.count < fractionDigits { fraction += "0" }
        return (negative ? "-" : "") + whole + (fractionDigits > 0 ? "." + fraction : "")
    }
}

/// Counts as people read them.
public enum Quantity {
    /// `12,345,678`
    public static func grouped(_ value: Int64) -> String {
        (value < 0 ? "-" : "") + groupDigits(String(value.magnitude))
    }

    /// `12.3M`, `4.5k`, `999`
    public static func short(_ value: Int64) -> String {
        let magnitude = Double(value.magnitude)
        let sign = value < 0 ? "-" : ""
        switch magnitude {
        case 1e9...: return sign + String(format: "%.1fB", magnitude / 1e9)
        case 1e6...: return sign + String(format: "%.1fM", magnitude / 1e6)
        case 1e3...: return sign + String(format: "%.1fk", magnitude / 1e3)
        default: return sign + String(Int64(magnitude))
        }
    }

    /// A ratio or figure with `digits` decimals, `—` for null.
    public static func figure(_ value: Double?, digits: Int = 2) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%.\(digits)f", value)
    }

    /// A share as a percentage, `—` for null.
    public static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%.0f%%", value * 100)
    }

    static func groupDigits(_ digits: String) -> String {
        var result = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }
}
