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
    public var message: String
    public var lastTransitionTime: Timestamp?

    public init(type: ConditionType, status: Status, reason: String, message: String, lastTransitionTime: Timestamp? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }

    public var statusText: String { status.rawValue }
}

/// A condition as the reconcile keeps it: the message as data, rendered against the spec only
/// when someone reads it, so a reconcile builds no strings and copies no names.
struct RawCondition: Sendable {
    var type: HorizontalPodAutoscalerCondition.ConditionType
    var status: HorizontalPodAutoscalerCondition.Status
    var reason: String
    var detail: ConditionMessage
    var lastTransitionTime: Timestamp?

    init(type: HorizontalPodAutoscalerCondition.ConditionType, status: HorizontalPodAutoscalerCondition.Status,
         reason: String, detail: ConditionMessage, lastTransitionTime: Timestamp?) {
        self.type = type
        self.status = status
        self.reason = reason
        self.detail = detail
        self.lastTransitionTime = lastTransitionTime
    }

    init(_ condition: HorizontalPodAutoscalerCondition) {
        self.init(type: condition.type, status: condition.status, reason: condition.reason,
                  detail: .text(condition.message), lastTransitionTime: condition.lastTransitionTime)
    }

    func rendered(in spec: HorizontalPodAutoscalerSpec) -> HorizontalPodAutoscalerCondition {
        HorizontalPodAutoscalerCondition(type: type, status: status, reason: reason,
                                         message: detail.text(in: spec), lastTransitionTime: lastTransitionTime)
    }
}

/// Upstream's `setConditionInList`: replace the condition of that type in place, or append
/// it, so the list keeps the order in which each type was first set. The transition time
/// moves only when the status changes.
///
/// Kept as one slot per type the controller sets, plus conditions of other types carried from
/// the previous status, each with its position; the several updates of one reconcile touch no
/// array, and `conditions` builds the list once.
struct ConditionList {
    private var ableToScale: RawCondition?
    private var scalingActive: RawCondition?
    private var scalingLimited: RawCondition?
    /// Invariant: `order.n` is the position of slot n in the list, or -1 when unset.
    private var order: (Int, Int, Int) = (-1, -1, -1)
    /// Conditions of other types from the previous status, with their positions.
    private var carried: [(position: Int, condition: RawCondition)] = []
    private var count = 0
    let now: Timestamp

    /// The three types the controller sets, a slot each: setting one compares no strings.
    enum Slot {
        case ableToScale, scalingActive, scalingLimited

        init?(_ type: HorizontalPodAutoscalerCondition.ConditionType) {
            switch type {
            case .ableToScale: self = .ableToScale
            case .scalingActive: self = .scalingActive
            case .scalingLimited: self = .scalingLimited
            default: return nil
            }
        }

        var type: HorizontalPodAutoscalerCondition.ConditionType {
            switch self {
            case .ableToScale: return .ableToScale
            case .scalingActive: return .scalingActive
            case .scalingLimited: return .scalingLimited
            }
        }
    }

    init(_ previous: [HorizontalPodAutoscalerCondition], now: Timestamp) {
        self.now = now
        self.carry(previous)
    }

    /// The previous status's conditions, first of each type only, in their order.
    private mutating func carry(_ previous: [HorizontalPodAutoscalerCondition]) {
        for original in previous {
            let condition = RawCondition(original)
            if let slot = Slot(condition.type) {
                guard self[slot] == nil else { continue }
                self[slot] = condition
                setOrder(slot)
            } else {
                guard !carried.contains(where: { $0.condition.type == condition.type }) else { continue }
                carried.append((count, condition))
                count += 1
            }
        }
    }

    private subscript(slot: Slot) -> RawCondition? {
        get {
            switch slot {
            case .ableToScale: return ableToScale
            case .scalingActive: return scalingActive
            case .scalingLimited: return scalingLimited
            }
        }
        set {
            switch slot {
            case .ableToScale: ableToScale = newValue
            case .scalingActive: scalingActive = newValue
            case .scalingLimited: scalingLimited = newValue
            }
        }
    }

    private mutating func setOrder(_ slot: Slot) {
        switch slot {
        case .ableToScale: order.0 = count
        case .scalingActive: order.1 = count
        case .scalingLimited: order.2 = count
        }
        count += 1
    }

    /// Calls `body` with each condition in list order; the decision keeps the slots and
    /// builds no list until one is asked for.
    func forEach(_ body: (RawCondition) -> Void) {
        var carriedIndex = 0
        for position in 0..<count {
            if order.0 == position, let ableToScale { body(ableToScale) }
            if order.1 == position, let scalingActive { body(scalingActive) }
            if order.2 == position, let scalingLimited { body(scalingLimited) }
            if carriedIndex < carried.count, carried[carriedIndex].position == position {
                body(carried[carriedIndex].condition)
                carriedIndex += 1
            }
        }
    }

    var conditions: [RawCondition] {
        var list: [RawCondition] = []
        list.reserveCapacity(count)
        forEach { list.append($0) }
        return list
    }

    mutating func set(_ slot: Slot, _ status: Bool, _ reason: String, _ message: String) {
        set(slot, status, reason, detail: .text(message))
    }

    /// Only the controller's own types are set (the three slots), each updated in place.
    mutating func set(_ slot: Slot, _ status: Bool, _ reason: String, detail: ConditionMessage) {
        let newStatus = HorizontalPodAutoscalerCondition.Status(status)
        let isNew: Bool
        switch slot {
        case .ableToScale: isNew = Self.update(&ableToScale, slot.type, newStatus, reason, detail, now)
        case .scalingActive: isNew = Self.update(&scalingActive, slot.type, newStatus, reason, detail, now)
        case .scalingLimited: isNew = Self.update(&scalingLimited, slot.type, newStatus, reason, detail, now)
        }
        if isNew { setOrder(slot) }
    }

    /// Returns true when the slot was empty. Updates the condition in place: no copy of it
    /// (and of its strings) is made.
    private static func update(
        _ slot: inout RawCondition?, _ type: HorizontalPodAutoscalerCondition.ConditionType,
        _ status: HorizontalPodAutoscalerCondition.Status, _ reason: String, _ detail: ConditionMessage, _ now: Timestamp
    ) -> Bool {
        guard slot != nil else {
            slot = RawCondition(type: type, status: status, reason: reason, detail: detail, lastTransitionTime: now)
            return true
        }
        if slot!.status != status { slot!.lastTransitionTime = now }
        slot!.status = status
        slot!.reason = reason
        slot!.detail = detail
        return false
    }

    /// A condition the controller made (of one of its own types).
    mutating func set(_ condition: RawCondition) {
        guard let slot = Slot(condition.type) else {
            assertionFailure("the controller sets only its own condition types, not \(condition.type.rawValue)")
            return
        }
        set(slot, condition.status == .true, condition.reason, detail: condition.detail)
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
enum ConditionMessage: Sendable {
    case text(String)
    /// "the HPA was able to successfully calculate a replica count from <metric>"
    case validMetricFound(MetricLabel)
    /// "the HPA controller was able to update the target scale to <n>"
    case succeededRescale(Int32)

    func text(in spec: HorizontalPodAutoscalerSpec) -> String {
        if case .text(let text) = self { return text }
        return sentence(in: spec).description
    }

    func sentence(in spec: HorizontalPodAutoscalerSpec) -> Sentence {
        switch self {
        case .text(let text): return "\(text)"
        case .validMetricFound(let label): return "the HPA was able to successfully calculate a replica count from \(label, in: spec)"
        case .succeededRescale(let replicas): return "the HPA controller was able to update the target scale to \(replicas)"
        }
    }
}

/// Upstream's name for the metric behind a proposal, as its `computeStatusFor*Metric`
/// functions word it ("cpu resource utilization (percentage of request)"). It refers to the
/// spec metric by position, so carrying it around copies no names.
struct MetricLabel: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case resourceUtilization, containerResourceUtilization, resourceAverage, pods, object
        /// External metrics, and (as upstream words it) Object metrics with an AverageValue target.
        case external
    }

    var kind: Kind
    var index: Int

    /// The label's words, as interpolated into a sentence: `"\(label, in: spec)"`.
    fileprivate func write(to text: inout Sentence.Interpolation, in spec: HorizontalPodAutoscalerSpec) {
        guard index < spec.metrics.count else { return }
        switch (kind, spec.metrics[index]) {
        case (.resourceUtilization, .resource(let name, _)):
            text.appendInterpolation(name)
            text.appendLiteral(" resource utilization (percentage of request)")
        case (.containerResourceUtilization, .containerResource(let name, _, _)):
            text.appendInterpolation(name)
            text.appendLiteral(" container resource utilization (percentage of request)")
        case (.resourceAverage, .resource(let name, _)), (.resourceAverage, .containerResource(let name, _, _)):
            text.appendInterpolation(name)
            text.appendLiteral(" resource")
        case (.pods, .pods(let metric, _)):
            text.appendLiteral("pods metric ")
            text.appendInterpolation(metric.name)
        case (.object, .object(let describedObject, let metric, _)):
            text.appendInterpolation(describedObject.kind)
            text.appendLiteral(" metric ")
            text.appendInterpolation(metric.name)
        case (.external, .external(let metric, _)), (.external, .object(_, let metric, _)):
            text.appendLiteral("external metric ")
            text.appendInterpolation(metric.name)
            text.appendLiteral("(")
            text.appendInterpolation(LabelSelector.goDescription(metric.selector))
            text.appendLiteral(")")
        default:
            break
        }
    }
}

extension Sentence.Interpolation {
    fileprivate mutating func appendInterpolation(_ label: MetricLabel, in spec: HorizontalPodAutoscalerSpec) {
        label.write(to: &self, in: spec)
    }
}

/// Upstream's rescale reason, rendered when read.
enum RescaleReason: Sendable, Equatable {
    case none
    case aboveTarget(MetricLabel)
    case allMetricsBelowTarget
    case aboveMaximum
    case belowMinimum
    /// The metrics failed hard; the text is upstream's error.
    case failed(String)

    func text(in spec: HorizontalPodAutoscalerSpec) -> String {
        if case .failed(let text) = self { return text }
        return sentence(in: spec).description
    }

    func sentence(in spec: HorizontalPodAutoscalerSpec) -> Sentence {
        switch self {
        case .none: return ""
        case .aboveTarget(let label): return "\(label, in: spec) above target"
        case .allMetricsBelowTarget: return "All metrics below target"
        case .aboveMaximum: return "Current number of replicas above Spec.MaxReplicas"
        case .belowMinimum: return "Current number of replicas below Spec.MinReplicas"
        case .failed(let text): return "\(text)"
        }
    }
}
