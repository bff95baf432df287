import Foundation
import Scaler

/// Which series feeds each of the HPA's metrics (and the replica count), and the observations
/// they make together.
///
/// A series is found for a name, in this order: a `--series NAME=SELECTOR` flag; the
/// autoscaler's `scrape:` source (its metric name and labels); a CSV column of that name; a
/// query result whose `__name__` is the name; a query file named after it holding one series.
/// The replica count is the name `replicas`, or kube-state-metrics' replica series.
struct SeriesMapping {
    /// One HPA metric (or the replica count) and the series that feeds it.
    struct Feed {
        var name: String
        var series: SeriesFile.Series
        var source: String
        /// How long one of its values holds: 1.5 times its usual interval, so series sampled
        /// at different offsets line up, while a missing stretch stays a gap.
        var holds: TimeSpan
    }

    static let replicaSeriesNames = ["kube_deployment_spec_replicas", "kube_statefulset_replicas",
                                     "kube_deployment_status_replicas", "kube_statefulset_status_replicas"]

    let spec: HorizontalPodAutoscalerSpec
    let replicas: Feed
    /// Parallel to `spec.metrics`; nil for a metric type replay cannot feed.
    let metrics: [Feed?]

    init(spec: HorizontalPodAutoscalerSpec, sources: [String: MetricSourceConfig], flags: [String], files: [SeriesFile]) throws(InputError) {
        self.spec = spec
        var selectors: [String: (file: String?, labels: [String: String])] = [:]
        for flag in flags {
            guard let equals = flag.firstIndex(of: "="), equals != flag.startIndex else {
                throw InputError(source: "--series", message: "\"\(flag)\" is not NAME=FILE, NAME=FILE{label=\"value\"} or NAME={label=\"value\"}")
            }
            let name = String(flag[..<equals])
            selectors[name] = try Self.parseSelector(String(flag[flag.index(after: equals)...]), flag: flag)
        }
        for (name, source) in sources {
            if selectors[name] == nil, case .scrape(_, let metric, let labels) = source {
                var wanted = labels
                wanted["__name__"] = metric
                selectors[name] = (nil, wanted)
            }
        }
        let names = spec.metrics.map(Self.seriesName)
        for name in selectors.keys where name != "replicas" && !names.contains(name) {
            throw InputError(source: "--series", message: "\"\(name)\" is not a metric of this HPA\(FieldReader.suggestion(for: name, among: ["replicas"] + names.compactMap { $0 }))")
        }
        // A CSV column that feeds nothing is most likely a misspelt metric name.
        for file in files where file.format == .csv {
            for series in file.series {
                guard let column = series.name, column != "replicas", !names.contains(column) else { continue }
                throw InputError(source: file.source, message: "column \"\(column)\" is not a metric of this HPA\(FieldReader.suggestion(for: column, among: ["replicas"] + names.compactMap { $0 }))")
            }
        }

        self.replicas = try Self.find("replicas", selectors: selectors, files: files, alternatives: Self.replicaSeriesNames)
        var metrics: [Feed?] = []
        for name in names {
            guard let name else { metrics.append(nil); continue }
            metrics.append(try Self.find(name, selectors: selectors, files: files, alternatives: []))
        }
        self.metrics = metrics
    }

    /// The name a metric's series goes by: the resource name for Resource metrics, the metric
    /// name otherwise.
    static func seriesName(_ metric: MetricSpec) -> String? {
        switch metric {
        case .resource(let name, _), .containerResource(let name, _, _): return name
        case .pods(let metric, _), .object(_, let metric, _), .external(let metric, _): return metric.name
        case .unknown: return nil
        }
    }

    /// `FILE`, `FILE{a="b",c="d"}` or `{a="b"}`.
    static func parseSelector(_ text: String, flag: String) throws(InputError) -> (file: String?, labels: [String: String]) {
        guard let open = text.firstIndex(of: "{") else { return (text.isEmpty ? nil : text, [:]) }
        guard text.hasSuffix("}") else { throw InputError(source: "--series", message: "\"\(flag)\": the label selector must end with }") }
        let file = open == text.startIndex ? nil : String(text[..<open])
        var labels: [String: String] = [:]
        let body = text[text.index(after: open)..<text.index(before: text.endIndex)]
        for pair in body.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw InputError(source: "--series", message: "\"\(flag)\": \"\(pair)\" is not label=\"value\"") }
            var value = parts[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            labels[parts[0].trimmingCharacters(in: .whitespaces)] = value
        }
        return (file, labels)
    }

    private static func find(
        _ name: String, selectors: [String: (file: String?, labels: [String: String])], files: [SeriesFile], alternatives: [String]
    ) throws(InputError) -> Feed {
        var matches: [(file: SeriesFile, series: SeriesFile.Series)] = []
        if let selector = selectors[name] {
            let chosen = files.filter { file in
                guard let wanted = selector.file else { return true }
                return file.source == wanted || (file.source as NSString).lastPathComponent == wanted
            }
            if let wanted = selector.file, chosen.isEmpty {
                throw InputError(source: "--series", message: "\(name): \"\(wanted)\" is not one of the --metrics files")
            }
            for file in chosen {
                for series in file.series where selector.labels.allSatisfy({ series.labels[$0.key] == $0.value }) {
                    // A bare FILE selector takes a single-series file whole.
                    if selector.labels.isEmpty, file.series.count > 1 {
                        throw InputError(source: file.source, message: "holds \(file.series.count) series; pick \(name)'s with --series '\(name)=\(selector.file ?? "")\(Self.example(file.series[0]))'")
                    }
                    matches.append((file, series))
                }
            }
        } else {
            for file in files {
                for series in file.series where series.name == name || (series.name.map(alternatives.contains) ?? false) {
                    matches.append((file, series))
                }
            }
            if matches.isEmpty {
                for file in files where file.format == .queryRange && file.stem == name && file.series.count == 1 {
                    matches.append((file, file.series[0]))
                }
            }
        }
        guard !matches.isEmpty else {
            throw InputError(source: "--metrics", message: "no series for \(name == "replicas" ? "the replica count" : "metric \"\(name)\""): "
                             + "name a CSV column \(name), save it as \(name).json, or pass --series '\(name)=FILE{label=\"value\"}'")
        }
        guard matches.count == 1 else {
            let listed = matches.prefix(3).map { "\($0.file.source): \($0.series.labelText)" }.joined(separator: "; ")
            throw InputError(source: "--metrics", message: "\(matches.count) series could be \(name) (\(listed)\(matches.count > 3 ? "; ..." : "")); pick one with --series '\(name)=FILE{label=\"value\"}'")
        }
        let (file, series) = matches[0]
        guard !series.points.isEmpty else { throw InputError(source: file.source, message: "the series for \(name) has no points") }
        return Feed(name: name, series: series, source: file.source, holds: holdingTime(series))
    }

    private static func example(_ series: SeriesFile.Series) -> String {
        guard let (key, value) = series.labels.filter({ $0.key != "__name__" }).min(by: { $0.key < $1.key }) else { return "" }
        return "{\(key)=\"\(value)\"}"
    }

    private static func holdingTime(_ series: SeriesFile.Series) -> TimeSpan {
        guard series.points.count >= 2 else { return .seconds(300) }  // Prometheus's lookback delta
        var intervals: [Int64] = []
        intervals.reserveCapacity(series.points.count - 1)
        for index in 1..<series.points.count {
            intervals.append((series.points[index].time - series.points[index - 1].time).nanoseconds)
        }
        intervals.sort()
        return TimeSpan(nanoseconds: intervals[intervals.count / 2] * 3 / 2)
    }

    // MARK: - Observations

    /// One observation at every time any feed has a point. Each metric takes its feed's last
    /// point at or before that time while it holds; past that, or at an empty point, the metric
    /// failed (a gap). The replica count carries over gaps: a deployment keeps its size when
    /// its exporter misses a scrape.
    func observations() throws(InputError) -> [Observation] {
        var times = Set<Timestamp>()
        for feed in [replicas] + metrics.compactMap({ $0 }) {
            for point in feed.series.points { times.insert(point.time) }
        }
        let ordered = times.sorted()
        var cursors = Array(repeating: 0, count: metrics.count)
        var replicaCursor = 0
        var lastReplicas: Int32?
        var observations: [Observation] = []
        observations.reserveCapacity(ordered.count)
        let requests = podRequests()
        var pods: [Pod] = []
        for time in ordered {
            if let value = Self.value(of: replicas, at: time, cursor: &replicaCursor) {
                guard value.milliValue % 1000 == 0, value.milliValue >= 0, value.milliValue / 1000 <= Int64(Int32.max) else {
                    throw InputError(source: replicas.source, message: "replicas at \(time.rfc3339): \(value) is not a whole, non-negative count")
                }
                lastReplicas = Int32(value.milliValue / 1000)
            }
            guard let count = lastReplicas else { continue }  // nothing to scale before the first replica count
            if pods.count != Int(count) {
                pods = (0..<Int(count)).map { index in
                    Pod(name: "pod-\(index)", startTime: .distantPast, ready: true, readyTransitionTime: .distantPast,
                        containers: requests)
                }
            }
            var observed: [MetricObservation] = []
            observed.reserveCapacity(metrics.count)
            for (index, metric) in spec.metrics.enumerated() {
                guard let feed = metrics[index] else {
                    observed.append(.error("replay has no series for a \(metric.typeName) metric"))
                    continue
                }
                guard let value = Self.value(of: feed, at: time, cursor: &cursors[index]) else {
                    observed.append(.error("no value for \(feed.name) at \(time.rfc3339) in \(feed.source): a gap in the data"))
                    continue
                }
                observed.append(Self.observation(of: metric, value: value, pods: pods, at: time))
            }
            observations.append(Observation(timestamp: time, scale: Scale(specReplicas: count, statusReplicas: count),
                                            pods: pods, metrics: observed))
        }
        guard !observations.isEmpty else {
            throw InputError(source: replicas.source, message: "the replica series never has a value, so there is nothing to replay")
        }
        return observations
    }

    /// The feed's value at `time`: its last point at or before it, while that point holds.
    /// `cursor` walks forward with the (ascending) times asked for.
    private static func value(of feed: Feed, at time: Timestamp, cursor: inout Int) -> Quantity? {
        let points = feed.series.points
        while cursor + 1 < points.count, points[cursor + 1].time <= time { cursor += 1 }
        guard cursor < points.count, points[cursor].time <= time, time - points[cursor].time < feed.holds else { return nil }
        return points[cursor].value
    }

    /// Every pod requests 100 units of each resource a Utilization target divides by, so a
    /// series of utilization percentages can stand as each pod's usage: p units of 100 is p %.
    private func podRequests() -> [Container] {
        var containers: [String: [String: Int64]] = [:]
        for metric in spec.metrics {
            switch metric {
            case .resource(let name, let target) where target.type == .utilization:
                containers["app", default: [:]][name] = 100_000
            case .containerResource(let name, let container, let target) where target.type == .utilization:
                containers[container, default: [:]][name] = 100_000
            default:
                break
            }
        }
        if containers.isEmpty { return [Container(name: "app")] }
        return containers.sorted { $0.key < $1.key }.map { Container(name: $0.key, requests: $0.value) }
    }

    /// Resource and Pods values are per pod (utilization in percent for a Utilization
    /// target); Object and External values are the metric's own.
    private static func observation(of metric: MetricSpec, value: Quantity, pods: [Pod], at time: Timestamp) -> MetricObservation {
        switch metric {
        case .resource, .containerResource, .pods:
            let sample = PodSample(milliValue: value.milliValue, timestamp: time)
            return .podValues(pods.map { PodValue($0.name, sample) })
        case .object:
            return .value(value)
        case .external:
            return .values([value])
        case .unknown(let type):
            return .error("replay has no series for a \(type) metric")
        }
    }
}
