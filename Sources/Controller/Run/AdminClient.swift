import AsyncHTTPClient
import Foundation
import NIOCore
import Scaler

/// Reads a running Tidepool's admin endpoint (`tidepool status`).
public enum AdminClient {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func get(_ url: String, token: String? = nil, timeout: Duration = .seconds(5)) async throws(Failure) -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            let body = try await response.body.collect(upTo: 16 << 20)
            guard response.status == .ok else {
                throw Failure(description: "\(url): HTTP \(response.status.code) \(response.status.reasonPhrase)"
                              + (response.status == .unauthorized ? " (give --token)" : ""))
            }
            return Array(buffer: body)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "\(url): \(error) (is tidepool run listening there?)")
        }
    }
}
