/// One HPA decision as data: everything the controller knows at one sync.
///
/// The shape is the contract in `shared/spec/reconcile-case.md`.
///
/// ```swift
/// let reconcileCase = try ReconcileCase(json: text)
/// let decision = HorizontalController.reconcile(reconcileCase)
/// print(decision.desiredReplicas, decision.explanation)
/// ```
public struct ReconcileCase: Sendable {
    public var now: Timestamp
    public var metadata: ObjectMeta
    public var spec: HorizontalPodAutoscalerSpec {
        didSet { prepare() }
    }
    /// The HPA's status conditions before this sync, so conditions keep upstream's order and
    /// transition times.
    public var previousConditions: [HorizontalPodAutoscalerCondition]
    public var scale: Scale
    public var pods: [Pod] {
        didSet {
            podIndexByName = Self.index(pods)
            prepare()
        }
    }
    /// `metrics[i]` is what was observed for `spec.metrics[i]`.
    public var metrics: [MetricObservation] {
        didSet { prepare() }
    }
    public var history: ScaleHistory
    public var options: ControllerOptions

    /// Pod name to its position in `pods`.
    public private(set) var podIndexByName: [String: Int]
    /// Derived from spec, pods and metrics whenever they change.
    private(set) var prepared: PreparedInputs

    public init(
        now: Timestamp,
        metadata: ObjectMeta = ObjectMeta(),
        spec: HorizontalPodAutoscalerSpec,
        previousConditions: [HorizontalPodAutoscalerCondition] = [],
        scale: Scale,
        pods: [Pod],
        metrics: [MetricObservation],
        history: ScaleHistory = ScaleHistory(),
        options: ControllerOptions = ControllerOptions()
    ) {
        self.now = now
        self.metadata = metadata
        self.spec = spec
        self.previousConditions = previousConditions
        self.scale = scale
        self.pods = pods
        self.metrics = metrics
        self.history = history
        self.options = options
        let index = Self.index(pods)
        self.podIndexByName = index
        self.prepared = PreparedInputs(spec: spec, pods: pods, metrics: metrics, index: index)
    }

    private mutating func prepare() {
        prepared = PreparedInputs(spec: spec, pods: pods, metrics: metrics, index: podIndexByName)
    }

    private static func index(_ pods: [Pod]) -> [String: Int] {
        var index: [String: Int] = [:]
        index.reserveCapacity(pods.count)
        for (position, pod) in pods.enumerated() where index[pod.name] == nil {
            index[pod.name] = position
        }
        return index
    }
}

/// What the scale subresource says.
public struct Scale: Sendable, Equatable {
    public var specReplicas: Int32
    public var statusReplicas: Int32

    public init(specReplicas: Int32, statusReplicas: Int32) {
        self.specReplicas = specReplicas
        self.statusReplicas = statusReplicas
    }
}

/// One pod's sample of a metric.
public struct PodSample: Sendable, Equatable {
    public var milliValue: Int64
    public var timestamp: Timestamp
    public var window: TimeSpan

    public init(milliValue: Int64, timestamp: Timestamp, window: TimeSpan = .seconds(60)) {
        self.milliValue = milliValue
        self.timestamp = timestamp
        self.window = window
    }
}

/// What was observed for one spec metric this cycle.
public enum MetricObservation: Sendable, Equatable {
    /// Resource, ContainerResource and Pods metrics: pod name and sample, in input order.
    case podValues([(pod: String, sample: PodSample)])
    /// Object metrics.
    case value(Quantity)
    /// External metrics: every matching series, summed by the calculator.
    case values([Quantity])
    /// The fetch failed; the metric is invalid this cycle.
    case error(String)

    public static func == (lhs: MetricObservation, rhs: MetricObservation) -> Bool {
        switch (lhs, rhs) {
        case (.podValues(let a), .podValues(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.pod == $1.pod && $0.sample == $1.sample }
        case (.value(let a), .value(let b)): return a == b
        case (.values(let a), .values(let b)): return a == b
        case (.error(let a), .error(let b)): return a == b
        default: return false
        }
    }
}

/// The controller's flags (kube-controller-manager's HPA options).
public struct ControllerOptions: Sendable, Equatable {
    /// `--horizontal-pod-autoscaler-tolerance`, both directions unless the HPA says otherwise.
    public var tolerance: Double
    public var cpuInitializationPeriod: TimeSpan
    public var initialReadinessDelay: TimeSpan
    public var downscaleStabilizationWindow: TimeSpan
    /// The legacy path's scale-up cap: `max(factor * current, minimum)`.
    public var scaleUpLimitFactor: Double
    public var scaleUpLimitMinimum: Double

    public init(
        tolerance: Double = 0.1,
        cpuInitializationPeriod: TimeSpan = .seconds(300),
        initialReadinessDelay: TimeSpan = .seconds(30),
        downscaleStabilizationWindow: TimeSpan = .seconds(300),
        scaleUpLimitFactor: Double = 2.0,
        scaleUpLimitMinimum: Double = 4.0
    ) {
        self.tolerance = tolerance
        self.cpuInitializationPeriod = cpuInitializationPeriod
        self.initialReadinessDelay = initialReadinessDelay
        self.downscaleStabilizationWindow = downscaleStabilizationWindow
        self.scaleUpLimitFactor = scaleUpLimitFactor
        self.scaleUpLimitMinimum = scaleUpLimitMinimum
    }
}
