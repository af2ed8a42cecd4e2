import Foundation
import Testing

/// Suites that read the commands' JSON output.
protocol JSONReading {}

extension JSONReading {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}
