import Foundation
import Pool
import Scaler

/// A local pool as a scale target: its desired size is the scale's spec, its members are the
/// pods. A member starting is a running pod not yet ready (as a container before its
/// readiness probe passes); a member out of rotation (unhealthy, circuit open) is unready; a
/// draining member is a pod being deleted, which the algorithm ignores.
public struct PoolScaleTarget: ScaleTarget {
    public let pool: PoolServer
    /// Each member's requests, for Utilization targets on cpu and memory.
    public let requests: ResourceRequests

    public init(pool: PoolServer, requests: ResourceRequests) {
        self.pool = pool
        self.requests = requests
    }

    public var description: String { "pool/\(pool.id)" }

    public func snapshot() async throws -> TargetSnapshot {
        var pods: [Pod] = []
        var processIDs: [String: Int32] = [:]
        var live: Int32 = 0
        var containerRequests: [String: Int64] = [:]
        if let cpu = requests.cpu { containerRequests["cpu"] = cpu.milliValue }
        if let memory = requests.memory { containerRequests["memory"] = memory.milliValue }
        for member in pool.members {
            let phase = member.phase
            if phase == .stopped { continue }
            let leaving = phase == .draining
            if !leaving { live += 1 }
            let created = Timestamp(member.createdAt)
            pods.append(Pod(
                name: member.id, phase: .running, deleted: leaving, startTime: created,
                ready: phase == .ready, readyTransitionTime: member.readySince.map(Timestamp.init) ?? created,
                containers: [Container(name: "server", requests: containerRequests)]))
            if let pid = member.processID { processIDs[member.id] = pid }
        }
        return TargetSnapshot(scale: Scale(specReplicas: Int32(pool.desiredReplicas), statusReplicas: live),
                              pods: pods, processIDs: processIDs)
    }

    public func scale(to replicas: Int32) async throws {
        pool.resize(to: Int(replicas))
    }
}

extension Timestamp {
    public init(_ date: Date) {
        self.init(nanosecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1e9).rounded()))
    }

    var date: Date { Date(timeIntervalSince1970: Double(nanosecondsSinceEpoch) / 1e9) }
}
