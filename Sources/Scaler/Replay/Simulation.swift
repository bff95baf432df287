/// The pods a simulated deployment would have: the scaler's own replica count, with the
/// recorded demand spread over it.
///
/// Demand is conserved: the recorded per-pod Resource and Pods values are summed and shared
/// equally by the simulated pods that are ready; a new pod takes no traffic (reports 0) until
/// `startupDelay` has passed since it started. Object and External metrics are taken as
/// recorded: they do not depend on the replica count.
struct Simulation: Sendable {
    /// When each simulated pod started. Invariant: sorted, oldest first; count == replicas.
    private var startTimes: [Timestamp] = []
    private(set) var replicas: Int32?
    let startupDelay: TimeSpan

    init(startupDelay: TimeSpan) {
        self.startupDelay = startupDelay
    }

    /// Begins with the first observation's replicas, all ready.
    mutating func start(with observation: Observation) {
        replicas = observation.scale.specReplicas
        startTimes = Array(repeating: .distantPast, count: Int(observation.scale.specReplicas))
    }

    /// Scale up starts new pods now; scale down removes the newest pods first.
    mutating func scale(to desired: Int32, at now: Timestamp) {
        let current = startTimes.count
        if Int(desired) > current {
            startTimes.append(contentsOf: Array(repeating: now, count: Int(desired) - current))
        } else if Int(desired) < current {
            startTimes.removeLast(current - Int(desired))
        }
        replicas = desired
    }

    func reconcileCase(
        for observation: Observation, now: Timestamp, spec: HorizontalPodAutoscalerSpec, metadata: ObjectMeta,
        history: ScaleHistory, options: ControllerOptions
    ) -> ReconcileCase {
        let template = observation.pods.first { $0.phase == .running } ?? observation.pods.first
            ?? Pod(name: "simulated", startTime: .distantPast, ready: true)
        var pods: [Pod] = []
        pods.reserveCapacity(startTimes.count)
        var readyNames: [String] = []
        var startingNames: [String] = []
        for (index, started) in startTimes.enumerated() {
            let readyAt = started == .distantPast ? started : started + startupDelay
            let ready = readyAt <= now
            var pod = template
            pod.name = "simulated-\(index)"
            pod.phase = .running
            pod.deleted = false
            pod.startTime = started == .distantPast ? (template.startTime ?? .distantPast) : started
            pod.ready = ready
            pod.readyTransitionTime = ready ? (started == .distantPast ? template.readyTransitionTime : readyAt) : started
            pods.append(pod)
            if ready { readyNames.append(pod.name) } else { startingNames.append(pod.name) }
        }

        var metrics: [MetricObservation] = []
        metrics.reserveCapacity(observation.metrics.count)
        for observed in observation.metrics {
            guard case .podValues(let samples) = observed else {
                metrics.append(observed)
                continue
            }
            var total: Int64 = 0
            for value in samples { total &+= value.sample.milliValue }
            let sampleTime = samples.first?.sample.timestamp ?? now
            let window = samples.first?.sample.window ?? .seconds(60)
            let share = readyNames.isEmpty ? 0 : (total + Int64(readyNames.count) - 1) / Int64(readyNames.count)
            var spread: [PodValue] = []
            spread.reserveCapacity(pods.count)
            for name in readyNames { spread.append(PodValue(name, PodSample(milliValue: share, timestamp: sampleTime, window: window))) }
            for name in startingNames { spread.append(PodValue(name, PodSample(milliValue: 0, timestamp: sampleTime, window: window))) }
            metrics.append(.podValues(spread))
        }
        let count = Int32(startTimes.count)
        return ReconcileCase(now: now, metadata: metadata, spec: spec, scale: Scale(specReplicas: count, statusReplicas: count),
                             pods: pods, metrics: metrics, history: history, options: options)
    }
}
