import Foundation
import Logging
import Pool
import Scaler
import Synchronization

/// `tidepool controller`: the autoscalers of the config file whose targets are Kubernetes
/// workloads (or kubectl), and one per TidepoolAutoscaler resource, listed and watched. Every
/// replica watches; only the Lease's holder syncs, so replicas stand by without acting.
public final class KubernetesController: Sendable {
    public let config: TidepoolConfig
    public let client: KubernetesClient
    /// Where TidepoolAutoscalers are watched: one namespace, or all (nil).
    public let watchNamespace: String?
    public let identity: String
    public let elector: LeaderElector?
    let kubectl: String
    let logger: Logger
    let clock: @Sendable () -> Timestamp
    let store: AutoscalerStateStore

    /// One running autoscaler: its loop, and what it came from.
    private struct Managed {
        var autoscaler: Autoscaler
        var loop: Task<Void, Never>
        /// The resource's generation (spec changes), or nil for the config file's.
        var generation: Int64?
        var resource: AutoscalerResource.Identity?
        /// The status last written to the resource, without its lastSyncTime.
        var writtenStatus: JSONValue?
    }
    private let managed = Mutex<[String: Managed]>([:])
    /// The first list of the custom resources came back (or the CRD is not installed).
    private let resourcesListed = Atomic<Bool>(false)

    public init(config: TidepoolConfig, client: KubernetesClient, watchNamespace: String?,
                identity: String = LeaderElector.defaultIdentity(), kubectl: String = "kubectl",
                logger: Logger, clock: @escaping @Sendable () -> Timestamp = { Timestamp(Date()) }) {
        self.config = config
        self.client = client
        self.watchNamespace = watchNamespace
        self.identity = identity
        self.kubectl = kubectl
        self.logger = logger
        self.clock = clock
        self.store = AutoscalerStateStore(directory: config.controller.stateDirectory)
        if let election = config.controller.leaderElection {
            elector = LeaderElector(
                identity: identity,
                settings: .init(leaseName: election.leaseName, namespace: election.namespace ?? client.connection.namespace,
                                leaseDuration: election.leaseDuration, renewDeadline: election.renewDeadline,
                                retryPeriod: election.retryPeriod),
                client: client, logger: logger)
        } else {
            elector = nil
        }
    }

    /// Only the leader acts; without leader election, always.
    public var isLeader: Bool { elector?.isLeader ?? true }

    /// The config file's autoscalers, checked before anything starts: each needs a Kubernetes
    /// or kubectl target, and metric sources that work outside a local pool.
    public func startConfiguredAutoscalers() throws(InputError) {
        for autoscaler in config.autoscalers {
            let field = "autoscalers.\(autoscaler.name)"
            guard let target = autoscaler.target else { throw InputError(source: field, message: "target: none given") }
            if case .pool = target {
                logger.warning("autoscaler_skipped", metadata: [
                    "autoscaler": "\(autoscaler.name)", "reason": "target \(target.description) is a local pool: run it with tidepool run",
                ])
                continue
            }
            if let problem = MetricGatherer.problems(spec: autoscaler.spec, sources: autoscaler.metricSources, localPool: false).first {
                throw InputError(source: field, message: problem)
            }
            start(autoscaler, generation: nil, resource: nil, uid: nil)
        }
    }

    /// Leader election, the watch of the custom resources and every autoscaler, until cancelled.
    /// Cancelled, it stops the loops and gives the lease up.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            if let elector { group.addTask { await elector.run() } }
            group.addTask { await self.watchResources() }
            await group.waitForAll()
        }
        let loops = managed.withLock { managed in
            defer { managed.removeAll() }
            return managed.values.map(\.loop)
        }
        for loop in loops { loop.cancel() }
    }

    // MARK: - Autoscalers

    private func start(_ config: AutoscalerConfig, generation: Int64?, resource: AutoscalerResource.Identity?, uid: String?,
                       carrying previous: PersistedAutoscaler? = nil) {
        guard let target = makeTarget(config) else { return }
        let sourceTimeout = min(max(self.config.controller.syncPeriod, .seconds(1)), .seconds(10))
        let gatherer = MetricGatherer(spec: config.spec, sources: config.metricSources, pool: nil, gateway: nil, timeout: sourceTimeout)
        var events: (any AutoscalerEventSink)?
        if let resource {
            events = KubernetesEventSink(
                client: client,
                involved: .init(apiVersion: "\(AutoscalerResource.group)/\(AutoscalerResource.version)", kind: AutoscalerResource.kind,
                                name: resource.name, namespace: resource.namespace, uid: uid),
                instance: identity, logger: logger)
        } else if case .kubernetes(let apiVersion, let kind, let name, let namespace)? = config.target {
            events = KubernetesEventSink(client: client, involved: .init(apiVersion: apiVersion, kind: kind, name: name, namespace: namespace),
                                         instance: identity, logger: logger)
        }
        var restored = previous
        if restored == nil {
            do {
                restored = try store.load(config.name)
            } catch {
                logger.error("state_unreadable", metadata: ["autoscaler": "\(config.name)", "error": "\(error.description)"])
            }
        }
        let autoscaler = Autoscaler(config: config, target: target, gatherer: gatherer, store: store,
                                    restored: restored, events: events, logger: logger)
        let loop = Task { await self.loop(autoscaler) }
        let replaced = managed.withLock { managed in
            defer { managed[config.name] = Managed(autoscaler: autoscaler, loop: loop, generation: generation, resource: resource) }
            return managed[config.name]?.loop
        }
        replaced?.cancel()
        logger.info("autoscaler_started", metadata: [
            "autoscaler": "\(config.name)", "target": "\(target.description)",
            "min": "\(config.spec.minReplicas ?? 1)", "max": "\(config.spec.maxReplicas)",
        ])
    }

    private func makeTarget(_ config: AutoscalerConfig) -> (any ScaleTarget)? {
        let readsUsage = config.spec.metrics.contains { metric in
            if case .resource = metric { return true }
            if case .containerResource = metric { return true }
            return false
        }
        let inner: any ScaleTarget
        switch config.target {
        case .kubernetes(let apiVersion, let kind, let name, let namespace)?:
            inner = KubernetesScaleTarget(workload: WorkloadReference(apiVersion: apiVersion, kind: kind, name: name, namespace: namespace),
                                          client: client, readsPodUsage: readsUsage, logger: logger)
        case .kubectl(let kind, let name, let namespace, let context)?:
            inner = KubectlScaleTarget(kind: kind, name: name, namespace: namespace, context: context, kubectl: kubectl,
                                       readsPodUsage: readsUsage, logger: logger)
        case .pool?, nil:
            return nil
        }
        return LeaderGatedTarget(inner: inner, isLeader: { [weak self] in self?.isLeader ?? false })
    }

    private func stop(_ key: String) {
        let removed = managed.withLock { $0.removeValue(forKey: key) }
        guard let removed else { return }
        removed.loop.cancel()
        logger.info("autoscaler_stopped", metadata: ["autoscaler": "\(key)"])
    }

    /// Every sync period: sync if leader, then write the resource's status when it changed.
    private func loop(_ autoscaler: Autoscaler) async {
        let period = config.controller.syncPeriod
        var next = ContinuousClock.now + period
        while !Task.isCancelled {
            do {
                try await Task.sleep(until: next, clock: .continuous)
            } catch {
                return
            }
            if isLeader {
                await autoscaler.sync(at: clock())
                await writeStatus(of: autoscaler)
            }
            next = max(next + period, ContinuousClock.now)
        }
    }

    /// PATCHes the TidepoolAutoscaler's status subresource, only when something other than
    /// the sync time changed (as the HPA controller compares before it writes).
    private func writeStatus(of autoscaler: Autoscaler) async {
        guard !Task.isCancelled, let entry = autoscaler.status else { return }
        let current = managed.withLock { $0[autoscaler.name] }
        guard let current, current.autoscaler === autoscaler, let resource = current.resource else { return }
        let status = AutoscalerResource.status(from: entry, observedGeneration: current.generation ?? 0)
        var comparable = status
        if case .object(var object) = comparable {
            object.entries.removeAll { $0.key == "lastSyncTime" }
            comparable = .object(object)
        }
        guard comparable != current.writtenStatus else { return }
        do {
            _ = try await client.mergePatch(AutoscalerResource.statusPath(namespace: resource.namespace, name: resource.name),
                                            .record(["status": status]))
            managed.withLock { managed in
                if managed[autoscaler.name]?.autoscaler === autoscaler { managed[autoscaler.name]?.writtenStatus = comparable }
            }
        } catch {
            logger.warning("status_not_written", metadata: ["autoscaler": "\(autoscaler.name)", "error": "\(error)"])
        }
    }

    // MARK: - The custom resources

    /// List, then watch from the list's resourceVersion; a watch that ends is resumed from the
    /// last version seen, and one whose version expired (410) lists again.
    private func watchResources() async {
        let path = AutoscalerResource.listPath(namespace: watchNamespace)
        var backoff = Duration.seconds(1)
        var reportedMissing = false
        while !Task.isCancelled {
            do {
                let list = try await client.get(path)
                var seen = Set<String>()
                for item in list["items"]?.arrayValue ?? [] {
                    if let key = await apply(item) { seen.insert(key) }
                }
                let gone = managed.withLock { managed in managed.filter { $0.value.resource != nil && !seen.contains($0.key) }.map(\.key) }
                for key in gone { stop(key) }
                resourcesListed.store(true, ordering: .relaxed)
                backoff = .seconds(1)
                var version = list.at("metadata", "resourceVersion")?.stringValue ?? "0"
                watching: while !Task.isCancelled {
                    let events = try await client.watch(path, resourceVersion: version, timeoutSeconds: 300)
                    for try await event in events {
                        if let next = event.object.at("metadata", "resourceVersion")?.stringValue, event.type != "ERROR" { version = next }
                        switch event.type {
                        case "ADDED", "MODIFIED": _ = await apply(event.object)
                        case "DELETED":
                            if let name = event.object.at("metadata", "name")?.stringValue {
                                stop("\(event.object.at("metadata", "namespace")?.stringValue ?? "default")/\(name)")
                            }
                        case "ERROR":
                            let code = event.object["code"]?.int64Value ?? 0
                            logger.info("watch_restarted", metadata: ["code": "\(code)", "message": "\(event.object["message"]?.stringValue ?? "")"])
                            break watching  // 410 Expired and the rest: list again
                        default: break  // BOOKMARK: only the version
                        }
                    }
                }
            } catch let error as KubernetesAPIError where error.isNotFound {
                if !reportedMissing {
                    logger.warning("custom_resource_missing", metadata: [
                        "resource": "\(AutoscalerResource.plural).\(AutoscalerResource.group)",
                        "hint": "kubectl apply -f manifests/01-crd.yaml; autoscalers of the config file run meanwhile",
                    ])
                    reportedMissing = true
                }
                resourcesListed.store(true, ordering: .relaxed)
                try? await Task.sleep(for: .seconds(30))
            } catch {
                if Task.isCancelled { return }
                logger.warning("watch_failed", metadata: ["resource": "\(AutoscalerResource.plural)", "error": "\(error)",
                                                          "retry_s": "\(backoff.nanoseconds / 1_000_000_000)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }

    /// Starts, restarts (its spec changed: a new generation) or keeps the autoscaler of one
    /// resource. Returns its key, or nil when the resource is invalid (logged, an event).
    private func apply(_ object: JSONValue) async -> String? {
        let decoded: (identity: AutoscalerResource.Identity, uid: String?, generation: Int64, config: AutoscalerConfig)
        do {
            decoded = try AutoscalerResource.decode(object)
        } catch {
            let name = "\(object.at("metadata", "namespace")?.stringValue ?? "default")/\(object.at("metadata", "name")?.stringValue ?? "?")"
            logger.error("autoscaler_invalid", metadata: ["autoscaler": "\(name)", "error": "\(error.description)"])
            stop(name)
            return nil
        }
        let key = decoded.identity.key
        let existing = managed.withLock { $0[key].map { (generation: $0.generation, autoscaler: $0.autoscaler) } }
        if let existing, existing.generation == decoded.generation { return key }
        // A new spec keeps the stabilization history, as the HPA controller keys it by object.
        var carried: PersistedAutoscaler?
        if let existing { carried = await existing.autoscaler.persisted }
        start(decoded.config, generation: decoded.generation, resource: decoded.identity, uid: decoded.uid, carrying: carried)
        return key
    }

    // MARK: - Status

    /// Every autoscaler's `/status` entry, by name.
    public var autoscalerStatus: JSONValue {
        let autoscalers = managed.withLock { $0.values.map(\.autoscaler) }.sorted { $0.name < $1.name }
        return .array(autoscalers.map { autoscaler in
            autoscaler.status ?? .record([
                "name": .string(autoscaler.name), "target": .string(autoscaler.target.description), "lastSyncTime": .null,
            ])
        })
    }

    /// The `controller` section of /status: who this is and who leads.
    public var controllerStatus: [JSONObject.Entry] {
        var leader: [JSONObject.Entry] = [.init("identity", .string(identity)), .init("leading", .bool(isLeader))]
        if let elector {
            leader.append(.init("lease", .string("\(elector.settings.namespace)/\(elector.settings.leaseName)")))
            leader.append(.init("holder", elector.holder.map(JSONValue.string) ?? .null))
        }
        return [.init("controller", .record([
            "server": .string(client.connection.server),
            "watching": .string(watchNamespace ?? "all namespaces"),
            "leaderElection": .object(JSONObject(leader)),
        ]))]
    }

    public var readinessProblems: [String] {
        resourcesListed.load(ordering: .relaxed) ? [] : ["the TidepoolAutoscaler resources have not been listed yet"]
    }

    /// `tidepool_leader` and each autoscaler's replica counts, for Prometheus.
    public var metricsExposition: [UInt8] {
        var text = "# HELP tidepool_leader Whether this replica holds the controller's lease (1) or stands by (0).\n"
        text += "# TYPE tidepool_leader gauge\ntidepool_leader \(isLeader ? 1 : 0)\n"
        text += "# HELP tidepool_autoscaler_desired_replicas The replicas each autoscaler last decided on.\n"
        text += "# TYPE tidepool_autoscaler_desired_replicas gauge\n"
        let autoscalers = managed.withLock { $0.values.map(\.autoscaler) }.sorted { $0.name < $1.name }
        for autoscaler in autoscalers {
            if case .number(let desired)? = autoscaler.status?["desiredReplicas"] {
                text += "tidepool_autoscaler_desired_replicas{autoscaler=\"\(autoscaler.name)\"} \(desired)\n"
            }
        }
        return Array(text.utf8)
    }
}

/// Scales only while this replica leads: checked at the moment of the write, so a leader whose
/// renewals stopped (partitioned, paused) stops scaling at its renew deadline.
struct LeaderGatedTarget: ScaleTarget {
    let inner: any ScaleTarget
    let isLeader: @Sendable () -> Bool

    var description: String { inner.description }

    func snapshot() async throws -> TargetSnapshot {
        try await inner.snapshot()
    }

    func scale(to replicas: Int32) async throws {
        guard isLeader() else { throw ScaleTargetError("not the leader any more: the lease was lost, so this replica does not scale") }
        try await inner.scale(to: replicas)
    }
}
