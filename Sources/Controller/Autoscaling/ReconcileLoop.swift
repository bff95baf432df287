import Foundation
import Logging
import Pool
import Scaler

/// Every autoscaler of a `tidepool run`, each synced on its own every sync period, as
/// kube-controller-manager resyncs each HPA: a slow metric source delays its own autoscaler,
/// never the others.
public final class ReconcileLoop: Sendable {
    public let autoscalers: [Autoscaler]
    public let syncPeriod: Duration
    private let clock: @Sendable () -> Timestamp
    private let logger: Logger

    /// Builds an autoscaler for each configured one whose target is a pool of `runtime`,
    /// restoring what `state_dir` holds: the saved size goes back on the pool before it starts,
    /// and the history back into the stabilization windows. Problems that make an autoscaler
    /// unusable throw, naming it.
    public init(config: TidepoolConfig, runtime: GatewayRuntime, logger: Logger,
                clock: @escaping @Sendable () -> Timestamp = { Timestamp(Date()) }) throws(InputError) {
        let store = AutoscalerStateStore(directory: config.controller.stateDirectory)
        let sourceTimeout = min(max(config.controller.syncPeriod, .seconds(1)), .seconds(10))
        var autoscalers: [Autoscaler] = []
        for autoscaler in config.autoscalers {
            let field = "autoscalers.\(autoscaler.name)"
            guard case .pool(let poolID)? = autoscaler.target else {
                logger.warning("autoscaler_skipped", metadata: [
                    "autoscaler": "\(autoscaler.name)",
                    "reason": "\(autoscaler.target.map { "target \($0.description) is not a local pool: run it with tidepool controller" } ?? "no target")",
                ])
                continue
            }
            guard let pool = runtime.entries.first(where: { $0.id == poolID }) as? PoolServer,
                  case .pool(let poolSettings)? = config.server(poolID)?.mode else {
                throw InputError(source: field, message: "target.pool: no pool named \(poolID) under mcp_servers")
            }
            let problems = MetricGatherer.problems(spec: autoscaler.spec, sources: autoscaler.metricSources, localPool: true)
            if let first = problems.first {
                throw InputError(source: field, message: first)
            }
            var restored: PersistedAutoscaler?
            do {
                restored = try store.load(autoscaler.name)
            } catch {
                // A damaged file must not stop the pool from serving: start afresh, say so.
                logger.error("state_unreadable", metadata: ["autoscaler": "\(autoscaler.name)", "error": "\(error.description)"])
            }
            if let restored {
                pool.resize(to: Int(restored.desiredReplicas))
                logger.info("state_restored", metadata: [
                    "autoscaler": "\(autoscaler.name)", "replicas": "\(restored.desiredReplicas)",
                    "recommendations": "\(restored.history.recommendations?.count ?? 0)",
                ])
            }
            let gatherer = MetricGatherer(spec: autoscaler.spec, sources: autoscaler.metricSources, pool: pool,
                                          gateway: runtime.gateway, timeout: sourceTimeout)
            let scaler = Autoscaler(config: autoscaler, target: PoolScaleTarget(pool: pool, requests: poolSettings.requests),
                                    gatherer: gatherer, store: store, restored: restored, logger: logger)
            pool.setDemandHandler { Task { await scaler.scaleFromZero(at: clock()) } }
            autoscalers.append(scaler)
        }
        self.autoscalers = autoscalers
        self.syncPeriod = config.controller.syncPeriod
        self.clock = clock
        self.logger = logger
    }

    /// Syncs every autoscaler every period until cancelled. The first sync waits one period,
    /// so members started with the process have time to become ready.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for autoscaler in autoscalers {
                group.addTask { await self.loop(autoscaler) }
            }
        }
    }

    private func loop(_ autoscaler: Autoscaler) async {
        var next = ContinuousClock.now + syncPeriod
        while !Task.isCancelled {
            do {
                try await Task.sleep(until: next, clock: .continuous)
            } catch {
                return
            }
            await autoscaler.sync(at: clock())
            // Fixed ticks; a sync that overran its period is followed at once by the next.
            next = max(next + syncPeriod, ContinuousClock.now)
        }
    }

    /// Every autoscaler's `/status` entry.
    public var status: JSONValue {
        .array(autoscalers.compactMap { autoscaler in
            autoscaler.status ?? .object(JSONObject([
                JSONObject.Entry("name", .string(autoscaler.name)),
                JSONObject.Entry("target", .string(autoscaler.target.description)),
                JSONObject.Entry("lastSyncTime", .null),
            ]))
        })
    }
}
