/// The outcome of one reconcile: what the controller writes, the conditions it sets, the
/// history it keeps, and the facts behind the decision for a person to read.
public struct Decision: Sendable {
    public var currentReplicas: Int32
    /// What the controller writes (or leaves) on the scale subresource.
    public var desiredReplicas: Int32
    public var rescale: Bool
    var rescaleReason: RescaleReason
    /// Upstream's rescale reason ("cpu resource utilization (percentage of request) above
    /// target"), or the error that stopped this cycle.
    public var reason: String { rescaleReason.text(in: spec) }
    var conditionList: ConditionList
    /// The HPA's conditions after this sync: upstream's types, statuses, reasons and messages,
    /// in upstream's order.
    public var conditions: [HorizontalPodAutoscalerCondition] { conditionList.conditions.map { $0.rendered(in: spec) } }
    /// One per spec metric; nil when no metric was computed this cycle. Kept in the trace's
    /// metric results (one array per decision, not two).
    public var currentMetrics: [MetricStatus]? {
        trace.consultedMetrics ? trace.metrics.map(\.status) : nil
    }

    /// `currentMetrics?[index]`, without building the array.
    public func metricStatus(at index: Int) -> MetricStatus? {
        trace.consultedMetrics && trace.metrics.indices.contains(index) ? trace.metrics[index].status : nil
    }
    /// The pre-normalized proposal, max over metrics; nil when metrics were not consulted.
    public var recommendation: Int32?
    /// The history to carry into the next case.
    public var history: ScaleHistory { editedHistory.history }
    var editedHistory: EditedHistory
    /// `now` when this decision rescaled.
    public var lastScaleTime: Timestamp?
    /// The spec this decision was made for (the explanation names its metrics).
    public var spec: HorizontalPodAutoscalerSpec
    /// Structured facts for `explanation`.
    public var trace: DecisionTrace

    /// Short sentences a person reads: each metric's proposal, what stabilization did, which
    /// policy limited the change, the clamp. Rendered on demand: the batch path pays for it
    /// only when it prints it.
    public var explanation: [String] {
        var sentences: [String] = []
        Explanation.render(trace, decision: self) { sentences.append($0.description) }
        return sentences
    }
}

/// What happened at each step of one reconcile, kept as data.
public struct DecisionTrace: Sendable {
    public enum Branch: Sendable, Equatable {
        /// Target at zero replicas and minReplicas above zero.
        case scalingDisabled
        case aboveMaximum(maxReplicas: Int32)
        case belowMinimum(minReplicas: Int32)
        /// Metrics were computed and the result normalized.
        case metrics
        /// Metrics failed hard: no scaling this cycle.
        case metricsFailed(invalid: Int, total: Int)
    }

    public struct MetricResult: Sendable {
        /// The position in `spec.metrics` (and `currentMetrics`).
        public var index: Int
        /// The metric's status this cycle (a zero status when it failed).
        public var status: MetricStatus
        /// nil when this metric failed.
        public var replicas: Int32?
        public var usageRatio: Double?
        public var outcome: ProposalOutcome?
        public var readyPods = 0
        public var unreadyPods = 0
        public var missingPods = 0
        public var ignoredPods = 0
        public var error: String?
    }

    public struct Stabilization: Sendable {
        public var behaviorPath: Bool
        public var input: Int32
        public var output: Int32
        public var upWindowSeconds: Int32
        public var downWindowSeconds: Int32
    }

    public struct Limit: Sendable {
        public var reason: String
        public var input: Int32
        public var output: Int32
        /// The policies of the direction in force (behavior path only).
        public var selectPolicy: ScalingPolicySelect?
        public var policies: [HPAScalingPolicy]
        /// The rate limit computed from policies and events (behavior path), or the legacy cap.
        public var rateLimit: Int32?
    }

    public var branch: Branch = .metrics
    /// Metrics were computed (whether or not they succeeded): `metrics` holds one result per
    /// spec metric, in order.
    public var consultedMetrics: Bool {
        switch branch {
        case .metrics, .metricsFailed: return true
        case .scalingDisabled, .aboveMaximum, .belowMinimum: return false
        }
    }
    public var tolerances: Tolerances = Tolerances(scaleDown: 0.1, scaleUp: 0.1)
    public var metrics: [MetricResult] = []
    public var stabilization: Stabilization?
    public var limit: Limit?
}
