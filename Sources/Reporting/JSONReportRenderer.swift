import Attribution
import Foundation

/// `--format json`: the report as a `ReportDocument` (the schema of docs/json.md), with the
/// budget when the context has one.
public struct JSONReportRenderer: ReportRenderer {
    public static let schemaVersion = ReportDocument.schemaVersion

    public init() {}

    public func render(_ report: Report, context: RenderContext) -> String {
        ReportDocument(report, budget: context.budget).json
    }
}
