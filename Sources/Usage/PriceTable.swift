import Foundation

/// Prices of one model, in USD per million tokens.
public struct ModelPrice: Hashable, Sendable {
    public var input: Decimal
    public var output: Decimal
    /// Writing to the prompt cache (Anthropic's 5-minute rate); nil means the input price.
    public var cacheWrite: Decimal?
    /// Reading from the prompt cache; nil means the input price.
    public var cacheRead: Decimal?
    /// Writing to the 1-hour cache; nil means twice the input price (Anthropic's rule).
    public var cacheWrite1h: Decimal?

    public init(input: Decimal, output: Decimal, cacheWrite: Decimal?, cacheRead: Decimal?, cacheWrite1h: Decimal? = nil) {
        self.input = input
        self.output = output
        self.cacheWrite = cacheWrite
        self.cacheRead = cacheRead
        self.cacheWrite1h = cacheWrite1h
    }
}

/// A model's prices as whole micro-dollars per million tokens.
struct ScaledPrice: Sendable {
    var input: Int64, output: Int64, cacheWrite: Int64, cacheWrite1h: Int64, cacheRead: Int64

    init?(_ price: ModelPrice) {
        func scaled(_ value: Decimal) -> Int64? {
            var source = value
            var result = Decimal()
            _ = NSDecimalMultiplyByPowerOf10(&result, &source, 6, .plain)
            var rounded = Decimal()
            NSDecimalRound(&rounded, &result, 0, .plain)
            guard rounded == result else { return nil }
            return Int64(exactly: NSDecimalNumber(decimal: rounded).int64Value).flatMap { Decimal($0) == rounded ? $0 : nil }
        }
        guard let input = scaled(price.input), let output = scaled(price.output),
            let cacheWrite = scaled(price.cacheWrite ?? price.input), let cacheWrite1h = scaled(price.cacheWrite1h ?? price.input * 2),
            let cacheRead = scaled(price.cacheRead ?? price.input)
        else { return nil }
        (self.input, self.output, self.cacheWrite, self.cacheWrite1h, self.cacheRead) = (input, output, cacheWrite, cacheWrite1h, cacheRead)
    }
}

extension ModelPrice {
    /// The same prices per token instead of per million: the decimal point moves six places,
    /// exactly, so pricing a record needs no division.
    var perToken: ModelPrice {
        func scale(_ value: Decimal) -> Decimal {
            var source = value
            var result = Decimal()
            _ = NSDecimalMultiplyByPowerOf10(&result, &source, -6, .plain)
            return result
        }
        return ModelPrice(
            input: scale(input), output: scale(output), cacheWrite: cacheWrite.map(scale),
            cacheRead: cacheRead.map(scale), cacheWrite1h: cacheWrite1h.map(scale))
    }
}

/// Model prices, bundled and overridable, looked up by a model name as a source spells it.
public struct PriceTable: Sendable {
    /// When the bundled prices were taken from the providers' public price lists.
    public static let bundledDate = "2025-11-01"

    public private(set) var prices: [String: ModelPrice]

    public init(prices: [String: ModelPrice]) {
        self.prices = Dictionary(uniqueKeysWithValues: prices.map { (Self.normalise($0.key), $0.value) })
    }

    private static func p(_ input: Decimal, _ output: Decimal, write: Decimal?, read: Decimal?) -> ModelPrice {
        ModelPrice(input: input, output: output, cacheWrite: write, cacheRead: read)
    }

    /// Public list prices (USD per million tokens, standard tier, prompts up to 200k tokens).
    public static let bundled = PriceTable(prices: [
        // Anthropic: cache write 1.25× input (5 minutes), cache read 0.1× input.
        "claude-opus-4-5": p(5, 25, write: 6.25, read: 0.5),
        "claude-opus-4-1": p(15, 75, write: 18.75, read: 1.5),
        "claude-opus-4": p(15, 75, write: 18.75, read: 1.5),
        "claude-sonnet-4-5": p(3, 15, write: 3.75, read: 0.3),
        "claude-sonnet-4": p(3, 15, write: 3.75, read: 0.3),
        "claude-haiku-4-5": p(1, 5, write: 1.25, read: 0.1),
        "claude-3-7-sonnet": p(3, 15, write: 3.75, read: 0.3),
        "claude-3-5-sonnet": p(3, 15, write: 3.75, read: 0.3),
        "claude-3-5-haiku": p(0.8, 4, write: 1, read: 0.08),
        "claude-3-opus": p(15, 75, write: 18.75, read: 1.5),
        "claude-3-haiku": p(0.25, 1.25, write: 0.3, read: 0.03),
        // OpenAI: cached input at the listed cached rate; no separate cache write.
        "gpt-5.1": p(1.25, 10, write: nil, read: 0.125),
        "gpt-5.1-codex": p(1.25, 10, write: nil, read: 0.125),
        "gpt-5.1-codex-mini": p(0.25, 2, write: nil, read: 0.025),
        "gpt-5": p(1.25, 10, write: nil, read: 0.125),
        "gpt-5-codex": p(1.25, 10, write: nil, read: 0.125),
        "gpt-5-mini": p(0.25, 2, write: nil, read: 0.025),
        "gpt-5-nano": p(0.05, 0.4, write: nil, read: 0.005),
        "gpt-4.1": p(2, 8, write: nil, read: 0.5),
        "gpt-4.1-mini": p(0.4, 1.6, write: nil, read: 0.1),
        "gpt-4.1-nano": p(0.1, 0.4, write: nil, read: 0.025),
        "gpt-4o": p(2.5, 10, write: nil, read: 1.25),
        "gpt-4o-mini": p(0.15, 0.6, write: nil, read: 0.075),
        "o3": p(2, 8, write: nil, read: 0.5),
        "o3-mini": p(1.1, 4.4, write: nil, read: 0.55),
        "o4-mini": p(1.1, 4.4, write: nil, read: 0.275),
        "o1": p(15, 60, write: nil, read: 7.5),
        "codex-mini-latest": p(1.5, 6, write: nil, read: 0.375),
        // Google: context caching read rate; prompts up to 200k tokens.
        "gemini-3-pro-preview": p(2, 12, write: nil, read: 0.2),
        "gemini-2.5-pro": p(1.25, 10, write: nil, read: 0.125),
        "gemini-2.5-flash": p(0.3, 2.5, write: nil, read: 0.03),
        "gemini-2.5-flash-lite": p(0.1, 0.4, write: nil, read: 0.01),
        "gemini-2.0-flash": p(0.1, 0.4, write: nil, read: 0.025),
    ])

    /// Later entries win.
    public func merging(_ overrides: [String: ModelPrice]) -> PriceTable {
        var merged = prices
        for (model, price) in overrides { merged[Self.normalise(model)] = price }
        return PriceTable(prices: merged)
    }

    /// The price of `model`: exact name first, then the longest known name that it starts with
    /// at a `-` boundary (so `claude-sonnet-4-5-20250929` finds `claude-sonnet-4-5`).
    public func price(for model: String) -> ModelPrice? {
        let name = Self.normalise(model)
        if let exact = prices[name] { return exact }
        var best: (String, ModelPrice)?
        for (known, price) in prices where name.hasPrefix(known) {
            let rest = name.dropFirst(known.count)
            guard rest.first == "-" || rest.first == "@" || rest.first == ":" else { continue }
            if best.map({ known.count > $0.0.count }) ?? true { best = (known, price) }
        }
        return best?.1
    }

    /// Cost in USD, nil when the model is unknown.
    public func cost(of record: UsageRecord) -> Decimal? {
        price(for: record.model).map { Self.cost(of: record, at: $0) }
    }

    /// Cost in USD of `record` at `price`.
    public static func cost(of record: UsageRecord, at price: ModelPrice) -> Decimal {
        cost(of: record, perToken: price.perToken)
    }

    /// Cost with whole-number arithmetic: prices as micro-dollars per million tokens, so the sum
    /// is in 10⁻¹² dollars and exact; nil when a price has more than six decimals.
    static func cost(of record: UsageRecord, scaled price: ScaledPrice) -> Decimal {
        var total: Int128 = 0
        total += Int128(record.input) * Int128(price.input)
        total += Int128(record.output) * Int128(price.output)
        total += Int128(record.cacheWrite - record.cacheWrite1h) * Int128(price.cacheWrite)
        total += Int128(record.cacheWrite1h) * Int128(price.cacheWrite1h)
        total += Int128(record.cacheRead) * Int128(price.cacheRead)
        guard let significand = UInt64(exactly: total) else {
            return Decimal(string: String(total)).map { $0 / Decimal(sign: .plus, exponent: 12, significand: 1) } ?? 0
        }
        return Decimal(sign: .plus, exponent: -12, significand: Decimal(significand))
    }

    /// Cost from per-token prices (see `ModelPrice.perToken`): a few exact multiplications.
    static func cost(of record: UsageRecord, perToken price: ModelPrice) -> Decimal {
        var total = Decimal()
        func add(_ count: Int64, _ rate: Decimal) {
            if count != 0 { total += Decimal(count) * rate }
        }
        add(record.input, price.input)
        add(record.output, price.output)
        add(record.cacheWrite - record.cacheWrite1h, price.cacheWrite ?? price.input)
        add(record.cacheWrite1h, price.cacheWrite1h ?? price.input * 2)
        add(record.cacheRead, price.cacheRead ?? price.input)
        return total
    }

    /// Lower case, without provider prefixes (`anthropic/`, `us.anthropic.`, `openai/`) or
    /// Bedrock/Vertex version suffixes (`-v1:0`, `@20250929`).
    public static func normalise(_ model: String) -> String {
        var name = model.lowercased().trimmingCharacters(in: .whitespaces)
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        for prefix in ["us.anthropic.", "eu.anthropic.", "apac.anthropic.", "global.anthropic.", "anthropic.", "models/"] where name.hasPrefix(prefix)
        {
            name = String(name.dropFirst(prefix.count))
        }
        if let at = name.firstIndex(of: "@") { name = String(name[..<at]) }
        if let range = name.range(of: "-v1:0") ?? name.range(of: "-v2:0") { name = String(name[..<range.lowerBound]) }
        return name
    }

    /// Reads a price file: LiteLLM's `model_prices_and_context_window.json` (USD per token) or
    /// shipmeter's own `{"model": {"input": …, "output": …, "cache_write": …, "cache_read": …}}`
    /// (USD per million tokens).
    public static func load(json data: Data) throws -> [String: ModelPrice] {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw UsageError.invalidPriceFile("expected a JSON object of models")
        }
        var result = [String: ModelPrice]()
        let million = Decimal(1_000_000)
        func decimal(_ value: Any?) -> Decimal? {
            switch value {
            case let number as NSNumber: return Decimal(string: number.stringValue)
            case let text as String: return Decimal(string: text)
            default: return nil
            }
        }
        for (model, value) in object {
            guard let fields = value as? [String: Any] else { continue }
            if let input = decimal(fields["input_cost_per_token"]), let output = decimal(fields["output_cost_per_token"]) {
                result[model] = ModelPrice(
                    input: input * million, output: output * million,
                    cacheWrite: decimal(fields["cache_creation_input_token_cost"]).map { $0 * million },
                    cacheRead: decimal(fields["cache_read_input_token_cost"]).map { $0 * million },
                    cacheWrite1h: decimal(fields["cache_creation_input_token_cost_above_1hr"]).map { $0 * million })
            } else if let input = decimal(fields["input"]), let output = decimal(fields["output"]) {
                result[model] = ModelPrice(
                    input: input, output: output,
                    cacheWrite: decimal(fields["cache_write"]), cacheRead: decimal(fields["cache_read"]))
            }
        }
        guard !result.isEmpty else { throw UsageError.invalidPriceFile("no model with input and output prices found") }
        return result
    }
}
