import CompressNIO
import Foundation
import NIOCore
import OTLPWire
import Usage

/// A request the collector refuses, with the HTTP status the OTLP/HTTP specification gives it.
struct OTLPRejection: Error, Sendable {
    var status: Int
    var message: String
    /// Seconds a client should wait before retrying (429, 503).
    var retryAfter: Int?

    static func badRequest(_ message: String) -> OTLPRejection { OTLPRejection(status: 400, message: message) }
}

extension OTLPExportRequest {
    /// Decodes `body` (after `Content-Encoding`, at most `limit` bytes once inflated).
    static func decode(
        _ body: ByteBuffer, signal: OTLPSignal, encoding: OTLPEncoding, contentEncoding: String?, limit: Int,
        servicesWithSpans: Set<String> = []
    ) throws(OTLPRejection) -> OTLPExportRequest {
        let bytes = try inflate(body, contentEncoding: contentEncoding, limit: limit)
        do {
            return try decode(bytes, signal: signal, encoding: encoding, servicesWithSpans: servicesWithSpans)
        } catch {
            throw .badRequest(error.message)
        }
    }

    static func inflate(_ body: ByteBuffer, contentEncoding: String?, limit: Int) throws(OTLPRejection) -> [UInt8] {
        let coding = (contentEncoding ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        switch coding {
        case "", "identity":
            return Array(body.readableBytesView)
        case "gzip", "x-gzip", "deflate":
            var compressed = body
            do {
                let algorithm: CompressionAlgorithm = coding == "deflate" ? .zlib() : .gzip()
                let inflated = try compressed.decompress(with: algorithm, maxSize: limit)
                return Array(inflated.readableBytesView)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw OTLPRejection(status: 413, message: "the body inflates to more than \(limit) bytes")
            } catch {
                throw .badRequest("the body is not valid \(coding) data")
            }
        default:
            throw OTLPRejection(status: 415, message: "Content-Encoding \(coding) is not supported: send gzip or none")
        }
    }
}
