import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Scaler

/// A failed API call: the API server's `Status` (code, reason, message), or the transport's
/// error as code 0.
public struct KubernetesAPIError: Error, CustomStringConvertible, Sendable {
    /// The HTTP status; 0 when no response came.
    public var code: Int
    /// The Status reason: NotFound, Conflict, TooManyRequests, Expired, ...
    public var reason: String
    public var message: String
    public var method: String
    public var path: String

    public var description: String {
        code == 0 ? "\(method) \(path): \(message)" : "\(method) \(path): \(code) \(reason): \(message)"
    }

    public var isConflict: Bool { code == 409 }
    public var isNotFound: Bool { code == 404 }
    /// A watch asked for a resourceVersion the server no longer has: list again.
    public var isExpired: Bool { code == 410 }
}

/// The few API server calls Tidepool makes, on async-http-client: JSON in and out, the
/// credentials of a `KubernetesConnection`, and client-go's manners: a 429 or 5xx is retried
/// with backoff, a 429's Retry-After honoured; a conflict is returned to the caller, who knows
/// what to read again.
public final class KubernetesClient: Sendable {
    public let connection: KubernetesConnection
    let http: HTTPClient
    let logger: Logger
    /// Tries per call for 429 and 5xx answers (client-go retries Retry-After answers ten times;
    /// a controller that syncs every few seconds gains nothing from waiting longer).
    let attempts: Int
    let requestTimeout: TimeAmount

    public init(connection: KubernetesConnection, logger: Logger, attempts: Int = 4, requestTimeout: Duration = .seconds(10)) throws {
        self.connection = connection
        self.logger = logger
        self.attempts = max(1, attempts)
        self.requestTimeout = .nanoseconds(requestTimeout.nanoseconds)
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5))
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        if connection.server.hasPrefix("https://") {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let ca = connection.certificateAuthorityPEM {
                do {
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
                } catch {
                    throw InputError(source: connection.origin, message: "the certificate authority is not PEM: \(error)")
                }
            }
            if connection.insecureSkipTLSVerify { tls.certificateVerification = .none }
            if case .clientCertificate(let certificate, let key) = connection.credentials {
                do {
                    tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
                    tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
                } catch {
                    throw InputError(source: connection.origin, message: "the client certificate or key is not PEM: \(error)")
                }
            }
            configuration.tlsConfiguration = tls
        }
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: - Calls

    public func get(_ path: String, query: [(String, String)] = []) async throws(KubernetesAPIError) -> JSONValue {
        try await send("GET", path, query: query)
    }

    public func create(_ path: String, _ object: JSONValue) async throws(KubernetesAPIError) -> JSONValue {
        try await send("POST", path, body: object, contentType: "application/json")
    }

    public func update(_ path: String, _ object: JSONValue) async throws(KubernetesAPIError) -> JSONValue {
        try await send("PUT", path, body: object, contentType: "application/json")
    }

    /// A JSON merge patch (RFC 7386). With `metadata.resourceVersion` in it, the server refuses
    /// it with a conflict when the object changed since that version.
    public func mergePatch(_ path: String, _ patch: JSONValue) async throws(KubernetesAPIError) -> JSONValue {
        try await send("PATCH", path, body: patch, contentType: "application/merge-patch+json")
    }

    /// One call, retried on 429 (after its Retry-After) and 5xx (after a doubling backoff).
    func send(_ method: String, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
              contentType: String? = nil) async throws(KubernetesAPIError) -> JSONValue {
        var backoff = Duration.milliseconds(200)
        var attempt = 1
        while true {
            do {
                return try await sendOnce(method, path, query: query, body: body, contentType: contentType)
            } catch let failure as RetryableFailure {
                guard attempt < attempts, !Task.isCancelled else { throw failure.error }
                let wait = failure.retryAfter.map { min($0, .seconds(30)) } ?? backoff
                logger.warning("api_retry", metadata: [
                    "method": "\(method)", "path": "\(path)", "code": "\(failure.error.code)", "attempt": "\(attempt)",
                    "wait_ms": "\(wait.nanoseconds / 1_000_000)",
                ])
                try? await Task.sleep(for: wait)
                backoff = min(backoff * 2, .seconds(5))
                attempt += 1
            } catch let error as KubernetesAPIError {
                throw error
            } catch {
                throw KubernetesAPIError(code: 0, reason: "", message: "\(error)", method: method, path: path)
            }
        }
    }

    private struct RetryableFailure: Error {
        var error: KubernetesAPIError
        var retryAfter: Duration?
    }

    private func sendOnce(_ method: String, _ path: String, query: [(String, String)], body: JSONValue?,
                          contentType: String?) async throws -> JSONValue {
        let request = try makeRequest(method, path, query: query, body: body, contentType: contentType)
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: requestTimeout)
        } catch {
            // Nothing came back: as a 503, retried, since the call may not have arrived.
            throw RetryableFailure(error: KubernetesAPIError(code: 0, reason: "", message: "\(error)", method: method, path: path))
        }
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let code = Int(response.status.code)
        if (200..<300).contains(code) {
            do {
                return try JSONParser.parse(Array(bytes.readableBytesView))
            } catch {
                throw KubernetesAPIError(code: code, reason: "BadResponse", message: "the answer is not JSON: \(error)", method: method, path: path)
            }
        }
        let error = Self.apiError(code: code, body: Array(bytes.readableBytesView), method: method, path: path)
        if code == 429 || (500...599).contains(code) {
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(Int.init).map { Duration.seconds($0) }
            throw RetryableFailure(error: error, retryAfter: retryAfter)
        }
        throw error
    }

    func makeRequest(_ method: String, _ path: String, query: [(String, String)], body: JSONValue?, contentType: String?) throws -> HTTPClientRequest {
        var url = connection.server + path
        if !query.isEmpty {
            url += "?" + query.map { "\(Self.percentEncoded($0.0))=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "tidepool/0.1")
        switch connection.credentials {
        case .token(let token):
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        case .tokenFile(let file):
            let token = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        case .basic(let username, let password):
            request.headers.add(name: "Authorization", value: "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        case .none, .clientCertificate:
            break
        }
        if let body {
            var writer = JSONWriter(reservingCapacity: 512)
            writer.value(body)
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(bytes: writer.bytes))
        }
        return request
    }

    static func apiError(code: Int, body: [UInt8], method: String, path: String) -> KubernetesAPIError {
        if let status = try? JSONParser.parse(body), status["kind"] == .string("Status") {
            var reason = "", message = ""
            if case .string(let text)? = status["reason"] { reason = text }
            if case .string(let text)? = status["message"] { message = text }
            return KubernetesAPIError(code: code, reason: reason, message: message, method: method, path: path)
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return KubernetesAPIError(code: code, reason: HTTPResponseStatus(statusCode: code).reasonPhrase, message: text,
                                  method: method, path: path)
    }

    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    // MARK: - Watch

    public struct WatchEvent: Sendable {
        /// ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.
        public var type: String
        public var object: JSONValue
    }

    /// A watch from `resourceVersion`: the events as the server streams them, one JSON object
    /// a line, until the server ends the stream (its timeoutSeconds) or the task is cancelled.
    public func watch(_ path: String, resourceVersion: String, timeoutSeconds: Int = 300,
                      query: [(String, String)] = []) async throws -> AsyncThrowingStream<WatchEvent, Error> {
        let parameters = query + [("watch", "true"), ("resourceVersion", resourceVersion), ("allowWatchBookmarks", "true"),
                                  ("timeoutSeconds", "\(timeoutSeconds)")]
        let request = try makeRequest("GET", path, query: parameters, body: nil, contentType: nil)
        let response = try await http.execute(request, timeout: .seconds(Int64(timeoutSeconds + 30)))
        let code = Int(response.status.code)
        guard code == 200 else {
            let bytes = try await response.body.collect(upTo: 1 << 20)
            throw Self.apiError(code: code, body: Array(bytes.readableBytesView), method: "WATCH", path: path)
        }
        return AsyncThrowingStream { continuation in
            let task = Task {
                var pending: [UInt8] = []
                do {
                    for try await chunk in response.body {
                        pending.append(contentsOf: chunk.readableBytesView)
                        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = Array(pending[..<newline])
                            pending.removeSubrange(...newline)
                            guard !line.isEmpty, let event = try? JSONParser.parse(line),
                                  case .string(let type)? = event["type"], let object = event["object"] else { continue }
                            continuation.yield(WatchEvent(type: type, object: object))
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

extension JSONValue {
    /// `object.at("metadata", "name")`: nil where any step is missing.
    func at(_ keys: String...) -> JSONValue? {
        var value: JSONValue? = self
        for key in keys { value = value?[key] }
        return value
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var int64Value: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    var arrayValue: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }

    static func record(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(JSONObject(pairs.map { JSONObject.Entry($0.key, $0.value) }))
    }
}
