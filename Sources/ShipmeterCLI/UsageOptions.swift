import ArgumentParser
import Foundation
import ShipmeterEngine
import Usage

/// `--source`: `auto` (detect each file's format from its content) or one format.
enum SourceOption: ExpressibleByArgument, Equatable {
    case auto
    case format(UsageFormat)

    init?(argument: String) {
        if argument == "auto" {
            self = .auto
        } else if let format = UsageFormat(rawValue: argument) {
            self = .format(format)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { ["auto"] + UsageFormat.allCases.map(\.rawValue) }
    var defaultValueDescription: String { "auto" }
}

/// How usage files are read: shared by `usage`, `report`, `attribute`, `budget` and `ingest`.
struct UsageOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("Format of the usage files: auto, \(UsageFormat.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "format"))
    var source: SourceOption = .auto

    @Flag(help: "Fail on the first malformed line instead of skipping it.")
    var strict = false

    @Option(
        help: ArgumentHelp(
            "Model prices: LiteLLM's model_prices_and_context_window.json, or {\"model\": {\"input\": 3, \"output\": 15, \"cache_write\": 3.75, \"cache_read\": 0.3}} in USD per million tokens.",
            valueName: "file"))
    var prices: String?

    var reading: UsageReading {
        if case .format(let format) = source { return UsageReading(format: format, strict: strict, pricesFile: prices) }
        return UsageReading(format: nil, strict: strict, pricesFile: prices)
    }
}
