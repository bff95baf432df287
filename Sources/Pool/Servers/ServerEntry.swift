import Logging
import Synchronization

/// A gateway entry (`mcp_servers.<id>`): a pool Tidepool runs, a remote server, or a group of
/// other entries. The gateway asks it for a member to send a request to.
public protocol ServerEntry: AnyObject, Sendable {
    var id: String { get }
    var strategy: BalancingStrategy { get }
    /// Every member, in a stable order (for status and metrics).
    var members: [Member] { get }
    /// A member to take a request now, skipping `excluded` member ids (those already tried);
    /// nil when none can.
    func choose(excluding excluded: Set<String>) -> Member?
    /// Whether any member could take a request now.
    var hasRoutableMember: Bool { get }
    /// Starts what the entry runs (processes, health checks).
    func start() async
    /// Stops it: drains in-flight calls, stops members.
    func shutdown() async
    /// A call is waiting and no member is in rotation: a pool scaled to zero starts one.
    func demandWhileEmpty()
    /// The queue of calls waiting for a member's slot, when members have `max_concurrency`.
    var admissionQueue: AdmissionQueue? { get }
}

extension ServerEntry {
    /// Entries that cannot start members ignore demand.
    public func demandWhileEmpty() {}

    public var admissionQueue: AdmissionQueue? { nil }

    /// Calls in flight on the entry's members.
    public var inflight: Int { members.reduce(0) { $0 + $1.inflight } }

    /// Members in rotation now.
    public var routableMembers: [Member] {
        let now = ContinuousClock.now
        return members.filter { $0.isRoutable(now: now) }
    }

    /// What a member answered to initialize, for the gateway's own answer to its clients.
    public var initializeResult: [UInt8]? {
        members.lazy.compactMap(\.initializeResult).first
    }
}

/// The balancer an entry keeps between requests, behind a lock.
final class BalancerBox: Sendable {
    private let balancer: Mutex<Balancer>

    init(strategy: BalancingStrategy) {
        balancer = Mutex(Balancer(strategy: strategy))
    }

    /// Picks among members in rotation by the strategy (each member weighs the same).
    func choose(among members: [Member], excluding excluded: Set<String>, logger: Logger) -> Member? {
        let now = ContinuousClock.now
        let candidates = members.filter { !excluded.contains($0.id) && $0.isRoutable(now: now) && $0.hasCapacity }
        guard !candidates.isEmpty else { return nil }
        let choices = candidates.map { BalancingCandidate(id: $0.id, inflight: $0.inflight) }
        guard let index = balancer.withLock({ $0.choose(choices) }) else { return nil }
        logger.debug("selected_member", metadata: ["mcp_server": "\(candidates[index].serverID)", "member": "\(candidates[index].id)"])
        return candidates[index]
    }

    /// Picks among weighted, prioritised candidates (a group's entries).
    func choose(_ candidates: [BalancingCandidate]) -> Int? {
        balancer.withLock { $0.choose(candidates) }
    }
}
