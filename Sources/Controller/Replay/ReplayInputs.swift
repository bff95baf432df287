import Foundation
import TidepoolMetrics
import Scaler

/// The policy a replay runs: an HPA, and what a Tidepool autoscaler adds to it.
public struct ReplayPolicy: Sendable {
    public var metadata: ObjectMeta
    public var spec: HorizontalPodAutoscalerSpec
    public var schedules: ScheduleSet?
    /// From an autoscaler's `metrics:`; used to find each metric's series in saved query results.
    public var metricSources: [String: MetricSourceConfig]
}

/// Reads replay inputs: the policy, and the observations from any of the formats replay takes.
public enum ReplayInputs {
    /// `--hpa`: a HorizontalPodAutoscaler (as kubectl prints it, or a bare spec), a Tidepool
    /// autoscaler entry, or a whole configuration; `FILE#NAME` picks one of its autoscalers.
    public static func policy(_ argument: String) throws(InputError) -> ReplayPolicy {
        var path = argument
        var wanted: String?
        if !FileManager.default.fileExists(atPath: argument), let hash = argument.lastIndex(of: "#") {
            path = String(argument[..<hash])
            wanted = String(argument[argument.index(after: hash)...])
        }
        let document = try DocumentLoader.load(path)
        let directory = (path as NSString).deletingLastPathComponent
        do throws(CaseError) {
            guard case .object(let object) = document else { throw CaseError("expected an object, found \(document.typeName)") }
            if let list = object["autoscalers"] {
                let entries = try at("autoscalers") { () throws(CaseError) in try Read.array(list) }
                var names: [String] = []
                for (index, entry) in entries.enumerated() {
                    let name = try at("autoscalers") { () throws(CaseError) in
                        try at(index: index) { () throws(CaseError) in try FieldReader(entry).required("name", Read.string) }
                    }
                    names.append(name)
                    guard wanted == nil || wanted == name else { continue }
                    guard wanted != nil || entries.count == 1 else { continue }
                    let config = try at("autoscalers") { () throws(CaseError) in
                        try at(index: index) { () throws(CaseError) in try AutoscalerConfig.decode(entry, baseDirectory: directory) }
                    }
                    return ReplayPolicy(config)
                }
                if let wanted {
                    throw CaseError("no autoscaler is named \"\(wanted)\"; this file has \(names.joined(separator: ", "))").prefixed("autoscalers")
                }
                throw CaseError("holds \(names.count) autoscalers; pick one with \(path)#NAME (\(names.joined(separator: ", ")))").prefixed("autoscalers")
            }
            if object["hpa"] != nil || (object["spec"] != nil && object["target"] != nil) || object["schedules"] != nil {
                return ReplayPolicy(try AutoscalerConfig.decode(document, baseDirectory: directory))
            }
            let (metadata, spec) = try HorizontalPodAutoscalerSpec.decode(document)
            return ReplayPolicy(metadata: metadata, spec: spec, schedules: nil, metricSources: [:])
        } catch {
            throw InputError(source: path, message: error.description)
        }
    }

    /// A native recording: JSON Lines observations.
    public static func recording(_ path: String) throws(InputError) -> [Observation] {
        try recording(bytes: try DocumentLoader.readBytes(path), source: path)
    }

    static func recording(bytes: [UInt8], source: String) throws(InputError) -> [Observation] {
        do {
            return try RecordingReader.read(bytes)
        } catch {
            throw InputError(source: source, message: "\(error)")
        }
    }

    /// `--metrics` files, each a recording, a CSV table or a saved Prometheus query_range
    /// response, told apart by their content. A recording stands alone; CSV and query results
    /// are joined into one table of values and mapped onto the HPA's metrics.
    public static func observations(
        _ paths: [String], policy: ReplayPolicy, seriesFlags: [String] = []
    ) throws(InputError) -> [Observation] {
        var sources: [SeriesFile] = []
        for path in paths {
            let bytes = try DocumentLoader.readBytes(path)
            switch SeriesFile.detectFormat(bytes, path: path) {
            case .recording:
                guard paths.count == 1 else {
                    throw InputError(source: path, message: "a recording already holds every metric; replay it alone, without other --metrics files")
                }
                return try recording(bytes: bytes, source: path)
            case .csv:
                sources.append(try SeriesFile.csv(bytes, source: path))
            case .queryRange:
                sources.append(try SeriesFile.queryRange(bytes, source: path))
            }
        }
        let mapping = try SeriesMapping(spec: policy.spec, sources: policy.metricSources, flags: seriesFlags, files: sources)
        return try mapping.observations()
    }
}

extension ReplayPolicy {
    init(_ config: AutoscalerConfig) {
        self.init(metadata: config.metadata, spec: config.spec, schedules: config.schedules, metricSources: config.metricSources)
    }
}
