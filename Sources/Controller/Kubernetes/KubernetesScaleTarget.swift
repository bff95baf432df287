import Foundation
import Logging
import Scaler
import Synchronization

/// A Kubernetes workload as a scale target, through the API server as the HPA controller
/// reaches it: the scale subresource (GET, and PATCH carrying the resourceVersion read), the
/// pods its `status.selector` matches, and their usage from metrics.k8s.io when the HPA has
/// Resource metrics.
public final class KubernetesScaleTarget: ScaleTarget {
    public let workload: WorkloadReference
    let client: KubernetesClient
    /// Whether each snapshot reads PodMetrics (the HPA has Resource or ContainerResource metrics).
    let readsPodUsage: Bool
    let logger: Logger
    /// The resource name (`deployments`), found once; the resourceVersion of the last read.
    private let state = Mutex<(resource: String?, resourceVersion: String?)>((nil, nil))

    public init(workload: WorkloadReference, client: KubernetesClient, readsPodUsage: Bool, logger: Logger) {
        self.workload = workload
        self.client = client
        self.readsPodUsage = readsPodUsage
        self.logger = logger
    }

    public var description: String { workload.description }

    public func snapshot() async throws -> TargetSnapshot {
        let namespace = workload.namespace
        return try await .kubernetes(
            scale: try await readScale(), target: workload.description, readsPodUsage: readsPodUsage,
            listPods: { selector in try await self.client.get("/api/v1/namespaces/\(namespace)/pods", query: [("labelSelector", selector)]) },
            listPodMetrics: { selector in
                try await self.client.get("/apis/metrics.k8s.io/v1beta1/namespaces/\(namespace)/pods", query: [("labelSelector", selector)])
            })
    }

    /// PATCHes spec.replicas with the resourceVersion of the last read. A conflict (somebody
    /// else wrote the workload meanwhile) is retried after a fresh read, as client-go's
    /// `RetryOnConflict` does, up to five times.
    public func scale(to replicas: Int32) async throws {
        let path = try await scalePath()
        var resourceVersion = state.withLock { $0.resourceVersion }
        for attempt in 1...5 {
            var metadata: [JSONObject.Entry] = []
            if let resourceVersion { metadata.append(.init("resourceVersion", .string(resourceVersion))) }
            let patch = JSONValue.record([
                "metadata": .object(JSONObject(metadata)),
                "spec": .record(["replicas": .number("\(replicas)")]),
            ])
            let failure: KubernetesAPIError
            do {
                let answer = try await client.mergePatch(path, patch)
                state.withLock { $0.resourceVersion = answer.at("metadata", "resourceVersion")?.stringValue }
                return
            } catch {
                failure = error
            }
            guard failure.isConflict, attempt < 5 else { throw failure }
            logger.info("scale_conflict", metadata: ["target": "\(workload)", "attempt": "\(attempt)", "error": "\(failure.message)"])
            resourceVersion = try await readScale().resourceVersion
        }
    }

    private func readScale() async throws -> KubernetesObjects.ScaleObject {
        let path = try await scalePath()
        let scale: KubernetesObjects.ScaleObject
        do {
            scale = try KubernetesObjects.scale(try await client.get(path))
        } catch let error as KubernetesAPIError where error.isNotFound {
            throw ScaleTargetError("\(workload) does not exist (or has no scale subresource): \(error.message)")
        }
        state.withLock { $0.resourceVersion = scale.resourceVersion }
        return scale
    }

    /// `/apis/apps/v1/namespaces/default/deployments/web/scale`. The resource name of a kind
    /// Tidepool does not know comes from discovery, as upstream's RESTMapper finds it.
    func scalePath() async throws -> String {
        let resource: String
        if let known = state.withLock({ $0.resource }) {
            resource = known
        } else if let known = WorkloadReference.wellKnownResources["\(workload.apiVersion)/\(workload.kind)"] {
            resource = known
        } else {
            let discovery = try await client.get(workload.groupVersionPath)
            guard let found = (discovery["resources"]?.arrayValue ?? []).first(where: { entry in
                entry["kind"] == .string(workload.kind) && !(entry["name"]?.stringValue ?? "/").contains("/")
            })?["name"]?.stringValue else {
                throw ScaleTargetError("\(workload.apiVersion) has no kind \(workload.kind) (asked \(workload.groupVersionPath))")
            }
            resource = found
        }
        state.withLock { $0.resource = resource }
        return "\(workload.groupVersionPath)/namespaces/\(workload.namespace)/\(resource)/\(workload.name)/scale"
    }
}
