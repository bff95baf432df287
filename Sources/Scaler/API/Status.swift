/// An HPA status condition, as upstream sets it.
public struct HorizontalPodAutoscalerCondition: Sendable, Equatable {
    public enum ConditionType: String, Sendable, Equatable {
        case ableToScale = "AbleToScale"
        case scalingActive = "ScalingActive"
        case scalingLimited = "ScalingLimited"
    }

    public var type: ConditionType
    public var status: Bool
    public var reason: String
    /// The message as data; `message` renders it. Keeps the hot path free of string building.
    public var detail: ConditionMessage
    public var lastTransitionTime: Timestamp?

    public init(type: ConditionType, status: Bool, reason: String, message: String, lastTransitionTime: Timestamp? = nil) {
        self.init(type: type, status: status, reason: reason, detail: .text(message), lastTransitionTime: lastTransitionTime)
    }

    public init(type: ConditionType, status: Bool, reason: String, detail: ConditionMessage, lastTransitionTime: Timestamp? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.detail = detail
        self.lastTransitionTime = lastTransitionTime
    }

    public var message: String {
        get { detail.description }
        set { detail = .text(newValue) }
    }

    public var statusText: String { status ? "True" : "False" }
}

/// Upstream's `setConditionInList`: replace the condition of that type in place, or append
/// it, so the list keeps the order in which each type was first set. The transition time
/// moves only when the status changes.
struct ConditionList {
    private(set) var conditions: [HorizontalPodAutoscalerCondition]
    let now: Timestamp

    init(_ previous: [HorizontalPodAutoscalerCondition], now: Timestamp) {
        self.conditions = previous
        self.now = now
    }

    mutating func set(_ type: HorizontalPodAutoscalerCondition.ConditionType, _ status: Bool, _ reason: String, _ message: String) {
        set(type, status, reason, detail: .text(message))
    }

    mutating func set(_ type: HorizontalPodAutoscalerCondition.ConditionType, _ status: Bool, _ reason: String, detail: ConditionMessage) {
        if let index = conditions.firstIndex(where: { $0.type == type }) {
            if conditions[index].status != status { conditions[index].lastTransitionTime = now }
            conditions[index].status = status
            conditions[index].reason = reason
            conditions[index].detail = detail
        } else {
            conditions.append(HorizontalPodAutoscalerCondition(type: type, status: status, reason: reason, detail: detail, lastTransitionTime: now))
        }
    }

    mutating func set(_ condition: HorizontalPodAutoscalerCondition) {
        set(condition.type, condition.status, condition.reason, detail: condition.detail)
    }
}

/// An autoscaling/v2 MetricStatus: what one spec metric measured this cycle.
public struct MetricStatus: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case resource(name: String)
        case containerResource(name: String, container: String)
        case pods(metric: MetricIdentifier)
        /// `describedObject` is nil for AverageValue targets, which upstream leaves unset.
        case object(describedObject: CrossVersionObjectReference?, metric: MetricIdentifier)
        case external(metric: MetricIdentifier)
        /// The metric failed: upstream leaves a zero MetricStatus in its slot.
        case none
    }

    public var source: Source
    /// Milli-units.
    public var value: Int64?
    /// Milli-units.
    public var averageValue: Int64?
    public var averageUtilization: Int32?

    public init(source: Source, value: Int64? = nil, averageValue: Int64? = nil, averageUtilization: Int32? = nil) {
        self.source = source
        self.value = value
        self.averageValue = averageValue
        self.averageUtilization = averageUtilization
    }

    public static let none = MetricStatus(source: .none)

    public var typeName: String {
        switch source {
        case .resource: return "Resource"
        case .containerResource: return "ContainerResource"
        case .pods: return "Pods"
        case .object: return "Object"
        case .external: return "External"
        case .none: return ""
        }
    }
}

/// A condition message kept as data and rendered when read.
public enum ConditionMessage: Sendable, Equatable, CustomStringConvertible {
    case text(String)
    /// "the HPA was able to successfully calculate a replica count from <metric>"
    case validMetricFound(MetricLabel)
    /// "the HPA controller was able to update the target scale to <n>"
    case succeededRescale(Int32)

    public var description: String {
        switch self {
        case .text(let text): return text
        case .validMetricFound(let label): return "the HPA was able to successfully calculate a replica count from \(label)"
        case .succeededRescale(let replicas): return "the HPA controller was able to update the target scale to \(replicas)"
        }
    }
}

/// Upstream's name for the metric behind a proposal, as its `computeStatusFor*Metric`
/// functions word it ("cpu resource utilization (percentage of request)").
public enum MetricLabel: Sendable, Equatable, CustomStringConvertible {
    case resourceUtilization(String)
    case containerResourceUtilization(String)
    case resourceAverage(String)
    case pods(String)
    case object(kind: String, name: String)
    /// External metrics, and (as upstream words it) Object metrics with an AverageValue target.
    case external(name: String, selector: LabelSelector?)

    public var description: String {
        switch self {
        case .resourceUtilization(let name): return "\(name) resource utilization (percentage of request)"
        case .containerResourceUtilization(let name): return "\(name) container resource utilization (percentage of request)"
        case .resourceAverage(let name): return "\(name) resource"
        case .pods(let name): return "pods metric \(name)"
        case .object(let kind, let name): return "\(kind) metric \(name)"
        case .external(let name, let selector): return "external metric \(name)(\(LabelSelector.goDescription(selector)))"
        }
    }
}

/// Upstream's rescale reason, rendered when read.
public enum RescaleReason: Sendable, Equatable, CustomStringConvertible {
    case none
    case aboveTarget(MetricLabel)
    case allMetricsBelowTarget
    case aboveMaximum
    case belowMinimum
    /// The metrics failed hard; the text is upstream's error.
    case failed(String)

    public var description: String {
        switch self {
        case .none: return ""
        case .aboveTarget(let label): return "\(label) above target"
        case .allMetricsBelowTarget: return "All metrics below target"
        case .aboveMaximum: return "Current number of replicas above Spec.MaxReplicas"
        case .belowMinimum: return "Current number of replicas below Spec.MinReplicas"
        case .failed(let text): return text
        }
    }
}
