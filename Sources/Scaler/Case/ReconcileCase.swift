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
    /// All fields behind one reference, copied on write: a case is passed and kept by value
    /// (in arrays, batches, replays), and copying a case then retains one object instead of each
    /// of its arrays and strings.
    ///
    /// Invariant: `storage` is mutated only while uniquely referenced (`mutate`), and its
    /// `prepared` is derived from its spec, pods and metrics as they are.
    private final class Storage: @unchecked Sendable {
        var now: Timestamp
        var metadata: ObjectMeta
        var spec: HorizontalPodAutoscalerSpec
        var previousConditions: [HorizontalPodAutoscalerCondition]
        var scale: Scale
        var pods: [Pod]
        var metrics: [MetricObservation]
        var history: ScaleHistory
        var options: ControllerOptions
        var podTables: PodTables
        var prepared: PreparedInputs

        init(now: Timestamp, metadata: ObjectMeta, spec: HorizontalPodAutoscalerSpec,
             previousConditions: [HorizontalPodAutoscalerCondition], scale: Scale, pods: [Pod],
             metrics: [MetricObservation], history: ScaleHistory, options: ControllerOptions,
             podTables: PodTables, prepared: PreparedInputs) {
            self.now = now
            self.metadata = metadata
            self.spec = spec
            self.previousConditions = previousConditions
            self.scale = scale
            self.pods = pods
            self.metrics = metrics
            self.history = history
            self.options = options
            self.podTables = podTables
            self.prepared = prepared
        }

        func copy() -> Storage {
            Storage(now: now, metadata: metadata, spec: spec, previousConditions: previousConditions, scale: scale,
                    pods: pods, metrics: metrics, history: history, options: options,
                    podTables: podTables, prepared: prepared)
        }

        func prepare() {
            prepared = PreparedInputs(spec: spec, pods: pods, metrics: metrics, tables: podTables)
        }
    }

    private var storage: Storage

    private mutating func mutate(_ change: (Storage) -> Void) {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        change(storage)
    }

    public var now: Timestamp {
        get { storage.now }
        set { mutate { $0.now = newValue } }
    }

    public var metadata: ObjectMeta {
        get { storage.metadata }
        set { mutate { $0.metadata = newValue } }
    }

    public var spec: HorizontalPodAutoscalerSpec {
        get { storage.spec }
        set {
            mutate {
                $0.spec = newValue
                $0.prepare()
            }
        }
    }

    /// The HPA's status conditions before this sync, so conditions keep upstream's order and
    /// transition times.
    public var previousConditions: [HorizontalPodAutoscalerCondition] {
        get { storage.previousConditions }
        set { mutate { $0.previousConditions = newValue } }
    }

    public var scale: Scale {
        get { storage.scale }
        set { mutate { $0.scale = newValue } }
    }

    public var pods: [Pod] {
        get { storage.pods }
        set {
            mutate {
                $0.pods = newValue
                $0.podTables = PodTables(newValue)
                $0.prepare()
            }
        }
    }

    /// `metrics[i]` is what was observed for `spec.metrics[i]`.
    public var metrics: [MetricObservation] {
        get { storage.metrics }
        set {
            mutate {
                $0.metrics = newValue
                $0.prepare()
            }
        }
    }

    public var history: ScaleHistory {
        get { storage.history }
        set { mutate { $0.history = newValue } }
    }

    public var options: ControllerOptions {
        get { storage.options }
        set { mutate { $0.options = newValue } }
    }

    /// Derived from spec, pods and metrics whenever they change.
    var prepared: PreparedInputs { storage.prepared }

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
        self.init(now: now, metadata: metadata, spec: spec, previousConditions: previousConditions, scale: scale,
                  pods: pods, podTables: PodTables(pods), requests: nil, metrics: metrics, history: history, options: options)
    }

    /// With the pods' tables, and the request totals for this spec and these pods, when the
    /// caller has them from an earlier case.
    init(
        now: Timestamp, metadata: ObjectMeta, spec: HorizontalPodAutoscalerSpec,
        previousConditions: [HorizontalPodAutoscalerCondition], scale: Scale, pods: [Pod], podTables: PodTables,
        requests: [RequestTotals?]?, metrics: [MetricObservation], history: ScaleHistory, options: ControllerOptions
    ) {
        self.init(storage: Storage(
            now: now, metadata: metadata, spec: spec, previousConditions: previousConditions, scale: scale,
            pods: pods, metrics: metrics, history: history, options: options, podTables: podTables,
            prepared: PreparedInputs(spec: spec, pods: pods, metrics: metrics, tables: podTables, requests: requests)))
    }

    private init(storage: Storage) {
        self.storage = storage
    }
}

extension ReconcileCase: Equatable {
    /// Equal inputs: the same fields (what is derived from them follows).
    public static func == (lhs: ReconcileCase, rhs: ReconcileCase) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.now == rhs.now && lhs.metadata == rhs.metadata && lhs.spec == rhs.spec
                && lhs.previousConditions == rhs.previousConditions && lhs.scale == rhs.scale && lhs.pods == rhs.pods
                && lhs.metrics == rhs.metrics && lhs.history == rhs.history && lhs.options == rhs.options)
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

/// One pod's sample of a metric, with the pod's name.
///
/// A struct, not a tuple: an array of tuples is destroyed through the runtime's generic tuple
/// witnesses, element by element (some 900 instructions more per batch case).
public struct PodValue: Sendable, Equatable {
    public var pod: String
    public var sample: PodSample

    public init(pod: String, sample: PodSample) {
        self.pod = pod
        self.sample = sample
    }

    public init(_ pod: String, _ sample: PodSample) {
        self.init(pod: pod, sample: sample)
    }
}

/// What was observed for one spec metric this cycle.
public enum MetricObservation: Sendable, Equatable {
    /// Resource, ContainerResource and Pods metrics: pod name and sample, in input order.
    case podValues([PodValue])
    /// Object metrics.
    case value(Quantity)
    /// External metrics: every matching series, summed by the calculator.
    case values([Quantity])
    /// The fetch failed; the metric is invalid this cycle.
    case error(String)
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
