import Controller
import Foundation
import Logging
import Scaler
import Synchronization
import Testing
import TidepoolMetrics

/// An autoscaler whose only metric is a Prometheus query, while that Prometheus is killed and
/// started again: it holds its size while the metric is gone (the condition says why), and
/// scales again once the query answers.
@Suite("Prometheus restarted mid-run", .serialized)
struct PrometheusRestartTests {
    /// Pods all ready; the size is what was last set.
    final class Workload: ScaleTarget {
        let replicas: Mutex<Int32>
        init(_ replicas: Int32) { self.replicas = Mutex(replicas) }
        var description: String { "test/web" }
        func snapshot() async throws -> TargetSnapshot {
            let count = replicas.withLock { $0 }
            let pods = (0..<count).map { Pod(name: "web-\($0)", startTime: Timestamp(secondsSinceEpoch: 0), ready: true) }
            return TargetSnapshot(scale: Scale(specReplicas: count, statusReplicas: count), pods: pods)
        }
        func scale(to replicas: Int32) async throws { self.replicas.withLock { $0 = replicas } }
    }

    static func condition(_ autoscaler: Autoscaler, _ type: String) -> JSONValue? {
        guard case .array(let conditions)? = autoscaler.status?["conditions"] else { return nil }
        return conditions.first { $0["type"] == .string(type) }
    }

    @Test("killed: no scale-down and ScalingActive False naming the failure; restarted: the query answers and scaling resumes")
    func restart() async throws {
        let servers = try LoopbackServers.start()
        defer { servers.stop() }
        let url = "http://127.0.0.1:\(servers.prometheusPort)"
        // Three replicas' worth of demand once node_exporter has been scraped.
        let query = #"sum(up{job="node"}) * 3"#
        let yaml = """
            name: web
            target: {kubernetes: {kind: Deployment, name: web}}
            spec:
              minReplicas: 1
              maxReplicas: 10
              metrics:
                - type: External
                  external: {metric: {name: demand}, target: {type: AverageValue, averageValue: "1"}}
              behavior:
                scaleDown: {stabilizationWindowSeconds: 0}
            metrics:
              demand: {prometheus: {url: "\(url)", query: '\(query)'}}
            """
        let config = try AutoscalerConfig.decode(try DocumentLoader.parse(Array(yaml.utf8), source: "test.yaml"), baseDirectory: "/")
        let gatherer = MetricGatherer(spec: config.spec, sources: config.metricSources, pool: nil, gateway: nil, timeout: .seconds(2))
        let workload = Workload(5)
        let autoscaler = Autoscaler(config: config, target: workload, gatherer: gatherer, store: nil,
                                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let client = PrometheusClient(baseURL: url, timeout: .seconds(2))
        func answers() async -> Bool {
            if case .vector(let series)? = try? await client.query(query), series.first?.points.last?.value == 3 { return true }
            return false
        }
        func waitForAnswer() async throws {
            for _ in 0..<120 {
                if await answers() { return }
                try await Task.sleep(for: .milliseconds(250))
            }
            Issue.record("Prometheus did not answer within 30 s\n\(servers.logs())")
        }
        try await waitForAnswer()

        var now = Timestamp(Date())
        let first = try #require(await autoscaler.sync(at: now))
        #expect(first.desiredReplicas == 3 && first.rescale, "\(first.reason)")
        #expect(workload.replicas.withLock { $0 } == 3)

        // Somebody scaled it to 6; then Prometheus dies. Every sync while it is down holds 6.
        try await workload.scale(to: 6)
        let downStarted = ContinuousClock.now
        try await servers.restartPrometheus(whileDown: {
            for _ in 0..<3 {
                now = now + .seconds(15)
                let decision = try #require(await autoscaler.sync(at: now))
                #expect(decision.desiredReplicas == 6 && !decision.rescale, "\(decision.reason)")
            }
            let active = Self.condition(autoscaler, "ScalingActive")
            #expect(active?["status"] == .string("False"))
            #expect(active?["reason"] == .string("FailedGetExternalMetric"))
            let message: String = if case .string(let text)? = active?["message"] { text } else { "" }
            #expect(message.contains("refused"), "\(message)")
        })
        #expect(workload.replicas.withLock { $0 } == 6)

        // Back on the same port and data: the query answers again, and the next sync scales.
        try await waitForAnswer()
        print("Prometheus answered again \(ContinuousClock.now - downStarted) after it was killed")
        now = now + .seconds(15)
        let recovered = try #require(await autoscaler.sync(at: now))
        #expect(recovered.desiredReplicas == 3 && recovered.rescale, "\(recovered.reason)")
        #expect(Self.condition(autoscaler, "ScalingActive")?["status"] == .string("True"))
        #expect(workload.replicas.withLock { $0 } == 3)
    }

    @Test("a Pods metric from Prometheus: each series' pod label names its pod; series without one are an error that says so")
    func podsMetricFromPrometheus() async throws {
        let servers = try LoopbackServers.start()
        defer { servers.stop() }
        let url = "http://127.0.0.1:\(servers.prometheusPort)"
        func gatherer(_ query: String) throws -> MetricGatherer {
            let yaml = """
                name: web
                target: {kubernetes: {kind: Deployment, name: web}}
                spec:
                  maxReplicas: 10
                  metrics:
                    - type: Pods
                      pods: {metric: {name: busy}, target: {type: AverageValue, averageValue: "1"}}
                metrics:
                  busy: {prometheus: {url: "\(url)", query: '\(query)'}}
                """
            let config = try AutoscalerConfig.decode(try DocumentLoader.parse(Array(yaml.utf8), source: "test.yaml"), baseDirectory: "/")
            #expect(MetricGatherer.problems(spec: config.spec, sources: config.metricSources, localPool: false).isEmpty)
            return MetricGatherer(spec: config.spec, sources: config.metricSources, pool: nil, gateway: nil, timeout: .seconds(2))
        }
        let snapshot = TargetSnapshot(scale: Scale(specReplicas: 2, statusReplicas: 2),
                                      pods: [Pod(name: "web-0"), Pod(name: "web-1")])
        let now = Timestamp(Date())
        // Two series, labelled web-0 and web-1, each `up` (1) times 2 and 3.
        let labelled = try gatherer(#"label_replace(up{job="node"} * 2, "pod", "web-0", "", "") or label_replace(up{job="node"} * 3, "pod", "web-1", "", "")"#)
        var observation = MetricObservation.error("not gathered")
        for _ in 0..<120 {
            observation = await labelled.gather(for: snapshot, now: now)[0]
            if case .podValues(let values) = observation, values.count == 2 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        guard case .podValues(let values) = observation else { Issue.record("\(observation)"); return }
        #expect(Dictionary(uniqueKeysWithValues: values.map { ($0.pod, $0.sample.milliValue) }) == ["web-0": 2000, "web-1": 3000])
        let unlabelled = try gatherer(#"up{job="node"}"#)
        let error = await unlabelled.gather(for: snapshot, now: now)[0]
        #expect(error == .error("busy: the query's series have no pod label; keep it in the result (e.g. sum by (pod) (...))"))
    }
}
