import Attribution
import Foundation
import GitKit

/// The repository's `.shipmeter.yml`, read once per command, with its warnings printed.
struct Settings {
    var configuration: Configuration
    var root: String?
    /// The file's text, as read (nil when there is none).
    var text: String? = nil

    static func load(for repo: Repository) throws -> Settings {
        guard let root = repo.workDirectory else { return Settings(configuration: Configuration(), root: nil) }
        let path = root + "/.shipmeter.yml"
        guard FileManager.default.fileExists(atPath: path) else { return Settings(configuration: Configuration(), root: root) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ShipmeterError.invalidInput("cannot read \(path): \(error.localizedDescription)")
        }
        do {
            let (configuration, warnings) = try Configuration.parse(text, file: path)
            for warning in warnings { Output.diagnostic("warning: \(warning)") }
            return Settings(configuration: configuration, root: root, text: text)
        } catch {
            throw ShipmeterError.invalidInput("\(error.message). Fix the file or remove the setting.")
        }
    }
}
