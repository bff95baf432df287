import Scaler

/// What one reconcile reads of its target: the scale subresource and the pods behind it.
public struct TargetSnapshot: Sendable {
    public var scale: Scale
    public var pods: [Pod]
    /// Local members' process ids by pod name, for their CPU and memory; empty elsewhere.
    public var processIDs: [String: Int32]
    /// The pods' resource usage from the metrics API (Kubernetes targets whose HPA has Resource
    /// metrics); nil where the target measures nothing itself. A failure is kept, so only the
    /// resource metrics fail this sync.
    public var podUsage: Result<[String: PodUsage], ScaleTargetError>?

    public init(scale: Scale, pods: [Pod], processIDs: [String: Int32] = [:],
                podUsage: Result<[String: PodUsage], ScaleTargetError>? = nil) {
        self.scale = scale
        self.pods = pods
        self.processIDs = processIDs
        self.podUsage = podUsage
    }
}

/// Something an autoscaler resizes: a local pool, a Kubernetes workload's scale subresource.
/// The seam the reconcile loop is written against, as upstream's controller is written
/// against the scale client.
public protocol ScaleTarget: Sendable {
    /// `pool/math`, `Deployment/default/web`: for logs and status.
    var description: String { get }
    func snapshot() async throws -> TargetSnapshot
    func scale(to replicas: Int32) async throws
}

public struct ScaleTargetError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
