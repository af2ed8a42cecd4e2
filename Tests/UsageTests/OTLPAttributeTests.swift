import Foundation
import Testing

@testable import Usage

/// The typed OTLP attributes both ways in share (files scanned, requests decoded).
@Suite struct OTLPAttributeTests {
    @Test func anItemsValueWinsOverItsResourcesAndALaterValueOverAnEarlier() {
        let resource: OTLPAttributes = ["service.name": "claude-code", "model": "resource-model"]
        var item: OTLPAttributes = ["model": "item-model", "input_tokens": 5]
        item.append("input_tokens", 7)
        let merged = item.over(resource)
        #expect(merged.string("model") == "item-model")
        #expect(merged.string("service.name") == "claude-code")
        #expect((try? merged.count("input_tokens")) == 7)
        #expect(merged.latest.map(\.key) == ["input_tokens", "model", "service.name"])
        #expect(merged["absent"] == nil && (try? merged.count("absent")) == 0)
    }

    @Test func countsAndAmountsAreValidatedAsEveryReaderValidatesThem() {
        let attributes: OTLPAttributes = [
            "negative": -3, "absurd": .int(2_000_000_000_000), "text": "12", "words": "twelve", "fraction": 1.5, "whole": 30.0,
            "flag": true, "cost": 0.0123, "empty": "",
        ]
        #expect(throws: FieldError.self) { try attributes.count("negative") }
        #expect(throws: FieldError.self) { try attributes.count("absurd") }
        #expect(throws: FieldError.self) { try attributes.count("words") }
        #expect(throws: FieldError.self) { try attributes.count("fraction") }
        #expect(throws: FieldError.self) { try attributes.count("flag") }
        #expect(throws: FieldError.self) { try attributes.decimal("negative") }
        #expect((try? attributes.count("text")) == 12 && (try? attributes.count("whole")) == 30)
        #expect((try? attributes.decimal("cost")) == Decimal(string: "0.0123"))
        #expect(attributes.string("empty") == nil && attributes.string("flag") == nil && attributes.string("negative") == "-3")
    }

    /// Found by fuzzing the Codex reader: a count far below Int64's range trapped while its
    /// error message was written.
    @Test func countsBeyondSixtyFourBitsAreRefusedNotTrapped() {
        #expect(throws: FieldError.self) { try JSONFields.count(NSNumber(value: -5.3e37), key: "input_tokens") }
        #expect(throws: FieldError.self) { try OTLPAttributeValue.double(-5.3e37).count(key: "input_tokens") }
        #expect(throws: FieldError.self) { try OTLPAttributeValue.double(7e30).count(key: "input_tokens") }
    }

    @Test func jsonValuesBecomeTheKindTheyAre() {
        #expect(OTLPAttributeValue(json: "123", integer: true) == .int(123))
        #expect(OTLPAttributeValue(json: "12x", integer: true) == .string("12x"))
        #expect(OTLPAttributeValue(json: "123") == .string("123"))
        #expect(OTLPAttributeValue(json: NSNumber(value: 42)) == .int(42))
        #expect(OTLPAttributeValue(json: NSNumber(value: 0.5)) == .double(0.5))
        #expect(OTLPAttributeValue(json: NSNumber(value: true)) == .bool(true))
        #expect(OTLPAttributeValue(json: NSNull()) == nil)
    }
}
