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
    public var message: String
    public var lastTransitionTime: Timestamp?

    public init(type: ConditionType, status: Bool, reason: String, message: String, lastTransitionTime: Timestamp? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
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
        if let index = conditions.firstIndex(where: { $0.type == type }) {
            if conditions[index].status != status { conditions[index].lastTransitionTime = now }
            conditions[index].status = status
            conditions[index].reason = reason
            conditions[index].message = message
        } else {
            conditions.append(HorizontalPodAutoscalerCondition(type: type, status: status, reason: reason, message: message, lastTransitionTime: now))
        }
    }

    mutating func set(_ condition: HorizontalPodAutoscalerCondition) {
        set(condition.type, condition.status, condition.reason, condition.message)
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
