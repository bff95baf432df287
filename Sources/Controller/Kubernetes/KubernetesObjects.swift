import Foundation
import Scaler

/// A workload named by apiVersion, kind, name and namespace, and the REST paths to it.
public struct WorkloadReference: Sendable, Equatable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var namespace: String

    public init(apiVersion: String, kind: String, name: String, namespace: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
    }

    /// "Deployment/default/web", as status and logs name it.
    public var description: String { "\(kind)/\(namespace)/\(name)" }

    /// `/apis/apps/v1` or `/api/v1`.
    var groupVersionPath: String {
        apiVersion.contains("/") ? "/apis/\(apiVersion)" : "/api/\(apiVersion)"
    }

    /// The API group without the version ("apps"; "" for the core group).
    var group: String {
        apiVersion.split(separator: "/").count == 2 ? String(apiVersion.split(separator: "/")[0]) : ""
    }

    /// The kinds whose resource name Tidepool knows without asking discovery.
    static let wellKnownResources: [String: String] = [
        "apps/v1/Deployment": "deployments", "apps/v1/StatefulSet": "statefulsets", "apps/v1/ReplicaSet": "replicasets",
        "v1/ReplicationController": "replicationcontrollers",
    ]
}

extension TargetSnapshot {
    /// What a Kubernetes target reads for a sync, however it reaches the API (client or
    /// kubectl): the scale, the pods of its selector, and their PodMetrics when asked for.
    /// A failed metrics read fails the resource metrics only.
    static func kubernetes(scale: KubernetesObjects.ScaleObject, target: String, readsPodUsage: Bool,
                           listPods: (String) async throws -> JSONValue,
                           listPodMetrics: (String) async throws -> JSONValue) async throws -> TargetSnapshot {
        guard let selector = scale.selector, !selector.isEmpty else {
            // Upstream's reason: the HPA cannot tell which pods are the workload's.
            throw ScaleTargetError("the scale subresource of \(target) has no status.selector, so its pods cannot be found")
        }
        let pods = (try await listPods(selector)["items"]?.arrayValue ?? []).compactMap(KubernetesObjects.pod)
        var usage: Result<[String: PodUsage], ScaleTargetError>?
        if readsPodUsage {
            do {
                usage = .success(KubernetesObjects.podUsage(list: try await listPodMetrics(selector)))
            } catch {
                usage = .failure(ScaleTargetError("unable to get metrics from the resource metrics API: \(error)"))
            }
        }
        return TargetSnapshot(scale: Scale(specReplicas: scale.specReplicas, statusReplicas: scale.statusReplicas),
                              pods: pods, podUsage: usage)
    }
}

/// Reading API objects into the Scaler's types.
enum KubernetesObjects {
    /// A scale subresource (autoscaling/v1 Scale): spec and status replicas, the selector
    /// string, the resourceVersion a write must carry.
    struct ScaleObject: Sendable {
        var specReplicas: Int32
        var statusReplicas: Int32
        var selector: String?
        var resourceVersion: String?
    }

    static func scale(_ object: JSONValue) throws -> ScaleObject {
        guard object["kind"] == .string("Scale") else {
            throw ScaleTargetError("the scale subresource answered with \(object["kind"]?.stringValue ?? "no kind"), not a Scale")
        }
        let spec = object.at("spec", "replicas")?.int64Value ?? 0
        let status = object.at("status", "replicas")?.int64Value ?? 0
        return ScaleObject(specReplicas: Int32(clamping: spec), statusReplicas: Int32(clamping: status),
                           selector: object.at("status", "selector")?.stringValue,
                           resourceVersion: object.at("metadata", "resourceVersion")?.stringValue)
    }

    /// A pod as upstream's replica calculator sees it: phase, deletion, start time, the Ready
    /// condition and its transition time, and each container's requests.
    static func pod(_ object: JSONValue) -> Pod? {
        guard let name = object.at("metadata", "name")?.stringValue else { return nil }
        let phase = object.at("status", "phase")?.stringValue.flatMap(Pod.Phase.init(rawValue:)) ?? .pending
        var ready: Bool?
        var readyTransition = Timestamp.distantPast
        for condition in object.at("status", "conditions")?.arrayValue ?? [] where condition["type"] == .string("Ready") {
            ready = condition["status"] == .string("True")
            if let time = condition["lastTransitionTime"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) { readyTransition = time }
        }
        return Pod(
            name: name, phase: phase, deleted: object.at("metadata", "deletionTimestamp")?.stringValue != nil,
            startTime: object.at("status", "startTime")?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            ready: ready, readyTransitionTime: readyTransition,
            containers: containers(object.at("spec", "containers")),
            initContainers: containers(object.at("spec", "initContainers")))
    }

    static func containers(_ value: JSONValue?) -> [Container] {
        (value?.arrayValue ?? []).map { container in
            var requests: [String: Int64] = [:]
            if case .object(let object)? = container.at("resources", "requests") {
                for entry in object.entries {
                    if let quantity = quantity(entry.value) { requests[entry.key] = quantity.milliValue }
                }
            }
            return Container(name: container["name"]?.stringValue ?? "", requests: requests,
                             restartPolicy: container["restartPolicy"]?.stringValue)
        }
    }

    static func quantity(_ value: JSONValue) -> Quantity? {
        switch value {
        case .string(let text): return try? Quantity(parsing: text)
        case .number(let text): return try? Quantity(parsing: text)
        default: return nil
        }
    }

    /// A PodMetricsList, by pod name.
    static func podUsage(list: JSONValue) -> [String: PodUsage] {
        var byPod: [String: PodUsage] = [:]
        for item in list["items"]?.arrayValue ?? [] {
            if let (pod, usage) = podUsage(item) { byPod[pod] = usage }
        }
        return byPod
    }

    /// One PodMetrics (metrics.k8s.io/v1beta1): when it was measured, over what window, and
    /// each container's usage in milli-units.
    static func podUsage(_ object: JSONValue) -> (pod: String, usage: PodUsage)? {
        guard let name = object.at("metadata", "name")?.stringValue,
              let timestamp = object["timestamp"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) else { return nil }
        let window = object["window"]?.stringValue.flatMap(TimeSpan.init(goText:)) ?? TimeSpan(nanoseconds: 60_000_000_000)
        var containers: [String: [String: Int64]] = [:]
        for container in object["containers"]?.arrayValue ?? [] {
            guard let containerName = container["name"]?.stringValue, case .object(let usage)? = container["usage"] else { continue }
            var values: [String: Int64] = [:]
            for entry in usage.entries {
                if let quantity = quantity(entry.value) { values[entry.key] = quantity.milliValue }
            }
            containers[containerName] = values
        }
        return (name, PodUsage(timestamp: timestamp, window: window, containers: containers))
    }
}

/// What the resource metrics API measured of one pod.
public struct PodUsage: Sendable, Equatable {
    public var timestamp: Timestamp
    public var window: TimeSpan
    /// Container name to resource name to usage in milli-units.
    public var containers: [String: [String: Int64]]

    public init(timestamp: Timestamp, window: TimeSpan, containers: [String: [String: Int64]]) {
        self.timestamp = timestamp
        self.window = window
        self.containers = containers
    }

    /// Upstream's resource metrics client: a pod's usage is the sum over its containers, and a
    /// pod missing the resource in any container has no value (it counts as missing).
    public func value(of resource: String, container: String?) -> Int64? {
        if let container { return containers[container]?[resource] }
        guard !containers.isEmpty else { return nil }
        var total: Int64 = 0
        for usage in containers.values {
            guard let value = usage[resource] else { return nil }
            total = total.addingReportingOverflow(value).partialValue
        }
        return total
    }
}
