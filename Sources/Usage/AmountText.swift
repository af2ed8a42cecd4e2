import Foundation

/// Money amounts as ledgers store them: exact decimal text, written without `Decimal`'s own
/// (slow) description for the amounts usage records carry.
public enum AmountText {
    public static func text(_ amount: Decimal) -> String {
        let exponent = amount.exponent
        let significand = amount.significand.magnitude
        guard exponent >= -40, exponent <= 20, significand < Decimal(UInt64.max) else { return "\(amount)" }
        let mantissa = NSDecimalNumber(decimal: significand).uint64Value
        var digits = String(mantissa)
        let sign = amount.sign == .minus && mantissa != 0 ? "-" : ""
        if exponent >= 0 { return sign + digits + String(repeating: "0", count: exponent) }
        let fraction = -exponent
        if digits.count <= fraction { digits = String(repeating: "0", count: fraction - digits.count + 1) + digits }
        let point = digits.index(digits.endIndex, offsetBy: -fraction)
        return sign + digits[..<point] + "." + digits[point...]
    }
}
