import Synchronization

/// `rate_limit:` of a gateway entry: a token bucket of `burst` tokens refilled at
/// `requests_per_second`, one bucket per client, token, session, or for the whole server.
public struct RateLimitSettings: Sendable, Equatable {
    public enum Scope: String, Sendable, CaseIterable {
        /// The client's address (HTTP), or the one standard-input client.
        case client
        /// The bearer token the client presented (its address where it presented none).
        case token
        /// The MCP session (the client's address before it has one).
        case session
        /// One bucket for everyone calling this entry.
        case server
    }

    public var requestsPerSecond: Double
    public var burst: Int
    public var per: Scope

    public init(requestsPerSecond: Double, burst: Int, per: Scope = .client) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.per = per
    }
}

/// Who sent a request, as far as the transport knows: what rate limits key on.
public struct ClientIdentity: Sendable, Equatable {
    /// "127.0.0.1" for HTTP, "stdio" for standard input.
    public var address: String
    /// The bearer token presented, if any. Used as a key only, never logged.
    public var token: String?

    public init(address: String, token: String? = nil) {
        self.address = address
        self.token = token
    }

    /// A transport that tells nothing about its client (tests, in-process calls).
    public static let unknown = ClientIdentity(address: "unknown")
}

/// Token buckets, kept per key. Each bucket is refilled lazily from the time of the previous
/// take, so an idle key costs nothing until it calls again; buckets that have refilled to
/// the brim are dropped when the table grows, so a stream of one-off clients cannot grow it
/// without bound.
///
/// Time comes in as nanoseconds of a monotonic clock, so tests drive it exactly.
public final class RateLimiter: Sendable {
    public let settings: RateLimitSettings
    /// Buckets kept before full ones are swept.
    let sweepThreshold: Int

    private struct Bucket {
        var tokens: Double
        var updated: Int64
    }
    private let buckets = Mutex<[String: Bucket]>([:])

    public init(settings: RateLimitSettings, sweepThreshold: Int = 10_000) {
        self.settings = settings
        self.sweepThreshold = sweepThreshold
    }

    /// Takes a token for `key` at `now`: nil when the request may go, else how long until a
    /// token is there (for Retry-After).
    public func take(_ key: String, now: Int64) -> Duration? {
        let rate = settings.requestsPerSecond
        let capacity = Double(settings.burst)
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = Double(max(0, now - bucket.updated)) / 1e9
            bucket.tokens = min(capacity, bucket.tokens + elapsed * rate)
            bucket.updated = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                buckets[key] = bucket
                if buckets.count > sweepThreshold { sweep(&buckets, now: now) }
                return nil
            }
            buckets[key] = bucket
            let missing = 1 - bucket.tokens
            return .nanoseconds(Int64((missing / rate * 1e9).rounded(.up)))
        }
    }

    /// Drops buckets that would be full by now: forgetting them changes nothing.
    private func sweep(_ buckets: inout [String: Bucket], now: Int64) {
        let rate = settings.requestsPerSecond
        let capacity = Double(settings.burst)
        buckets = buckets.filter { _, bucket in
            bucket.tokens + Double(max(0, now - bucket.updated)) / 1e9 * rate < capacity
        }
    }

    public var bucketCount: Int { buckets.withLock { $0.count } }

    /// The bucket a request of `client` in `session` draws from.
    public func key(for client: ClientIdentity, session: String?) -> String {
        switch settings.per {
        case .client: return client.address
        case .token: return client.token.map { "token:" + $0 } ?? "address:" + client.address
        case .session: return session.map { "session:" + $0 } ?? "address:" + client.address
        case .server: return ""
        }
    }
}
