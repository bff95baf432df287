import Foundation
import Scaler

/// The TidepoolAutoscaler custom resource (tidepool.dev/v1alpha1, manifests/01-crd.yaml): its
/// spec is an HPA v2 spec plus `metricSources` and `schedules`; its status is the HPA's status
/// plus the last explanation.
public enum AutoscalerResource {
    public static let group = "tidepool.dev"
    public static let version = "v1alpha1"
    public static let kind = "TidepoolAutoscaler"
    public static let plural = "tidepoolautoscalers"

    /// All namespaces (nil) or one.
    static func listPath(namespace: String?) -> String {
        if let namespace { return "/apis/\(group)/\(version)/namespaces/\(namespace)/\(plural)" }
        return "/apis/\(group)/\(version)/\(plural)"
    }

    static func statusPath(namespace: String, name: String) -> String {
        "/apis/\(group)/\(version)/namespaces/\(namespace)/\(plural)/\(name)/status"
    }

    /// What the controller keeps of one resource.
    public struct Identity: Sendable, Equatable, Hashable {
        public var namespace: String
        public var name: String
        /// The autoscaler's name in logs, status and the state directory: `namespace/name`.
        public var key: String { "\(namespace)/\(name)" }
    }

    /// The autoscaler a resource describes. Errors name the field from the resource's root
    /// (`spec.metrics[0].resource.target`), as the API server's validation would.
    public static func decode(_ object: JSONValue) throws(CaseError) -> (identity: Identity, uid: String?, generation: Int64, config: AutoscalerConfig) {
        guard let name = object.at("metadata", "name")?.stringValue else { throw CaseError("has no name", at: ["metadata", "name"]) }
        let namespace = object.at("metadata", "namespace")?.stringValue ?? "default"
        guard case .object(let spec)? = object["spec"] else { throw CaseError("is missing", at: ["spec"]) }
        let config = try at("spec") { () throws(CaseError) -> AutoscalerConfig in
            // The HPA part goes through the HPA decoder, the rest is Tidepool's.
            let hpaEntries = spec.entries.filter { $0.key != "metricSources" && $0.key != "schedules" }
            if !hpaEntries.contains(where: { $0.key == "scaleTargetRef" }) {
                throw CaseError("is missing", at: ["scaleTargetRef"])
            }
            let hpa = try HorizontalPodAutoscalerSpec.decode(.object(JSONObject(hpaEntries)))
            let reference = spec["scaleTargetRef"] ?? .null
            let kind = try at("scaleTargetRef") { () throws(CaseError) in try Read.string(reference["kind"] ?? .null) }
            let targetName = try at("scaleTargetRef") { () throws(CaseError) in try Read.string(reference["name"] ?? .null) }
            let apiVersion = reference["apiVersion"]?.stringValue ?? "apps/v1"
            var sources: [String: MetricSourceConfig] = [:]
            if case .object(let object)? = spec["metricSources"] {
                for entry in object.entries {
                    sources[entry.key] = try at("metricSources") { () throws(CaseError) in
                        try at(entry.key) { () throws(CaseError) in try MetricSourceConfig.decode(entry.value) }
                    }
                }
            } else if let other = spec["metricSources"], other != .null {
                throw CaseError("expected an object of metric name to source, found \(other.typeName)", at: ["metricSources"])
            }
            var schedules: ScheduleSet?
            if let value = spec["schedules"], value != .null {
                schedules = try at("schedules") { () throws(CaseError) in try ScheduleConfig.decode(value, field: "spec.schedules") }
            }
            return AutoscalerConfig(
                name: "\(namespace)/\(name)",
                target: .kubernetes(apiVersion: apiVersion, kind: kind, name: targetName, namespace: namespace),
                metadata: ObjectMeta(name: name, namespace: namespace), spec: hpa.spec,
                metricSources: sources, schedules: schedules)
        }
        let problems = MetricGatherer.problems(spec: config.spec, sources: config.metricSources, localPool: false)
        if let first = problems.first { throw CaseError(first, at: ["spec"]) }
        return (Identity(namespace: namespace, name: name), object.at("metadata", "uid")?.stringValue,
                object.at("metadata", "generation")?.int64Value ?? 0, config)
    }

    /// The resource's `status` from an autoscaler's `/status` entry: the HPA's fields (current
    /// and desired replicas, last scale time, current metrics, conditions) plus the explanation
    /// and the schedule in force. It goes out as a merge patch, where a null removes the field
    /// (an error that cleared, a lastScaleTime not yet set), so nulls stay.
    static func status(from entry: JSONValue, observedGeneration: Int64) -> JSONValue {
        var fields: [JSONObject.Entry] = [.init("observedGeneration", .number("\(observedGeneration)"))]
        for key in ["lastSyncTime", "currentReplicas", "desiredReplicas", "lastScaleTime", "currentMetrics", "conditions", "explanation", "schedule", "error"] {
            if let value = entry[key] { fields.append(.init(key, value)) }
        }
        return .object(JSONObject(fields))
    }
}
