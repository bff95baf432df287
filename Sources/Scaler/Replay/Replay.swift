/// A dry run: recorded observations replayed through an HPA, one controller sync at a time,
/// carrying the history from step to step exactly as the controller would.
///
/// ```swift
/// let result = Replay.run(spec: spec, observations: recording, options: ReplayOptions())
/// print(result.summary.replicaHours)
/// ```
public enum Replay {
    public static func run(
        spec: HorizontalPodAutoscalerSpec,
        metadata: ObjectMeta = ObjectMeta(),
        observations: [Observation],
        options: ReplayOptions,
        progress: ((Int, Int) -> Void)? = nil
    ) -> ReplayResult {
        guard let first = observations.first, let last = observations.last else {
            return ReplayResult(steps: [], summary: ReplaySummary(steps: [], syncPeriod: options.syncPeriod))
        }
        let totalSyncs = Int((last.timestamp - first.timestamp).nanoseconds / max(options.syncPeriod.nanoseconds, 1)) + 1
        var steps: [ReplayStep] = []
        steps.reserveCapacity(totalSyncs)
        var history = ScaleHistory()
        var simulation = options.mode == .simulate ? Simulation(startupDelay: options.startupDelay) : nil
        var timeline = options.schedules.map(ScheduleTimeline.init)
        var observationIndex = 0
        var now = first.timestamp
        var sync = 0
        while now <= last.timestamp {
            // Each sync uses the last observation at or before it.
            while observationIndex + 1 < observations.count, observations[observationIndex + 1].timestamp <= now {
                observationIndex += 1
            }
            var observation = observations[observationIndex]
            if let staleAfter = options.staleAfter, now - observation.timestamp > staleAfter {
                // A hole in the data: the metrics failed for this sync, they did not read zero.
                observation.metrics = Array(repeating: .error(Replay.gapMessage(since: observation.timestamp)),
                                            count: spec.metrics.count)
            }
            var stepSpec = spec
            var activeSchedule: String?
            if var current = timeline {
                let bounds = current.effectiveBounds(minReplicas: spec.minReplicas ?? 1, maxReplicas: spec.maxReplicas, at: now)
                timeline = current
                if let name = bounds.activeSchedule {
                    stepSpec.minReplicas = bounds.minReplicas
                    stepSpec.maxReplicas = bounds.maxReplicas
                    activeSchedule = name
                }
            }

            let recordedReplicas = observation.scale.specReplicas
            let reconcileCase: ReconcileCase
            if var simulated = simulation {
                if simulated.replicas == nil { simulated.start(with: observation) }
                reconcileCase = simulated.reconcileCase(for: observation, now: now, spec: stepSpec, metadata: metadata,
                                                        history: history, options: options.controller)
                simulation = simulated
            } else {
                reconcileCase = ReconcileCase(now: now, metadata: metadata, spec: stepSpec, scale: observation.scale,
                                              pods: observation.pods, metrics: observation.metrics, history: history,
                                              options: options.controller)
            }
            let decision = HorizontalController.reconcile(reconcileCase)
            history = decision.history
            if decision.rescale { simulation?.scale(to: decision.desiredReplicas, at: now) }
            steps.append(ReplayStep(timestamp: now, observationTimestamp: observation.timestamp,
                                    recordedReplicas: recordedReplicas, decision: decision, activeSchedule: activeSchedule))
            sync += 1
            if sync % 4096 == 0 { progress?(sync, totalSyncs) }
            now = now + options.syncPeriod
        }
        progress?(sync, totalSyncs)
        return ReplayResult(steps: steps, summary: ReplaySummary(steps: steps, syncPeriod: options.syncPeriod))
    }

    static func gapMessage(since last: Timestamp) -> String {
        "no data since \(last.rfc3339): a gap in the recording"
    }

    /// How long an observation stays good when the data has holes: twice the usual interval
    /// between observations (their median), so one late sample is not a gap but a missing
    /// stretch is. Nil for fewer than two observations.
    public static func stalenessHorizon(of observations: [Observation]) -> TimeSpan? {
        guard observations.count >= 2 else { return nil }
        var intervals: [Int64] = []
        intervals.reserveCapacity(observations.count - 1)
        for index in 1..<observations.count {
            intervals.append((observations[index].timestamp - observations[index - 1].timestamp).nanoseconds)
        }
        intervals.sort()
        return TimeSpan(nanoseconds: 2 * max(intervals[intervals.count / 2], 1))
    }
}

public struct ReplayOptions: Sendable {
    public enum Mode: String, Sendable {
        /// Every step uses the recorded replica count: what the HPA would have decided against
        /// what happened.
        case recorded
        /// The scaler's own replica count drives the next step, with the recorded demand
        /// spread over it.
        case simulate
    }

    public var mode: Mode
    /// The controller's sync period (kube-controller-manager's default is 15 s).
    public var syncPeriod: TimeSpan
    /// How long a simulated new replica takes to become ready.
    public var startupDelay: TimeSpan
    public var controller: ControllerOptions
    /// Day/night windows replacing the HPA's minReplicas and maxReplicas while active.
    public var schedules: ScheduleSet?
    /// A sync further than this past the last observation finds its metrics failed (a gap in
    /// the data), never carried over and never zero. Nil: the last observation always holds.
    public var staleAfter: TimeSpan?

    public init(
        mode: Mode = .recorded, syncPeriod: TimeSpan = .seconds(15), startupDelay: TimeSpan = .seconds(30),
        controller: ControllerOptions = ControllerOptions(), schedules: ScheduleSet? = nil, staleAfter: TimeSpan? = nil
    ) {
        self.mode = mode
        self.syncPeriod = syncPeriod
        self.startupDelay = startupDelay
        self.controller = controller
        self.schedules = schedules
        self.staleAfter = staleAfter
    }
}

public struct ReplayStep: Sendable {
    public var timestamp: Timestamp
    /// The recorded observation this sync used (the last at or before `timestamp`).
    public var observationTimestamp: Timestamp
    public var recordedReplicas: Int32
    public var decision: Decision
    public var activeSchedule: String?

    /// The replicas in force during this step: recorded, or the simulation's.
    public var currentReplicas: Int32 { decision.currentReplicas }
    public var desiredReplicas: Int32 { decision.desiredReplicas }
}

public struct ReplayResult: Sendable {
    public var steps: [ReplayStep]
    public var summary: ReplaySummary
}

/// The figures an operator compares policies by.
public struct ReplaySummary: Sendable, Equatable {
    /// Replicas the policy would run (desired replicas, held for each sync period) × hours.
    public var replicaHours: Double
    /// The same for the recorded replica counts.
    public var recordedReplicaHours: Double
    public var peakReplicas: Int32
    public var meanReplicas: Double
    /// Increases and decreases of the desired count from one sync to the next.
    public var scaleUps: Int
    public var scaleDowns: Int
    /// Time with some metric above its target (usage ratio above 1): under-provisioned.
    public var underProvisionedSeconds: Double
    /// Time with more replicas than the metrics asked for: over-provisioned.
    public var overProvisionedSeconds: Double
    /// The largest change made in one sync.
    public var largestStep: Int32
    public var steps: Int

    init(steps: [ReplayStep], syncPeriod: TimeSpan) {
        let hoursPerStep = syncPeriod.seconds / 3600
        var replicaHours = 0.0
        var recordedHours = 0.0
        var peak: Int32 = 0
        var total = 0.0
        var ups = 0
        var downs = 0
        var under = 0.0
        var over = 0.0
        var largest: Int32 = 0
        // Changes are counted on the policy's own series of desired counts, so recorded mode
        // (where the recorded count never follows) and simulate mode read the same way.
        var previous = steps.first?.currentReplicas
        for step in steps {
            let desired = step.desiredReplicas
            replicaHours += Double(desired) * hoursPerStep
            recordedHours += Double(step.recordedReplicas) * hoursPerStep
            peak = max(peak, desired)
            total += Double(desired)
            if let before = previous, desired != before {
                if desired > before { ups += 1 } else { downs += 1 }
                largest = max(largest, abs(desired - before))
            }
            previous = desired
            if step.decision.trace.metrics.contains(where: { ($0.usageRatio ?? 0) > 1 }) {
                under += syncPeriod.seconds
            }
            if let recommendation = step.decision.recommendation, desired > recommendation {
                over += syncPeriod.seconds
            }
        }
        self.replicaHours = replicaHours
        self.recordedReplicaHours = recordedHours
        self.peakReplicas = peak
        self.meanReplicas = steps.isEmpty ? 0 : total / Double(steps.count)
        self.scaleUps = ups
        self.scaleDowns = downs
        self.underProvisionedSeconds = under
        self.overProvisionedSeconds = over
        self.largestStep = largest
        self.steps = steps.count
    }
}
