import Foundation
import Pool
import Scaler
import Testing

@Suite("rate_limit: token buckets per client, token, session or server")
struct RateLimitTests {
    static let second: Int64 = 1_000_000_000

    @Test("a bucket lets a burst through, then one request per 1/rate seconds, and says how long to wait")
    func bucket() {
        let limiter = RateLimiter(settings: RateLimitSettings(requestsPerSecond: 4, burst: 3))
        #expect(limiter.take("a", now: 0) == nil)
        #expect(limiter.take("a", now: 0) == nil)
        #expect(limiter.take("a", now: 0) == nil)
        // Empty: the next token is a quarter second away.
        #expect(limiter.take("a", now: 0) == .milliseconds(250))
        #expect(limiter.take("a", now: Self.second / 10) == .milliseconds(150))
        #expect(limiter.take("a", now: Self.second / 4) == nil)
        #expect(limiter.take("a", now: Self.second / 4) == .milliseconds(250))
        // Another key has its own bucket.
        #expect(limiter.take("b", now: Self.second / 4) == nil)
        // Idle for a long time: the bucket holds burst tokens, not more.
        let later = 100 * Self.second
        for _ in 0..<3 { #expect(limiter.take("a", now: later) == nil) }
        #expect(limiter.take("a", now: later) != nil)
    }

    @Test("over a long run the admitted rate is the configured rate")
    func steadyRate() {
        let limiter = RateLimiter(settings: RateLimitSettings(requestsPerSecond: 50, burst: 10))
        var admitted = 0
        // 1000 requests a second for 10 seconds: 10 burst + 50/s.
        for step in 0..<10_000 where limiter.take("k", now: Int64(step) * Self.second / 1000) == nil {
            admitted += 1
        }
        #expect((505...511).contains(admitted), "admitted \(admitted)")
    }

    @Test("keys by scope: address, token (address without one), session (address before one), one for the server")
    func keys() {
        let alice = ClientIdentity(address: "10.0.0.1", token: "t-alice")
        let anonymous = ClientIdentity(address: "10.0.0.2")
        func limiter(_ per: RateLimitSettings.Scope) -> RateLimiter {
            RateLimiter(settings: RateLimitSettings(requestsPerSecond: 1, burst: 1, per: per))
        }
        #expect(limiter(.client).key(for: alice, session: "s1") == "10.0.0.1")
        #expect(limiter(.token).key(for: alice, session: nil) == "token:t-alice")
        #expect(limiter(.token).key(for: anonymous, session: nil) == "address:10.0.0.2")
        #expect(limiter(.session).key(for: alice, session: "s1") == "session:s1")
        #expect(limiter(.session).key(for: alice, session: nil) == "address:10.0.0.1")
        #expect(limiter(.server).key(for: alice, session: "s1") == limiter(.server).key(for: anonymous, session: nil))
    }

    @Test("one-off clients cannot grow the table without bound: full buckets are swept")
    func sweep() {
        let limiter = RateLimiter(settings: RateLimitSettings(requestsPerSecond: 10, burst: 1), sweepThreshold: 100)
        for client in 0..<10_000 {
            _ = limiter.take("client-\(client)", now: Int64(client) * Self.second)
        }
        #expect(limiter.bucketCount <= 101)
    }

    @Test("rate_limit decodes with defaults and names bad fields")
    func config() throws {
        func decode(_ json: String) throws -> ServerConfig {
            try ServerConfig.decode(id: "math", try JSONParser.parse(json))
        }
        let full = try decode(#"{"mode": "pool", "command": ["mcp-math"], "rate_limit": {"requests_per_second": 100, "burst": 20, "per": "token"}}"#)
        #expect(full.rateLimit == RateLimitSettings(requestsPerSecond: 100, burst: 20, per: .token))
        let defaults = try decode(#"{"mode": "group", "members": [{"id": "a"}], "rate_limit": {"requests_per_second": 2.5}}"#)
        #expect(defaults.rateLimit == RateLimitSettings(requestsPerSecond: 2.5, burst: 3, per: .client))
        #expect { try decode(#"{"mode": "remote", "endpoint": "http://127.0.0.1:1/mcp", "rate_limit": {"requests_per_second": 0}}"#) } throws: { error in
            "\(error)".contains("rate_limit.requests_per_second") && "\(error)".contains("more than 0")
        }
        #expect { try decode(#"{"mode": "remote", "endpoint": "http://127.0.0.1:1/mcp", "rate_limit": {"requests_per_second": 5, "per": "ip"}}"#) } throws: { error in
            "\(error)".contains("rate_limit.per") && "\(error)".contains("client, token, session, server")
        }
    }

    @Test("through the gateway: a session over its limit gets 429 with Retry-After and -32003; other sessions go on",
          .enabled(if: Fixtures.pythonFixturesInstalled, "run scripts/test-deps first"))
    func gateway() async throws {
        let harness = try await GatewayHarness(entries: { client, logger in
            [PoolServer(spec: PoolSpec(id: "math", command: Fixtures.httpMember(), transport: .http(path: "/mcp"), replicas: 1),
                        httpClient: client, logger: logger)]
        }, rateLimits: ["math": RateLimitSettings(requestsPerSecond: 2, burst: 3, per: .session)])
        let pool = try #require(harness.gateway.entries["math"] as? PoolServer)
        try await harness.waitUntil { pool.readyReplicas == 1 }
        let first = try await harness.openSession("math")
        var statuses: [Int] = []
        var refusal = ""
        for id in 0..<6 {
            let reply = try await harness.post("math", #"{"jsonrpc":"2.0","id":\#(id + 10),"method":"ping"}"#, session: first)
            statuses.append(reply.status)
            if reply.status == 429 { refusal = reply.body }
        }
        // Three in the burst; the other three within the same instant are refused (at most one
        // more if the loop took half a second).
        #expect(statuses.prefix(3).allSatisfy { $0 == 200 }, "\(statuses)")
        #expect(statuses.filter { $0 == 429 }.count >= 2, "\(statuses)")
        #expect(refusal.contains("-32003") && refusal.contains("math is rate limited: at most 2 requests per second per session (burst 3)"), "\(refusal)")
        // A second session draws from its own bucket.
        let second = try await harness.openSession("math")
        let other = try await harness.post("math", #"{"jsonrpc":"2.0","id":99,"method":"ping"}"#, session: second)
        #expect(other.status == 200)
        // Half a second refills one token of the first session's.
        try await Task.sleep(for: .milliseconds(600))
        let again = try await harness.post("math", #"{"jsonrpc":"2.0","id":100,"method":"ping"}"#, session: first)
        #expect(again.status == 200)
        await harness.shutdown()
    }
}
