import Foundation
import Hummingbird
import Reporting
import ShipmeterEngine

/// The dashboard's routes: the HTML report and its JSON, for viewer tokens.
extension Routes {
    func page(_ request: Request) async -> Response {
        if let refusal = authorize(request, role: .viewer) { return viewerRefusal(refusal, html: true) }
        do {
            let query = try DashboardQuery(Self.parameters(request))
            let page = try await dashboard.page(query)
            var headers = HTTPFields()
            headers[.contentSecurityPolicy] = HTMLReportRenderer.contentSecurityPolicy
            headers[.xContentTypeOptions] = "nosniff"
            headers[.cacheControl] = "no-store"
            return Self.response(
                .ok, "text/html; charset=utf-8", Array(HTMLReportRenderer().render(page.report, context: page.context).utf8), headers: headers)
        } catch {
            let (status, message) = Self.describe(error)
            var headers = HTTPFields()
            headers[.contentSecurityPolicy] = HTMLReportRenderer.contentSecurityPolicy
            let html =
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>shipmeter</title></head><body><h1>shipmeter</h1><p>\(HTML.escape(message))</p><p><a href=\"/\">back to all teams</a></p></body></html>"
            return Self.response(status, "text/html; charset=utf-8", Array(html.utf8), headers: headers)
        }
    }

    func report(_ request: Request) async -> Response {
        if let refusal = authorize(request, role: .viewer) { return viewerRefusal(refusal, html: false) }
        do {
            let query = try DashboardQuery(Self.parameters(request))
            let page = try await dashboard.page(query)
            var context = page.context
            context.navigation = nil
            return Self.response(.ok, "application/json", Array(JSONReportRenderer().render(page.report, context: context).utf8))
        } catch {
            let (status, message) = Self.describe(error)
            return Self.response(status, "application/json", Array(JSONValue.object([("error", .string(message))]).serialized().utf8))
        }
    }

    func viewerRefusal(_ refusal: OTLPRejection, html: Bool) -> Response {
        var headers = HTTPFields()
        if refusal.status == 401 { headers[.wwwAuthenticate] = "Basic realm=\"shipmeter dashboard\", charset=\"UTF-8\"" }
        let text = refusal.message + (refusal.status == 401 ? " (a browser asks for it: any user name, the viewer token as the password)" : "")
        return Self.response(
            HTTPResponse.Status(code: refusal.status), html ? "text/plain; charset=utf-8" : "application/json",
            html ? Array((text + "\n").utf8) : Array(JSONValue.object([("error", .string(text))]).serialized().utf8), headers: headers)
    }

    static func describe(_ error: Error) -> (HTTPResponse.Status, String) {
        switch error {
        case let invalid as DashboardQuery.Invalid: return (.badRequest, invalid.message)
        case let error as EngineError where error.isRequestError: return (.badRequest, error.errorDescription ?? error.message)
        default: return (.serviceUnavailable, "the ledger could not be read: \(error)")
        }
    }

    static func parameters(_ request: Request) -> [(String, String)] {
        request.uri.queryParameters.map { (String($0.key), String($0.value)) }
    }
}
