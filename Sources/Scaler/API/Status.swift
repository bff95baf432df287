/// An HPA status condition, as upstream sets it.
public struct HorizontalPodAutoscalerCondition: Sendable, Equatable {
    /// A condition type. The controller sets the three below; others from a previous status are
    /// carried as they were, as upstream's `setConditionInList` leaves them.
    public struct ConditionType: RawRepresentable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let ableToScale = ConditionType(rawValue: "AbleToScale")
        public static let scalingActive = ConditionType(rawValue: "ScalingActive")
        public static let scalingLimited = ConditionType(rawValue: "ScalingLimited")
    }

    /// A condition status: the controller writes True or False; Unknown survives from input.
    public enum Status: String, Sendable, Equatable, ExpressibleByBooleanLiteral {
        case `true` = "True"
        case `false` = "False"
        case unknown = "Unknown"

        public init(booleanLiteral value: Bool) { self = value ? .true : .false }
        public init(_ value: Bool) { self = value ? .true : .false }
    }

    public var type: ConditionType
    public var status: Status
    public var reason: String
    /// The message as data; `message` renders it. Keeps the hot path free of string building.
    public var detail: ConditionMessage
    public var lastTransitionTime: Timestamp?

    public init(type: ConditionType, status: Status, reason: String, message: String, lastTransitionTime: Timestamp? = nil) {
        self.init(type: type, status: status, reason: reason, detail: .text(message), lastTransitionTime: lastTransitionTime)
    }

    public init(type: ConditionType, status: Status, reason: String, detail: ConditionMessage, lastTransitionTime: Timestamp? = nil) {
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

    public var statusText: String { status.rawValue }
}

/// Upstream's `setConditionInList`: replace the condition of that type in place, or append
/// it, so the list keeps the order in which each type was first set. The transition time
/// moves only when the status changes.
///
/// Kept as one slot per type the controller sets, plus conditions of other types carried from
/// the previous status, each with its position; the several updates of one reconcile touch no
/// array, and `conditions` builds the list once.
struct ConditionList {
    private var ableToScale: HorizontalPodAutoscalerCondition?
    private var scalingActive: HorizontalPodAutoscalerCondition?
    private var scalingLimited: HorizontalPodAutoscalerCondition?
    /// Invariant: `order.n` is the position of slot n in the list, or -1 when unset.
    private var order: (Int, Int, Int) = (-1, -1, -1)
    /// Conditions of other types from the previous status, with their positions.
    private var carried: [(position: Int, condition: HorizontalPodAutoscalerCondition)] = []
    private var count = 0
    let now: Timestamp

    init(_ previous: [HorizontalPodAutoscalerCondition], now: Timestamp) {
        self.now = now
        for condition in previous {
            if Self.isSlotted(condition.type) {
                guard self[condition.type] == nil else { continue }
                self[condition.type] = condition
                setOrder(condition.type)
            } else {
                guard !carried.contains(where: { $0.condition.type == condition.type }) else { continue }
                carried.append((count, condition))
                count += 1
            }
        }
    }

    private static func isSlotted(_ type: HorizontalPodAutoscalerCondition.ConditionType) -> Bool {
        type == .ableToScale || type == .scalingActive || type == .scalingLimited
    }

    private subscript(type: HorizontalPodAutoscalerCondition.ConditionType) -> HorizontalPodAutoscalerCondition? {
        get {
            if type == .ableToScale { return ableToScale }
            if type == .scalingActive { return scalingActive }
            return scalingLimited
        }
        set {
            if type == .ableToScale {
                ableToScale = newValue
            } else if type == .scalingActive {
                scalingActive = newValue
            } else {
                scalingLimited = newValue
            }
        }
    }

    private mutating func setOrder(_ type: HorizontalPodAutoscalerCondition.ConditionType) {
        if type == .ableToScale {
            order.0 = count
        } else if type == .scalingActive {
            order.1 = count
        } else {
            order.2 = count
        }
        count += 1
    }

    var conditions: [HorizontalPodAutoscalerCondition] {
        var list: [HorizontalPodAutoscalerCondition] = []
        list.reserveCapacity(count)
        var carriedIndex = 0
        for position in 0..<count {
            if order.0 == position, let ableToScale { list.append(ableToScale) }
            if order.1 == position, let scalingActive { list.append(scalingActive) }
            if order.2 == position, let scalingLimited { list.append(scalingLimited) }
            if carriedIndex < carried.count, carried[carriedIndex].position == position {
                list.append(carried[carriedIndex].condition)
                carriedIndex += 1
            }
        }
        return list
    }

    mutating func set(_ type: HorizontalPodAutoscalerCondition.ConditionType, _ status: Bool, _ reason: String, _ message: String) {
        set(type, status, reason, detail: .text(message))
    }

    /// Only the controller's own types are set (the three slots).
    mutating func set(_ type: HorizontalPodAutoscalerCondition.ConditionType, _ status: Bool, _ reason: String, detail: ConditionMessage) {
        let newStatus = HorizontalPodAutoscalerCondition.Status(status)
        if let existing = self[type] {
            let transition = existing.status != newStatus ? now : existing.lastTransitionTime
            self[type] = HorizontalPodAutoscalerCondition(type: type, status: newStatus, reason: reason, detail: detail, lastTransitionTime: transition)
        } else {
            self[type] = HorizontalPodAutoscalerCondition(type: type, status: newStatus, reason: reason, detail: detail, lastTransitionTime: now)
            setOrder(type)
        }
    }

    mutating func set(_ condition: HorizontalPodAutoscalerCondition) {
        set(condition.type, condition.status == .true, condition.reason, detail: condition.detail)
    }
}

/// An autoscaling/v2 MetricStatus: what one spec metric measured this cycle. The metric's
/// names live in the spec entry at the same position; the status holds only the figures, so
/// building it copies no strings.
public struct MetricStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case resource, containerResource, pods, external
        /// An Object metric with a Value target (its status names the described object).
        case object
        /// An Object metric with an AverageValue target (upstream leaves describedObject unset).
        case objectAverage
        /// The metric failed: upstream leaves a zero MetricStatus in its slot.
        case none
    }

    public var kind: Kind
    /// Milli-units.
    public var value: Int64?
    /// Milli-units.
    public var averageValue: Int64?
    public var averageUtilization: Int32?

    public init(kind: Kind, value: Int64? = nil, averageValue: Int64? = nil, averageUtilization: Int32? = nil) {
        self.kind = kind
        self.value = value
        self.averageValue = averageValue
        self.averageUtilization = averageUtilization
    }

    public static let none = MetricStatus(kind: .none)

    public var typeName: String {
        switch kind {
        case .resource: return "Resource"
        case .containerResource: return "ContainerResource"
        case .pods: return "Pods"
        case .object, .objectAverage: return "Object"
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
