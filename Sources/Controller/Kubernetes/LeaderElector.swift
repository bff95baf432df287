import Foundation
import Logging
import Scaler
import Synchronization

/// Leader election on a coordination.k8s.io/v1 Lease, as client-go's `leaderelection` does it:
/// try to acquire every retry period; once leader, renew every retry period; a leader that has
/// not renewed within the renew deadline is no longer leader. Another candidate takes a lease
/// only when it saw the same record unchanged for a whole lease duration on its own clock, so
/// the clocks of the two never need to agree.
public final class LeaderElector: Sendable {
    public struct Settings: Sendable, Equatable {
        public var leaseName: String
        public var namespace: String
        public var leaseDuration: Duration
        public var renewDeadline: Duration
        public var retryPeriod: Duration

        /// client-go's defaults: lease 15 s, renew deadline 10 s, retry 2 s.
        public init(leaseName: String = "tidepool", namespace: String = "default", leaseDuration: Duration = .seconds(15),
                    renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2)) {
            self.leaseName = leaseName
            self.namespace = namespace
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
        }
    }

    public let identity: String
    public let settings: Settings
    let client: KubernetesClient
    let logger: Logger

    private struct State {
        /// When this candidate last wrote the lease as its holder (its own clock).
        var renewedAt: ContinuousClock.Instant?
        /// The record last read, and when it was first seen as it is.
        var observedRecord: JSONValue?
        var observedAt: ContinuousClock.Instant?
        var holder: String?
    }
    private let state = Mutex(State())

    public init(identity: String, settings: Settings, client: KubernetesClient, logger: Logger) {
        self.identity = identity
        self.settings = settings
        self.client = client
        self.logger = logger
    }

    /// Leader now: the lease was renewed by this candidate within the renew deadline. Checked
    /// before every scale, so a leader cut off from the API server stops at the deadline even
    /// while its renewal is still hanging.
    public var isLeader: Bool {
        state.withLock { state in
            guard let renewedAt = state.renewedAt else { return false }
            return ContinuousClock.now < renewedAt + settings.renewDeadline
        }
    }

    /// Who holds the lease as last read (nil before the first read or when nobody does).
    public var holder: String? { state.withLock { $0.holder } }

    var leasePath: String {
        "/apis/coordination.k8s.io/v1/namespaces/\(settings.namespace)/leases/\(settings.leaseName)"
    }

    /// Acquires and renews until cancelled; then, if leader, releases the lease so another
    /// candidate takes over within a retry period instead of a lease duration.
    public func run() async {
        var wasLeader = false
        while !Task.isCancelled {
            let attemptStarted = ContinuousClock.now
            let acquired = await tryAcquireOrRenew()
            let leader = isLeader
            if leader && !wasLeader {
                logger.info("leader_elected", metadata: ["identity": "\(identity)", "lease": "\(settings.namespace)/\(settings.leaseName)"])
            } else if !leader && wasLeader {
                logger.warning("leadership_lost", metadata: [
                    "identity": "\(identity)", "lease": "\(settings.namespace)/\(settings.leaseName)",
                    "reason": "\(acquired ? "lease taken" : "not renewed within the renew deadline")",
                ])
            }
            wasLeader = leader
            // client-go jitters the acquire retries by up to 20 %; a leader renews on the period.
            let jitter = leader ? Duration.zero : settings.retryPeriod * Double.random(in: 0...0.2)
            try? await Task.sleep(until: attemptStarted + settings.retryPeriod + jitter, clock: .continuous)
        }
        // The run was cancelled, and a cancelled task's requests fail at once: release from a
        // task of its own.
        if wasLeader || isLeader { await Task { await self.release() }.value }
    }

    /// One attempt: create the lease if there is none; take it if it is free or expired (as
    /// observed here); renew it if it is ours. False when another candidate holds it or the
    /// write lost a race.
    func tryAcquireOrRenew() async -> Bool {
        let now = Timestamp(Date())
        let existing: JSONValue
        do {
            existing = try await client.get(leasePath)
        } catch where error.isNotFound {
            return await write(nil, now: now)
        } catch {
            logger.warning("lease_unreadable", metadata: ["lease": "\(leasePath)", "error": "\(error)"])
            return false
        }
        let spec = existing["spec"] ?? .object(JSONObject())
        let holder = spec["holderIdentity"]?.stringValue ?? ""
        let observedNow = ContinuousClock.now
        let (observedAt, leaderIsUs) = state.withLock { state -> (ContinuousClock.Instant, Bool) in
            if state.observedRecord != spec {
                state.observedRecord = spec
                state.observedAt = observedNow
            }
            state.holder = holder.isEmpty ? nil : holder
            return (state.observedAt ?? observedNow, holder == identity)
        }
        let duration = spec["leaseDurationSeconds"]?.int64Value.map { Duration.seconds($0) } ?? settings.leaseDuration
        if !holder.isEmpty && !leaderIsUs && observedNow < observedAt + duration {
            // Held by another candidate whose lease has not run out on our clock.
            if isLeader { state.withLock { $0.renewedAt = nil } }
            return false
        }
        return await write(existing, now: now)
    }

    /// Writes this candidate's record: a create when `existing` is nil, else an update carrying
    /// its resourceVersion (so two candidates taking an expired lease cannot both win).
    private func write(_ existing: JSONValue?, now: Timestamp) async -> Bool {
        let oldSpec = existing?["spec"]
        let keepsHolder = oldSpec?["holderIdentity"]?.stringValue == identity
        let transitions = oldSpec?["leaseTransitions"]?.int64Value ?? 0
        let acquireTime = keepsHolder ? (oldSpec?["acquireTime"] ?? .string(Self.microTime(now))) : .string(Self.microTime(now))
        let spec = JSONValue.record([
            "holderIdentity": .string(identity),
            "leaseDurationSeconds": .number("\(settings.leaseDuration.nanoseconds / 1_000_000_000)"),
            "acquireTime": acquireTime,
            "renewTime": .string(Self.microTime(now)),
            "leaseTransitions": .number("\(keepsHolder || existing == nil ? transitions : transitions + 1)"),
        ])
        let attemptedAt = ContinuousClock.now
        do {
            if let existing {
                var metadata = existing["metadata"] ?? .object(JSONObject())
                if case .object(var object) = metadata {
                    object.entries.removeAll { $0.key == "managedFields" }
                    metadata = .object(object)
                }
                _ = try await client.update(leasePath, .record([
                    "apiVersion": .string("coordination.k8s.io/v1"), "kind": .string("Lease"), "metadata": metadata, "spec": spec,
                ]))
            } else {
                _ = try await client.create("/apis/coordination.k8s.io/v1/namespaces/\(settings.namespace)/leases", .record([
                    "apiVersion": .string("coordination.k8s.io/v1"), "kind": .string("Lease"),
                    "metadata": .record(["name": .string(settings.leaseName), "namespace": .string(settings.namespace)]),
                    "spec": spec,
                ]))
            }
        } catch {
            if !error.isConflict && error.code != 409 {
                logger.warning("lease_not_written", metadata: ["lease": "\(leasePath)", "error": "\(error)"])
            }
            return false
        }
        state.withLock { state in
            // Counted from when the write was sent: the server may have applied it at once.
            state.renewedAt = attemptedAt
            state.observedRecord = spec
            state.observedAt = attemptedAt
            state.holder = identity
        }
        return true
    }

    /// Gives the lease up (client-go's ReleaseOnCancel): an empty holder and a one-second
    /// duration, so the next candidate need not wait out the lease.
    func release() async {
        state.withLock { $0.renewedAt = nil }
        guard let existing = try? await client.get(leasePath),
              existing.at("spec", "holderIdentity")?.stringValue == identity else { return }
        let now = Self.microTime(Timestamp(Date()))
        let spec = JSONValue.record([
            "holderIdentity": .string(""),
            "leaseDurationSeconds": .number("1"),
            "acquireTime": .string(now),
            "renewTime": .string(now),
            "leaseTransitions": existing.at("spec", "leaseTransitions") ?? .number("0"),
        ])
        do {
            _ = try await client.update(leasePath, .record([
                "apiVersion": .string("coordination.k8s.io/v1"), "kind": .string("Lease"),
                "metadata": existing["metadata"] ?? .object(JSONObject()), "spec": spec,
            ]))
            logger.info("leader_released", metadata: ["identity": "\(identity)", "lease": "\(settings.namespace)/\(settings.leaseName)"])
        } catch {
            logger.warning("lease_not_released", metadata: ["lease": "\(leasePath)", "error": "\(error)"])
        }
    }

    /// metav1.MicroTime: RFC 3339 with microseconds, UTC.
    static func microTime(_ time: Timestamp) -> String {
        let seconds = time.nanosecondsSinceEpoch / 1_000_000_000
        let micros = (time.nanosecondsSinceEpoch % 1_000_000_000) / 1000
        let whole = Timestamp(secondsSinceEpoch: seconds).rfc3339
        return String(whole.dropLast()) + "." + String(format: "%06lld", micros) + "Z"
    }

    /// POD_NAME where the Deployment passes it, else the host name, with a random suffix so two
    /// processes on one host are two candidates (client-go's `hostname + "_" + uuid`).
    public static func defaultIdentity(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName
        return "\(base)_\(UUID().uuidString.lowercased())"
    }
}
