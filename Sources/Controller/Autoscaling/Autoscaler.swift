import Foundation
import Logging
import Scaler
import Synchronization

/// One autoscaler of the configuration: each sync reads its target, gathers its metrics,
/// runs the HPA algorithm with the history it carries, applies the decision and records it,
/// as kube-controller-manager's `reconcileAutoscaler` does for one HPA.
///
/// Time comes in as a value (`sync(at:)`), so tests drive it across a daylight-saving change
/// without waiting. Syncs of one autoscaler never overlap (it is an actor); other autoscalers
/// run on their own.
public actor Autoscaler {
    public nonisolated let name: String
    public nonisolated let config: AutoscalerConfig
    public nonisolated let target: any ScaleTarget
    let gatherer: any MetricsGathering
    let store: AutoscalerStateStore?
    let options: ControllerOptions
    let logger: Logger
    /// Where Kubernetes Events go (the HPA's SuccessfulRescale, FailedGetScale, ...); nil for
    /// a local pool.
    let events: (any AutoscalerEventSink)?

    private var history = ScaleHistory()
    private var previousConditions: [HorizontalPodAutoscalerCondition] = []
    private var lastScaleTime: Timestamp?
    /// What the decision log last got, to write a line only when the outcome changes.
    private var lastLogged: String?
    private nonisolated let statusBytes = Mutex<[UInt8]?>(nil)
    /// Each sync's observation, for `tidepool record`.
    private nonisolated let observers = Mutex<[@Sendable (Observation) -> Void]>([])

    public init(config: AutoscalerConfig, target: any ScaleTarget, gatherer: any MetricsGathering, store: AutoscalerStateStore?,
                options: ControllerOptions = ControllerOptions(), restored: PersistedAutoscaler? = nil,
                events: (any AutoscalerEventSink)? = nil, logger: Logger) {
        self.name = config.name
        self.config = config
        self.target = target
        self.gatherer = gatherer
        self.store = store
        self.options = options
        self.logger = logger
        self.events = events
        if let restored {
            history = restored.history
            lastScaleTime = restored.lastScaleTime
        }
    }

    public nonisolated func observe(_ observer: @escaping @Sendable (Observation) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// The spec with the schedule in force at `now` in place of minReplicas and maxReplicas.
    public nonisolated func effectiveSpec(at now: Timestamp) -> (spec: HorizontalPodAutoscalerSpec, schedule: String?) {
        var spec = config.spec
        guard let schedules = config.schedules else { return (spec, nil) }
        let bounds = schedules.effectiveBounds(minReplicas: spec.minReplicas ?? 1, maxReplicas: spec.maxReplicas, at: now)
        guard let active = bounds.activeSchedule else { return (spec, nil) }
        spec.minReplicas = bounds.minReplicas
        spec.maxReplicas = bounds.maxReplicas
        return (spec, active)
    }

    /// One reconcile. Returns the decision, or nil when the target could not be read (the
    /// error goes to the log and to status; the next sync tries again).
    @discardableResult
    public func sync(at now: Timestamp) async -> Decision? {
        let snapshot: TargetSnapshot
        do {
            snapshot = try await target.snapshot()
        } catch {
            logger.warning("target_unreadable", metadata: ["autoscaler": "\(name)", "target": "\(target.description)", "error": "\(error)"])
            let (spec, schedule) = effectiveSpec(at: now)
            publishStatus(decision: nil, now: now, spec: spec, schedule: schedule, error: "reading \(target.description): \(error)")
            await events?.record(.warning, reason: "FailedGetScale", message: "\(error)")
            return nil
        }
        let metrics = await gatherer.gather(for: snapshot, now: now)
        let observation = Observation(timestamp: now, scale: snapshot.scale, pods: snapshot.pods, metrics: metrics)
        for observer in observers.withLock({ $0 }) { observer(observation) }

        let (spec, schedule) = effectiveSpec(at: now)
        let reconcileCase = ReconcileCase(
            now: now, metadata: config.metadata, spec: spec, previousConditions: previousConditions, scale: snapshot.scale,
            pods: snapshot.pods, metrics: metrics, history: history, options: options)
        let decision = HorizontalController.reconcile(reconcileCase)
        history = decision.history
        // A failing condition is an event when it starts or its message changes, as the HPA's
        // event recorder folds repeats of one into a count.
        for condition in decision.conditions where condition.status == .false && condition.reason.hasPrefix("Failed") {
            let before = previousConditions.first { $0.type == condition.type }
            if before?.reason != condition.reason || before?.message != condition.message {
                await events?.record(.warning, reason: condition.reason, message: condition.message)
            }
        }
        previousConditions = decision.conditions
        var applyError: String?
        if decision.rescale {
            do {
                try await target.scale(to: decision.desiredReplicas)
                lastScaleTime = now
                logger.info("scaled", metadata: [
                    "autoscaler": "\(name)", "target": "\(target.description)", "from": "\(decision.currentReplicas)",
                    "to": "\(decision.desiredReplicas)", "reason": "\(decision.reason)",
                ])
                await events?.record(.normal, reason: "SuccessfulRescale", message: "New size: \(decision.desiredReplicas); reason: \(decision.reason)")
            } catch {
                applyError = "scaling \(target.description) to \(decision.desiredReplicas): \(error)"
                logger.error("scale_failed", metadata: ["autoscaler": "\(name)", "target": "\(target.description)", "error": "\(error)"])
                await events?.record(.warning, reason: "FailedRescale",
                                     message: "New size: \(decision.desiredReplicas); reason: \(decision.reason); error: \(error)")
            }
        }
        persist(desired: decision.rescale && applyError == nil ? decision.desiredReplicas : snapshot.scale.specReplicas, now: now)
        // Encoded once: the decision log and status both carry it.
        let decisionJSON = decision.jsonBytes()
        record(decision, json: decisionJSON, now: now, schedule: schedule)
        publishStatus(decision: (decision, decisionJSON), now: now, spec: spec, schedule: schedule, error: applyError)
        return decision
    }

    /// Calls are waiting on a target at zero: start the smallest size the bounds allow (at
    /// least one) at once, without waiting for the next sync. Recorded as a scale-up event,
    /// so the HPA's scale-up policies count it.
    public func scaleFromZero(at now: Timestamp) async {
        guard let snapshot = try? await target.snapshot(), snapshot.scale.specReplicas == 0 else { return }
        let spec = effectiveSpec(at: now).spec
        guard spec.maxReplicas > 0 else { return }
        let replicas = max(1, spec.minReplicas ?? 1)
        do {
            try await target.scale(to: replicas)
        } catch {
            logger.error("scale_failed", metadata: ["autoscaler": "\(name)", "target": "\(target.description)", "error": "\(error)"])
            return
        }
        history.scaleUpEvents.append(ScaleEvent(timestamp: now, change: replicas))
        lastScaleTime = now
        logger.info("scaled", metadata: [
            "autoscaler": "\(name)", "target": "\(target.description)", "from": "0", "to": "\(replicas)",
            "reason": "calls arrived while at zero replicas",
        ])
        persist(desired: replicas, now: now)
        appendToDecisionLog(#"{"time":"\#(now.rfc3339)","autoscaler":\#(Self.quoted(name)),"currentReplicas":0,"desiredReplicas":\#(replicas),"rescale":true,"reason":"calls arrived while at zero replicas"}"#)
    }

    /// The history this autoscaler carries, for its successor when its spec changes.
    public var persisted: PersistedAutoscaler {
        PersistedAutoscaler(desiredReplicas: 0, lastScaleTime: lastScaleTime, history: history)
    }

    // MARK: - Records

    private func persist(desired: Int32, now: Timestamp) {
        guard let store else { return }
        do {
            try store.save(PersistedAutoscaler(desiredReplicas: desired, lastScaleTime: lastScaleTime, history: history), for: name, at: now)
        } catch {
            logger.error("state_not_saved", metadata: ["autoscaler": "\(name)", "error": "\(error)"])
        }
    }

    /// A decision log line when the outcome differs from the last one logged: a rescale, a
    /// new reason or condition, a new recommendation.
    private func record(_ decision: Decision, json: [UInt8], now: Timestamp, schedule: String?) {
        let conditions = decision.conditions.map { "\($0.type.rawValue)=\($0.statusText)/\($0.reason)" }.joined(separator: ",")
        let signature = "\(decision.rescale) \(decision.desiredReplicas) \(decision.recommendation.map(String.init) ?? "-") \(decision.reason) \(conditions) \(schedule ?? "")"
        guard signature != lastLogged || decision.rescale else { return }
        lastLogged = signature
        var writer = JSONWriter(reservingCapacity: 2048)
        writer.beginObject()
        writer.key("time"); writer.value(now)
        writer.key("autoscaler"); writer.value(name)
        writer.key("target"); writer.value(target.description)
        writer.key("schedule")
        if let schedule { writer.value(schedule) } else { writer.valueNull() }
        writer.key("decision"); writer.rawValue(json)
        writer.endObject()
        appendToDecisionLog(String(decoding: writer.bytes, as: UTF8.self))
    }

    private func appendToDecisionLog(_ line: String) {
        guard let store else { return }
        do {
            try store.appendDecision(Array(line.utf8))
        } catch {
            logger.error("decision_log_failed", metadata: ["autoscaler": "\(name)", "error": "\(error)"])
        }
    }

    private static func quoted(_ text: String) -> String {
        var writer = JSONWriter(reservingCapacity: text.utf8.count + 2)
        writer.value(text)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    // MARK: - Status

    /// The `/status` entry of this autoscaler (the CLI spec's shape), nil before the first sync.
    public nonisolated var status: JSONValue? {
        guard let bytes = statusBytes.withLock({ $0 }) else { return nil }
        return try? JSONParser.parse(bytes)
    }

    /// `spec`: the one in force this sync (schedules applied); `decision`: with its JSON.
    private func publishStatus(decision outcome: (decision: Decision, json: [UInt8])?, now: Timestamp,
                               spec: HorizontalPodAutoscalerSpec, schedule: String?, error: String?) {
        let decision = outcome?.decision
        var writer = JSONWriter(reservingCapacity: 4096)
        writer.beginObject()
        writer.key("name"); writer.value(name)
        writer.key("target"); writer.value(target.description)
        writer.key("lastSyncTime"); writer.value(now)
        writer.key("minReplicas"); writer.value(spec.minReplicas ?? 1)
        writer.key("maxReplicas"); writer.value(spec.maxReplicas)
        if let decision {
            writer.key("currentReplicas"); writer.value(decision.currentReplicas)
            writer.key("desiredReplicas"); writer.value(decision.desiredReplicas)
            writer.key("recommendation")
            if let recommendation = decision.recommendation { writer.value(recommendation) } else { writer.valueNull() }
            writer.key("reason"); writer.value(decision.reason)
        }
        writer.key("lastScaleTime")
        if let lastScaleTime { writer.value(lastScaleTime) } else { writer.valueNull() }
        if let outcome, case .object(let object)? = try? JSONParser.parse(outcome.json) {
            for key in ["conditions", "currentMetrics", "explanation"] {
                if let value = object[key] { writer.key(key); writer.value(value) }
            }
        }
        writer.key("schedule")
        writer.beginObject()
        writer.key("active")
        if let schedule { writer.value(schedule) } else { writer.valueNull() }
        // `next` is when (the changing schedule's wall clock), `nextChange` what happens then.
        let change = config.schedules?.nextChange(after: now)
        writer.key("next")
        if let change { writer.value(change.localTime) } else { writer.valueNull() }
        writer.key("nextChange")
        if let change { writer.value(change.description) } else { writer.valueNull() }
        writer.endObject()
        writer.key("error")
        if let error { writer.value(error) } else { writer.valueNull() }
        writer.endObject()
        let bytes = writer.bytes
        statusBytes.withLock { $0 = bytes }
    }
}

/// Where an autoscaler's Kubernetes Events go.
public protocol AutoscalerEventSink: Sendable {
    func record(_ type: AutoscalerEventType, reason: String, message: String) async
}

public enum AutoscalerEventType: String, Sendable {
    case normal = "Normal"
    case warning = "Warning"
}
