import Foundation
import Pool
import Scaler
import Synchronization
import TidepoolMetrics

/// Gathers, for one autoscaler, what each metric of its HPA observed this sync: per-member
/// values of Resource and Pods metrics, a value for Object metrics, the matching series for
/// External ones. A source that fails or is slow yields `.error` for its metric only (the
/// HPA's invalid-metric rule takes it from there); it never holds up the other metrics.
///
/// Where values come from:
/// - `cpu` and `memory` (Resource, ContainerResource) of a local pool: each member's process
///   tree, CPU averaged over the time since the previous sync, resident memory now.
/// - `gateway: inflight | requests_per_second | sessions`: the gateway's own figures for the
///   pool, per member for Pods metrics and summed for Object and External ones. In-flight
///   calls are the mean over the time since the previous sync (an instant count at sync time
///   is noise); the first sync reads the count now.
/// - `prometheus: {url, query}`: an instant query; each series of a vector is a value.
/// - `scrape: {url, metric, labels}`: the samples of `metric` carrying `labels`.
public final class MetricGatherer: MetricsGathering {
    public static let gatewayFigures = ["inflight", "requests_per_second", "sessions", "waiting", "queue_length", "queue_wait"]

    let spec: HorizontalPodAutoscalerSpec
    let sources: [String: MetricSourceConfig]
    let pool: PoolServer?
    let gateway: Gateway?
    let timeout: Duration

    private struct Memory {
        var loads: [String: MemberLoad] = [:]
        var cpu = ProcessCPUMeter()
        var cpuRoots: [String: Int32] = [:]
        /// Each queue figure's previous reading (two figures must not share one).
        var queues: [String: QueueLoad] = [:]
    }
    private let memory = Mutex(Memory())

    public init(spec: HorizontalPodAutoscalerSpec, sources: [String: MetricSourceConfig], pool: PoolServer?, gateway: Gateway?,
                timeout: Duration) {
        self.spec = spec
        self.sources = sources
        self.pool = pool
        self.gateway = gateway
        self.timeout = timeout
    }

    /// Why a metric of `spec` can never be gathered with these sources, or nil when all can:
    /// checked once when the loop starts, so a misconfiguration is named up front.
    public static func problems(spec: HorizontalPodAutoscalerSpec, sources: [String: MetricSourceConfig], localPool: Bool) -> [String] {
        var problems: [String] = []
        for (index, metric) in spec.metrics.enumerated() {
            let name = metric.displayName
            let field = "spec.metrics[\(index)] (\(metric.typeName) \(name))"
            switch metric {
            case .resource(let resource, _), .containerResource(let resource, _, _):
                // In Kubernetes they come from metrics.k8s.io, whatever the resource.
                if localPool && resource != "cpu" && resource != "memory" {
                    problems.append("\(field): a local pool measures cpu and memory only")
                }
            case .pods(let identifier, _):
                switch sources[identifier.name] {
                case .gateway(let figure)?:
                    if !localPool { problems.append("\(field): gateway figures exist for local pools only") }
                    if !["inflight", "requests_per_second", "sessions"].contains(figure) {
                        problems.append("\(field): the gateway has no per-member figure \"\(figure)\" (inflight, requests_per_second, sessions)")
                    }
                case .prometheus? where !localPool:
                    break  // one series per pod, told apart by their `pod` label
                case nil:
                    problems.append("\(field): no source under metrics.\(identifier.name) (for a pool: {gateway: inflight}; in Kubernetes: a prometheus query with a pod label)")
                default:
                    problems.append("\(field): a Pods metric needs one value per member: use a gateway figure (in Kubernetes, a prometheus query giving a series per pod)")
                }
            case .object(_, let identifier, _), .external(let identifier, _):
                switch sources[identifier.name] {
                case .gateway(let figure)?:
                    if !localPool { problems.append("\(field): gateway figures exist for local pools only") }
                    if !gatewayFigures.contains(figure) {
                        problems.append("\(field): the gateway has no figure \"\(figure)\" (\(gatewayFigures.joined(separator: ", ")))")
                    }
                case nil:
                    problems.append("\(field): no source under metrics.\(identifier.name) (gateway, prometheus or scrape)")
                default:
                    break
                }
            case .unknown(let type):
                problems.append("\(field): unknown metric type \(type)")
            }
        }
        return problems
    }

    /// One observation per spec metric, in order, gathered concurrently.
    public func gather(for snapshot: TargetSnapshot, now: Timestamp) async -> [MetricObservation] {
        let podNames = snapshot.pods.map(\.name)
        let figures = memberFigures(members: pool?.members ?? [])
        let processes = processFigures(snapshot.processIDs)
        return await withTaskGroup(of: (Int, MetricObservation).self) { group in
            for (index, metric) in spec.metrics.enumerated() {
                group.addTask {
                    (index, await self.observe(metric, podNames: podNames, figures: figures, processes: processes,
                                               podUsage: snapshot.podUsage, now: now))
                }
            }
            var results = Array(repeating: MetricObservation.error("not gathered"), count: spec.metrics.count)
            for await (index, observation) in group { results[index] = observation }
            return results
        }
    }

    private func observe(_ metric: MetricSpec, podNames: [String], figures: [String: MemberFigures],
                         processes: [String: ProcessFigures], podUsage: Result<[String: PodUsage], ScaleTargetError>?,
                         now: Timestamp) async -> MetricObservation {
        switch metric {
        case .resource(let resource, _), .containerResource(let resource, _, _):
            if let podUsage {
                var container: String?
                if case .containerResource(_, let name, _) = metric { container = name }
                return Self.resourceValues(resource, container: container, from: podUsage)
            }
            return resourceValues(resource, podNames: podNames, processes: processes, now: now)
        case .pods(let identifier, _):
            if case .prometheus(let url, let query)? = sources[identifier.name] {
                return await podValues(identifier.name, url: url, query: query, now: now)
            }
            guard case .gateway(let figure)? = sources[identifier.name] else {
                return .error("no per-member source for \(identifier.name)")
            }
            var samples: [PodValue] = []
            for name in podNames {
                guard let member = figures[name], let value = member.value(of: figure) else { continue }
                samples.append(PodValue(name, PodSample(milliValue: Self.milli(value), timestamp: now, window: member.window)))
            }
            return .podValues(samples)
        case .object(_, let identifier, _):
            switch await values(identifier, figures: figures) {
            case .success(let values) where values.count == 1: return .value(values[0])
            case .success(let values): return .error("\(identifier.name): expected one value, found \(values.count)")
            case .failure(let error): return .error(error.description)
            }
        case .external(let identifier, _):
            switch await values(identifier, figures: figures) {
            case .success(let values): return .values(values)
            case .failure(let error): return .error(error.description)
            }
        case .unknown(let type):
            return .error("unknown metric type \(type)")
        }
    }

    private func resourceValues(_ resource: String, podNames: [String], processes: [String: ProcessFigures], now: Timestamp) -> MetricObservation {
        var samples: [PodValue] = []
        for name in podNames {
            guard let figures = processes[name] else { continue }
            switch resource {
            case "cpu":
                // A member seen for the first time has no interval yet: it is a missing pod.
                guard let cpu = figures.cpu else { continue }
                let window = TimeSpan(nanoseconds: cpu.interval.nanoseconds)
                samples.append(PodValue(name, PodSample(milliValue: cpu.milliCores, timestamp: now, window: window)))
            case "memory":
                let (milli, overflow) = figures.residentBytes.multipliedReportingOverflow(by: 1000)
                samples.append(PodValue(name, PodSample(milliValue: overflow ? .max : milli, timestamp: now)))
            default:
                return .error("a local pool measures cpu and memory, not \(resource)")
            }
        }
        return .podValues(samples)
    }

    /// Resource metrics from the metrics API, as upstream's resource metrics client reads them.
    static func resourceValues(_ resource: String, container: String?,
                               from usage: Result<[String: PodUsage], ScaleTargetError>) -> MetricObservation {
        switch usage {
        case .failure(let error):
            return .error(error.description)
        case .success(let byPod):
            var samples: [PodValue] = []
            for (pod, podUsage) in byPod.sorted(by: { $0.key < $1.key }) {
                guard let value = podUsage.value(of: resource, container: container) else { continue }
                samples.append(PodValue(pod, PodSample(milliValue: value, timestamp: podUsage.timestamp, window: podUsage.window)))
            }
            if samples.isEmpty {
                return .error("no \(resource) metrics returned from the resource metrics API\(container.map { " for container \($0)" } ?? "")")
            }
            return .podValues(samples)
        }
    }

    /// A Pods metric from Prometheus: each series of the instant vector is one pod's value,
    /// named by its `pod` label (as the Prometheus adapter maps series to pods).
    private func podValues(_ name: String, url: String, query: String, now: Timestamp) async -> MetricObservation {
        do {
            let client = PrometheusClient(baseURL: url, timeout: timeout)
            guard case .vector(let series) = try await client.query(query) else {
                return .error("\(name): a Pods metric needs an instant vector with a series per pod")
            }
            var samples: [PodValue] = []
            for one in series {
                guard let pod = one.labels["pod"], let point = one.points.last else { continue }
                samples.append(PodValue(pod, PodSample(milliValue: Self.milli(point.value), timestamp: now)))
            }
            if samples.isEmpty && !series.isEmpty {
                return .error("\(name): the query's series have no pod label; keep it in the result (e.g. sum by (pod) (...))")
            }
            return .podValues(samples)
        } catch {
            return .error("\(name): \(error.description)")
        }
    }

    private func values(_ identifier: MetricIdentifier, figures: [String: MemberFigures]) async -> Result<[Quantity], SourceError> {
        switch sources[identifier.name] {
        case .gateway(let figure)?:
            if figure == "waiting" { return .success([Quantity(milli: Int64(gateway?.waitingCallCount ?? 0) * 1000)]) }
            if figure == "queue_length" || figure == "queue_wait" {
                guard let queue = pool?.admissionQueue else {
                    return .failure(SourceError("\(identifier.name): the pool has no queue (set max_concurrency)"))
                }
                return .success([Quantity(milli: Self.milli(queueFigure(figure, now: queue.load)))])
            }
            let total = figures.values.compactMap { $0.value(of: figure) }.reduce(0, +)
            return .success([Quantity(milli: Self.milli(total))])
        case .prometheus(let url, let query)?:
            do {
                let client = PrometheusClient(baseURL: url, timeout: timeout)
                switch try await client.query(query) {
                case .vector(let series):
                    return .success(series.compactMap { $0.points.last.map { Quantity(milli: Self.milli($0.value)) } })
                case .scalar(let point):
                    return .success([Quantity(milli: Self.milli(point.value))])
                case .matrix:
                    return .failure(SourceError("\(identifier.name): the query gives a range vector; use an instant vector (e.g. rate(...[2m]))"))
                case .string:
                    return .failure(SourceError("\(identifier.name): the query gives a string, not a number"))
                }
            } catch {
                return .failure(SourceError("\(identifier.name): \(error.description)"))
            }
        case .scrape(let url, let metric, let labels)?:
            // A client per scrape: at one scrape a sync period, pooling saves nothing, and
            // nothing is left to shut down.
            let scraper = Scraper(timeout: timeout)
            defer { Task { try? await scraper.shutdown() } }
            do {
                let exposition = try await scraper.scrape(url).exposition()
                let matching = exposition.samples.filter { sample in
                    sample.name == metric && labels.allSatisfy { wanted in sample.labels.contains { $0.name == wanted.key && $0.value == wanted.value } }
                }
                if matching.isEmpty { return .failure(SourceError("\(identifier.name): \(url) has no sample \(metric)\(Self.selector(labels))")) }
                return .success(matching.map { Quantity(milli: Self.milli($0.value)) })
            } catch {
                return .failure(SourceError("\(identifier.name): \(error.description)"))
            }
        case nil:
            return .failure(SourceError("no source configured for \(identifier.name)"))
        }
    }

    private static func selector(_ labels: [String: String]) -> String {
        labels.isEmpty ? "" : "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    /// Metric values become milli-units rounding up, as adapters do for fractional values.
    static func milli(_ value: Double) -> Int64 {
        guard value.isFinite else { return value > 0 ? .max : 0 }
        let scaled = (value * 1000).rounded(.up)
        if scaled >= Double(Int64.max) { return .max }
        if scaled <= Double(Int64.min) { return .min }
        return Int64(scaled)
    }

    // MARK: - Figures since the previous sync

    struct MemberFigures: Sendable {
        var inflight: Double
        var requestsPerSecond: Double?
        var sessions: Double
        var window: TimeSpan

        func value(of figure: String) -> Double? {
            switch figure {
            case "inflight": return inflight
            case "requests_per_second": return requestsPerSecond
            case "sessions": return sessions
            default: return nil
            }
        }
    }

    private func memberFigures(members: [Member]) -> [String: MemberFigures] {
        let readings = members.map { ($0.id, $0.load, $0.inflight, $0.sessions) }
        return memory.withLock { memory in
            var figures: [String: MemberFigures] = [:]
            var seen: [String: MemberLoad] = [:]
            for (id, load, inflightNow, sessions) in readings {
                seen[id] = load
                if let previous = memory.loads[id], load.at > previous.at {
                    let nanoseconds = Double((load.at - previous.at).nanoseconds)
                    figures[id] = MemberFigures(
                        inflight: Double(load.busyNanoseconds - previous.busyNanoseconds) / nanoseconds,
                        requestsPerSecond: Double(load.served - previous.served) / (nanoseconds / 1e9),
                        sessions: Double(sessions), window: TimeSpan(nanoseconds: Int64(nanoseconds)))
                } else {
                    figures[id] = MemberFigures(inflight: Double(inflightNow), requestsPerSecond: nil, sessions: Double(sessions),
                                                window: .zero)
                }
            }
            memory.loads = seen
            return figures
        }
    }

    /// The mean queue length, or the mean wait in seconds of the calls admitted, since the
    /// previous reading (the length now at the first).
    private func queueFigure(_ figure: String, now: QueueLoad) -> Double {
        memory.withLock { memory in
            defer { memory.queues[figure] = now }
            guard let previous = memory.queues[figure], now.at > previous.at else {
                return figure == "queue_length" ? Double(now.length) : 0
            }
            if figure == "queue_length" {
                let nanoseconds = Double((now.at - previous.at).nanoseconds)
                return Double(now.lengthNanoseconds - previous.lengthNanoseconds) / nanoseconds
            }
            let admitted = now.admitted - previous.admitted
            return admitted == 0 ? 0 : Double(now.admittedWaitNanoseconds - previous.admittedWaitNanoseconds) / 1e9 / Double(admitted)
        }
    }

    private func processFigures(_ processIDs: [String: Int32]) -> [String: ProcessFigures] {
        let needed = spec.metrics.contains { metric in
            if case .resource = metric { return true }
            if case .containerResource = metric { return true }
            return false
        }
        guard needed, !processIDs.isEmpty, let table = try? ProcessTable.current() else { return [:] }
        let instant = MonotonicInstant.now()
        return memory.withLock { memory in
            var figures: [String: ProcessFigures] = [:]
            for (name, pid) in processIDs {
                guard let sample = try? table.treeSample(root: pid, at: instant) else { continue }
                figures[name] = memory.cpu.record(sample)
            }
            // Members gone since the previous sync: their samples go too.
            for (name, pid) in memory.cpuRoots where processIDs[name] != pid { memory.cpu.forget(root: pid) }
            memory.cpuRoots = processIDs
            return figures
        }
    }
}

/// Where an autoscaler's metric values come from each sync: the seam tests replace.
public protocol MetricsGathering: Sendable {
    /// One observation per metric of the autoscaler's spec, in order.
    func gather(for snapshot: TargetSnapshot, now: Timestamp) async -> [MetricObservation]
}

struct SourceError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
