import Controller
import Foundation
import Scaler
import Testing

/// Sources that fail or hang yield an error for their metric alone, within the timeout; the
/// other metrics of the same sync are gathered all the same.
@Suite("MetricGatherer")
struct MetricGathererTests {
    static func spec(_ metrics: [(name: String, external: Bool)]) -> HorizontalPodAutoscalerSpec {
        HorizontalPodAutoscalerSpec(maxReplicas: 10, metrics: metrics.map { metric in
            let target = MetricTarget(type: .averageValue, averageValue: Quantity(milli: 1000))
            return metric.external
                ? .external(metric: MetricIdentifier(name: metric.name), target: target)
                : .pods(metric: MetricIdentifier(name: metric.name), target: target)
        })
    }

    /// A loopback socket that takes connections into its backlog and never answers.
    final class SilentListener {
        let descriptor: Int32
        let port: Int

        init() {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
            listen(descriptor, 16)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
            self.descriptor = descriptor
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(descriptor) }
    }

    @Test("a hanging scrape and a refused Prometheus fail their own metrics within the timeout; the gateway figure still comes")
    func failingSources() async throws {
        let silent = SilentListener()
        let refusedPort = RefusedPort.find()
        let sources: [String: MetricSourceConfig] = [
            "queue": .scrape(url: "http://127.0.0.1:\(silent.port)/metrics", metric: "queue_depth", labels: [:]),
            "rps": .prometheus(url: "http://127.0.0.1:\(refusedPort)", query: "sum(rate(x[1m]))"),
            "waiting": .gateway("waiting"),
        ]
        let spec = Self.spec([("queue", true), ("rps", true), ("waiting", true)])
        let gatherer = MetricGatherer(spec: spec, sources: sources, pool: nil, gateway: nil, timeout: .seconds(1))
        let observations = await gatherer.gather(for: TargetSnapshot(scale: Scale(specReplicas: 1, statusReplicas: 1), pods: []),
                                                 now: Timestamp(secondsSinceEpoch: 1_800_000_000))
        guard case .error(let scrapeError) = observations[0] else { Issue.record("scrape: \(observations[0])"); return }
        // The scrape's own deadline ended it (not a wall-clock check, which a busy CI machine
        // would make flaky): the silent endpoint cannot hold up the sync longer than that.
        #expect(scrapeError.hasPrefix("queue: ") && scrapeError.hasSuffix("no answer within 1.0s"), "\(scrapeError)")
        guard case .error(let queryError) = observations[1] else { Issue.record("prometheus: \(observations[1])"); return }
        #expect(queryError.hasPrefix("rps: "), "\(queryError)")
        #expect(observations[2] == .values([Quantity(milli: 0)]))
    }

    @Test("misconfigured sources are named before anything runs")
    func problems() {
        let spec = Self.spec([("inflight", false), ("queue", true)])
        #expect(MetricGatherer.problems(spec: spec, sources: ["inflight": .gateway("inflight"), "queue": .gateway("waiting")], localPool: true).isEmpty)
        let wrongFigure = MetricGatherer.problems(spec: spec, sources: ["inflight": .gateway("latency"), "queue": .gateway("waiting")], localPool: true)
        #expect(wrongFigure == [#"spec.metrics[0] (Pods inflight): the gateway has no per-member figure "latency" (inflight, requests_per_second, sessions)"#])
        let missing = MetricGatherer.problems(spec: spec, sources: ["inflight": .gateway("inflight")], localPool: true)
        #expect(missing == ["spec.metrics[1] (External queue): no source under metrics.queue (gateway, prometheus or scrape)"])
        let perMember = MetricGatherer.problems(spec: spec, sources: ["inflight": .prometheus(url: "http://p", query: "q"), "queue": .gateway("waiting")], localPool: true)
        #expect(perMember == ["spec.metrics[0] (Pods inflight): a Pods metric needs one value per member: use a gateway figure (in Kubernetes, a prometheus query giving a series per pod)"])
        // In Kubernetes: a Prometheus query may give the Pods metric (a series per pod), gateway figures may not.
        let inCluster = MetricGatherer.problems(spec: spec, sources: ["inflight": .prometheus(url: "http://p", query: "q"), "queue": .gateway("waiting")], localPool: false)
        #expect(inCluster == ["spec.metrics[1] (External queue): gateway figures exist for local pools only"])
        let gpu = HorizontalPodAutoscalerSpec(maxReplicas: 3, metrics: [.resource(name: "nvidia.com/gpu", target: MetricTarget(type: .utilization, averageUtilization: 50))])
        #expect(MetricGatherer.problems(spec: gpu, sources: [:], localPool: true) == ["spec.metrics[0] (Resource nvidia.com/gpu): a local pool measures cpu and memory only"])
        // metrics.k8s.io is asked for whatever resource the spec names.
        #expect(MetricGatherer.problems(spec: gpu, sources: [:], localPool: false).isEmpty)
    }
}

/// A loopback port nothing listens on (bound, then closed).
enum RefusedPort {
    static func find() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
