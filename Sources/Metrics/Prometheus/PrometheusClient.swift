import AsyncHTTPClient
import Foundation
import NIOCore
import Scaler

/// One series of a query result: its labels and its value(s).
public struct PrometheusSeries: Sendable, Equatable {
    public var labels: [String: String]
    /// Instant queries: one point. Range queries: every point of the series.
    public var points: [PrometheusPoint]

    public init(labels: [String: String], points: [PrometheusPoint]) {
        self.labels = labels
        self.points = points
    }
}

public struct PrometheusPoint: Sendable, Equatable {
    /// Seconds since the epoch, as the API gives them (fractions allowed).
    public var time: Double
    public var value: Double

    public init(time: Double, value: Double) {
        self.time = time
        self.value = value
    }

    public static func == (lhs: PrometheusPoint, rhs: PrometheusPoint) -> Bool {
        lhs.time == rhs.time && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }
}

/// The `data` of a query response, by `resultType`.
public enum PrometheusQueryResult: Sendable, Equatable {
    case vector([PrometheusSeries])
    case matrix([PrometheusSeries])
    case scalar(PrometheusPoint)
    case string(time: Double, value: String)
}

/// Why a query produced no result. API errors keep Prometheus's errorType and text.
public enum PrometheusError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    /// `{"status": "error", "errorType": ..., "error": ...}`
    case api(errorType: String, message: String)
    case httpStatus(code: UInt, body: String)
    case transport(String)
    case malformedResponse(String)

    public var description: String {
        switch self {
        case .invalidURL(let url): return "\(url) is not a Prometheus base URL (like http://127.0.0.1:9090)"
        case .api(let errorType, let message): return "Prometheus answered \(errorType): \(message)"
        case .httpStatus(let code, let body): return "Prometheus answered HTTP \(code): \(body.prefix(200))"
        case .transport(let message): return "could not reach Prometheus: \(message)"
        case .malformedResponse(let detail): return "Prometheus's response is malformed: \(detail)"
        }
    }
}

/// A client for Prometheus's HTTP query API: `/api/v1/query` and `/api/v1/query_range`.
///
/// ```swift
/// let prometheus = PrometheusClient(baseURL: "http://127.0.0.1:9090", httpClient: .shared)
/// let result = try await prometheus.query("sum(rate(http_requests_total[2m]))")
/// ```
public struct PrometheusClient: Sendable {
    public let baseURL: String
    public let timeout: Duration
    private let httpClient: HTTPClient

    public init(baseURL: String, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(10)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// An instant query, at `time` (seconds since the epoch) or now.
    public func query(_ promQL: String, at time: Double? = nil) async throws(PrometheusError) -> PrometheusQueryResult {
        var parameters = [("query", promQL)]
        if let time { parameters.append(("time", Self.format(time))) }
        return try await get("/api/v1/query", parameters)
    }

    /// A range query from `start` to `end` (seconds since the epoch) every `step` seconds.
    public func queryRange(_ promQL: String, start: Double, end: Double, step: Double) async throws(PrometheusError) -> PrometheusQueryResult {
        try await get("/api/v1/query_range", [("query", promQL), ("start", Self.format(start)), ("end", Self.format(end)), ("step", Self.format(step))])
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int64(seconds)) : String(seconds)
    }

    private func get(_ path: String, _ parameters: [(String, String)]) async throws(PrometheusError) -> PrometheusQueryResult {
        guard var components = URLComponents(string: baseURL + path), components.scheme == "http" || components.scheme == "https" else {
            throw .invalidURL(baseURL)
        }
        components.queryItems = parameters.map { URLQueryItem(name: $0.0, value: $0.1) }
        // '+' is a space to Go's query parser: encode it.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.url?.absoluteString else { throw .invalidURL(baseURL) }
        let body: [UInt8]
        let status: UInt
        do {
            let response = try await httpClient.execute(HTTPClientRequest(url: url), timeout: .nanoseconds(timeout.nanoseconds))
            status = response.status.code
            body = Array(try await response.body.collect(upTo: 256 << 20).readableBytesView)
        } catch {
            throw .transport("\(error)")
        }
        return try Self.decode(body, status: status)
    }

    /// Decodes a query API response body. Values arrive as strings ("1.5", "NaN", "+Inf").
    public static func decode(_ body: [UInt8], status: UInt) throws(PrometheusError) -> PrometheusQueryResult {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            if status != 200 { throw .httpStatus(code: status, body: String(decoding: body, as: UTF8.self)) }
            throw .malformedResponse("not JSON: \(error)")
        }
        guard case .string(let outcome)? = document["status"] else { throw .malformedResponse("no status field") }
        if outcome == "error" {
            guard case .string(let errorType)? = document["errorType"], case .string(let message)? = document["error"] else {
                throw .malformedResponse("an error without errorType and error")
            }
            throw .api(errorType: errorType, message: message)
        }
        guard outcome == "success", let data = document["data"], case .string(let resultType)? = data["resultType"], let result = data["result"] else {
            throw .malformedResponse("a success without data.resultType and data.result")
        }
        switch resultType {
        case "vector":
            return .vector(try series(result, valuesKey: "value"))
        case "matrix":
            return .matrix(try series(result, valuesKey: "values"))
        case "scalar":
            return .scalar(try point(result))
        case "string":
            guard case .array(let pair) = result, pair.count == 2, case .string(let text) = pair[1] else {
                throw .malformedResponse("a string result is not [time, \"text\"]")
            }
            return .string(time: try time(pair[0]), value: text)
        default:
            throw .malformedResponse("unknown resultType \(resultType)")
        }
    }

    private static func series(_ result: JSONValue, valuesKey: String) throws(PrometheusError) -> [PrometheusSeries] {
        guard case .array(let elements) = result else { throw .malformedResponse("result is not an array") }
        var list: [PrometheusSeries] = []
        for element in elements {
            var labels: [String: String] = [:]
            if case .object(let metric)? = element["metric"] {
                for entry in metric.entries {
                    guard case .string(let value) = entry.value else { throw .malformedResponse("label \(entry.key) is not a string") }
                    labels[entry.key] = value
                }
            }
            var points: [PrometheusPoint] = []
            if valuesKey == "value" {
                guard let value = element["value"] else { throw .malformedResponse("a vector sample without value") }
                points.append(try point(value))
            } else {
                guard case .array(let values)? = element["values"] else { throw .malformedResponse("a matrix series without values") }
                for value in values { points.append(try point(value)) }
            }
            list.append(PrometheusSeries(labels: labels, points: points))
        }
        return list
    }

    private static func point(_ value: JSONValue) throws(PrometheusError) -> PrometheusPoint {
        guard case .array(let pair) = value, pair.count == 2, case .string(let text) = pair[1] else {
            throw .malformedResponse("a sample is not [time, \"value\"]")
        }
        guard let number = Double(text) else { throw .malformedResponse("\"\(text)\" is not a number") }
        return PrometheusPoint(time: try time(pair[0]), value: number)
    }

    private static func time(_ value: JSONValue) throws(PrometheusError) -> Double {
        guard case .number(let text) = value, let seconds = Double(text) else { throw .malformedResponse("a time is not a number") }
        return seconds
    }
}
