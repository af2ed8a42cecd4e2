import Foundation
import ShipmeterEngine
import ShipmeterTestSupport
import Testing

@testable import Collector

@Suite struct AccessTests {
    @Test func tokensAreKeptHashedAndMatchTheirRoleOnly() throws {
        let folder = ScratchDirectory()
        let path = folder.path + "/tokens"
        var tokens = try AccessTokens.load(path)
        let push = try tokens.add(name: "ci-agents", role: .ingest)
        let view = try tokens.add(name: "vp", role: .viewer)
        #expect(throws: AccessTokens.Invalid.self) { try tokens.add(name: "vp", role: .viewer) }
        #expect(throws: AccessTokens.Invalid.self) { try tokens.add(name: "two words", role: .ingest) }
        try tokens.write(to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains(push) && !text.contains(view))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let back = try AccessTokens.load(path)
        #expect(back.entry(for: push)?.role == .ingest && back.entry(for: push)?.name == "ci-agents")
        #expect(back.entry(for: view)?.role == .viewer)
        #expect(back.entry(for: push + "x") == nil && back.entry(for: "") == nil)
        var removed = back
        #expect(removed.remove(name: "ci-agents") && !removed.remove(name: "ci-agents"))
        #expect(removed.entry(for: push) == nil)
        try "ingest broken-line\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: AccessTokens.Invalid.self) { try AccessTokens.load(path) }
    }

    @Test func credentialsComeFromBearerOrABasicPassword() {
        #expect(Routes.credential("Bearer abc") == "abc")
        #expect(Routes.credential("bearer  abc ") == "abc")
        #expect(Routes.credential("Basic " + Data("anyone:tok:en".utf8).base64EncodedString()) == "tok:en")
        #expect(Routes.credential("Basic !!!") == nil)
        #expect(Routes.credential("Digest abc") == nil)
        #expect(Routes.credential(nil) == nil)
    }

    @Test func onlyLoopbackMayGoWithoutTokens() {
        #expect(
            CollectorConfiguration.isLoopback("127.0.0.1") && CollectorConfiguration.isLoopback("::1")
                && CollectorConfiguration.isLoopback("localhost"))
        #expect(
            !CollectorConfiguration.isLoopback("0.0.0.0") && !CollectorConfiguration.isLoopback("10.1.2.3")
                && !CollectorConfiguration.isLoopback("::"))
    }

    @Test func dashboardQueriesParseAndLinkBack() throws {
        let query = try DashboardQuery([("since", "90d"), ("team", "payments & ops"), ("by", ""), ("unknown", "x")])
        #expect(query.grouping == .person && query.team == "payments & ops" && query.by == nil)
        #expect(query.href { $0.person = "ann@acme.test" } == "/?since=90d&team=payments%20%26%20ops&person=ann@acme.test")
        #expect(
            try DashboardQuery(
                query.href().dropFirst(2).split(separator: "&").map { pair in
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    return (parts[0], parts[1].removingPercentEncoding ?? parts[1])
                }) == query)
        #expect(throws: DashboardQuery.Invalid.self) { try DashboardQuery([("by", "salary")]) }
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        #expect(throws: EngineError.self) { try DashboardQuery([("since", "yesterday-ish")]).window(now: now).resolve() }
        #expect(throws: EngineError.self) { try DashboardQuery([("since", "2026-06-01"), ("until", "2026-05-01")]).window(now: now).resolve() }
        let window = try DashboardQuery([("since", "7d")]).window(now: now).resolve()
        #expect(window.until == now && window.since == now.addingTimeInterval(-7 * 86_400))
        #expect(try DashboardQuery([("person", "ann")]).grouping == .deployment)
    }
}
