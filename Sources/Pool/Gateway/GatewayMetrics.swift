import Prometheus
import Scaler
import Synchronization

/// The gateway's figures on /metrics, per server and member: requests by outcome, latency,
/// in-flight calls, health and circuit state, sessions, and each pool's desired and ready size.
/// Autoscalers read the same numbers (`{gateway: inflight}`).
public final class GatewayMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let counters = Mutex<[String: Counter]>([:])
    private let histograms = Mutex<[String: DurationHistogram]>([:])
    private let gauges = Mutex<[String: Gauge]>([:])

    static let latencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
        .seconds(5), .seconds(10), .seconds(30),
    ]

    public init() {}

    /// One routed request's end. `outcome`: ok, error (the member answered with a JSON-RPC
    /// error), failed, timeout, unavailable.
    func requestFinished(server: String, member: String, outcome: String, duration: Duration) {
        counter(key: server + "\u{0}" + member + "\u{0}" + outcome, "tidepool_gateway_requests_total",
                help: "Requests the gateway routed, by server, member and outcome.",
                labels: [("mcp_server", server), ("member", member), ("outcome", outcome)]).increment()
        let histogram = histograms.withLock { histograms in
            if let histogram = histograms[server] { return histogram }
            let histogram = registry.makeDurationHistogram(
                descriptor: Self.name("tidepool_gateway_request_duration_seconds", help: "Time a member took to answer a request the gateway routed to it (gateway overhead not included)."),
                labels: [("mcp_server", server)], buckets: Self.latencyBuckets)
            histograms[server] = histogram
            return histogram
        }
        histogram.recordNanoseconds(duration.nanoseconds)
    }

    /// One call's time in a server's queue and how it left: admitted (a slot freed), or
    /// refused (queue_full, timed_out, cancelled).
    func queueWaited(server: String, outcome: AdmissionQueue.Outcome, duration: Duration) {
        let reason: String
        switch outcome {
        case .slotFreed: reason = "admitted"
        case .queueFull: reason = "queue_full"
        case .timedOut: reason = "timed_out"
        case .cancelled: reason = "cancelled"
        }
        counter(key: "queue\u{0}" + server + "\u{0}" + reason, "tidepool_gateway_queue_exits_total",
                help: "Calls that left a server's queue: admitted to a member, or refused by reason.",
                labels: [("mcp_server", server), ("outcome", reason)]).increment()
        let histogram = histograms.withLock { histograms in
            let key = "queue\u{0}" + server
            if let histogram = histograms[key] { return histogram }
            let histogram = registry.makeDurationHistogram(
                descriptor: Self.name("tidepool_gateway_queue_wait_seconds", help: "Time calls waited in a server's queue for a member's slot."),
                labels: [("mcp_server", server)], buckets: Self.latencyBuckets)
            histograms[key] = histogram
            return histogram
        }
        histogram.recordNanoseconds(duration.nanoseconds)
    }

    /// A call refused before it reached the queue (`rate_limit`).
    func rejected(server: String, reason: String) {
        counter(key: "rejected\u{0}" + server + "\u{0}" + reason, "tidepool_gateway_rejected_total",
                help: "Calls refused before reaching a server's queue, by reason (rate_limit).",
                labels: [("mcp_server", server), ("reason", reason)]).increment()
    }

    /// The counter of one label set, made on first use.
    private func counter(key: String, _ name: String, help: String, labels: [(String, String)]) -> Counter {
        counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: Self.name(name, help: help), labels: labels)
            counters[key] = counter
            return counter
        }
    }

    /// Sets the gauges from the entries as they are now, dropping members that are gone.
    public func refresh(entries: [any ServerEntry], gateway: Gateway) {
        var values: [(name: String, labels: [(String, String)], help: String, value: Double)] = []
        for entry in entries {
            values.append(("tidepool_gateway_sessions", [("mcp_server", entry.id)], "Open client sessions.", Double(gateway.sessionCount(for: entry.id))))
            values.append(("tidepool_server_inflight", [("mcp_server", entry.id)], "Calls in flight on the server's members.", Double(entry.inflight)))
            if let queue = entry.admissionQueue {
                values.append(("tidepool_gateway_queue_length", [("mcp_server", entry.id)], "Calls waiting for a member's slot (max_concurrency).", Double(queue.length)))
            }
            if let pool = entry as? PoolServer {
                values.append(("tidepool_pool_desired_replicas", [("mcp_server", entry.id)], "The size the pool works towards.", Double(pool.desiredReplicas)))
                values.append(("tidepool_pool_ready_replicas", [("mcp_server", entry.id)], "Members ready and in rotation.", Double(pool.readyReplicas)))
            }
            guard !(entry is GroupServer) else { continue }
            for member in entry.members {
                let labels = [("mcp_server", entry.id), ("member", member.id)]
                let phase = member.phase
                values.append(("tidepool_member_inflight", labels, "Calls in flight on the member.", Double(member.inflight)))
                values.append(("tidepool_member_up", labels, "1 when the member is ready and in rotation.", phase == .ready ? 1 : 0))
                values.append(("tidepool_member_circuit_open", labels, "1 while the member's circuit breaker is open or probing.", phase == .circuitOpen ? 1 : 0))
                values.append(("tidepool_member_sessions", labels, "Client sessions pinned to the member.", Double(member.sessions)))
            }
        }
        gauges.withLock { gauges in
            var seen = Set<String>()
            for value in values {
                let key = value.name + value.labels.map { "\u{0}" + $0.1 }.joined()
                seen.insert(key)
                let gauge = gauges[key] ?? registry.makeGauge(descriptor: Self.name(value.name, help: value.help), labels: value.labels)
                gauges[key] = gauge
                gauge.set(value.value)
            }
            for (key, gauge) in gauges where !seen.contains(key) {
                registry.unregisterGauge(gauge)
                gauges[key] = nil
            }
        }
    }

    /// The whole name in `metricName` (no namespace or unit parts to join).
    private static func name(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// The exposition, Prometheus text format.
    public func exposition(entries: [any ServerEntry], gateway: Gateway) -> [UInt8] {
        refresh(entries: entries, gateway: gateway)
        return registry.emitToBuffer()
    }
}
