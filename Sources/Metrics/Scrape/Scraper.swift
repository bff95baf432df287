import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Scaler

/// Why a scrape produced no samples.
public enum ScrapeError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case timedOut(url: String, seconds: Double)
    case httpStatus(url: String, code: UInt, reason: String)
    case transport(url: String, message: String)
    case bodyTooLarge(url: String, limit: Int)
    case malformed(url: String, error: ExpositionError)

    public var description: String {
        switch self {
        case .invalidURL(let url): return "\(url) is not an http:// or https:// URL"
        case .timedOut(let url, let seconds): return "\(url): no answer within \(seconds)s"
        case .httpStatus(let url, let code, let reason): return "\(url): HTTP \(code) \(reason)"
        case .transport(let url, let message): return "\(url): \(message)"
        case .bodyTooLarge(let url, let limit): return "\(url): the exposition is larger than \(limit) bytes"
        case .malformed(let url, let error): return "\(url): \(error)"
        }
    }
}

/// One scrape's result: the raw bytes (for streaming parsers), the format the server declared,
/// and how long it took.
public struct ScrapeResponse: Sendable {
    public var url: String
    public var body: [UInt8]
    public var format: ExpositionFormat
    public var duration: Duration

    /// Parses the whole exposition (the collecting API).
    public func exposition() throws(ScrapeError) -> Exposition {
        do {
            return try Exposition(parsing: body, format: format)
        } catch {
            throw .malformed(url: url, error: error)
        }
    }
}

/// Scrapes Prometheus endpoints the way Prometheus does: its Accept header, gzip accepted, a
/// timeout per scrape, and the format chosen from the Content-Type.
///
/// ```swift
/// let scraper = Scraper(timeout: .seconds(5))
/// let samples = try await scraper.scrape("http://127.0.0.1:9100/metrics").exposition().samples
/// try await scraper.shutdown()
/// ```
public final class Scraper: Sendable {
    private let client: HTTPClient
    public let timeout: Duration
    public let maximumBodyBytes: Int

    public init(timeout: Duration = .seconds(10), maximumBodyBytes: Int = 64 << 20) {
        self.timeout = timeout
        self.maximumBodyBytes = maximumBodyBytes
        var configuration = HTTPClient.Configuration(decompression: .enabled(limit: .size(maximumBodyBytes)))
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(Int64(max(1, timeout.components.seconds))))
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Releases the connection pool. Call once, when no scrape is in flight.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    public func scrape(_ url: String) async throws(ScrapeError) -> ScrapeResponse {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, scheme == "http" || scheme == "https", parsed.host != nil else {
            throw .invalidURL(url)
        }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: ExpositionFormat.acceptHeader)
        request.headers.add(name: "Accept-Encoding", value: "gzip")
        request.headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: String(timeout.seconds))
        request.headers.add(name: "User-Agent", value: "tidepool")
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            guard response.status == .ok else {
                throw ScrapeError.httpStatus(url: url, code: response.status.code, reason: response.status.reasonPhrase)
            }
            let buffer = try await response.body.collect(upTo: maximumBodyBytes)
            let body = Array(buffer.readableBytesView)
            return ScrapeResponse(url: url, body: body, format: ExpositionFormat(contentType: response.headers.first(name: "Content-Type")),
                                  duration: ContinuousClock.now - started)
        } catch let error as ScrapeError {
            throw error
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw .timedOut(url: url, seconds: timeout.seconds)
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw .bodyTooLarge(url: url, limit: maximumBodyBytes)
        } catch {
            throw .transport(url: url, message: "\(error)")
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
