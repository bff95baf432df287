/// What a reconcile needs of one spec metric to compute its proposal: which of upstream's
/// calculations applies and its target in the units that calculation compares. It holds no
/// names, so dispatching on it copies nothing reference-counted; the spec entry's names are
/// read only when an error message needs them.
///
/// The choice follows upstream's `computeReplicasForMetric` and `computeStatusFor*Metric`:
/// an AverageValue target wins over a Utilization one for resources; Object metrics take a
/// Value target only when the target type says Value, and an AverageValue target only when it
/// says AverageValue; External metrics take an AverageValue target over a Value one.
enum MetricPlan: Sendable, Equatable {
    /// `GetResourceReplicas`: percent of the pods' requests.
    case resourceUtilization(target: Int32, isCPU: Bool, container: Bool)
    /// `GetRawResourceReplicas`: milli-units per pod.
    case resourceAverage(target: Int64, isCPU: Bool, container: Bool)
    /// `GetMetricReplicas`.
    case pods(target: Int64)
    /// `GetObjectMetricReplicas`.
    case objectValue(target: Int64)
    /// `GetObjectPerPodMetricReplicas`.
    case objectAverage(target: Int64)
    /// `GetExternalPerPodMetricReplicas`.
    case externalAverage(target: Int64)
    /// `GetExternalMetricReplicas`.
    case externalValue(target: Int64)
    /// No target the calculation can use, or a type upstream does not know: the metric is
    /// invalid every cycle.
    case invalid

    init(_ spec: MetricSpec) {
        switch spec {
        case .resource(let name, let target):
            self = Self.resource(target, isCPU: name == "cpu", container: false)
        case .containerResource(let name, _, let target):
            self = Self.resource(target, isCPU: name == "cpu", container: true)
        case .pods(_, let target):
            self = target.averageValue.map { .pods(target: $0.milliValue) } ?? .invalid
        case .object(_, _, let target):
            if target.type == .value, let value = target.value {
                self = .objectValue(target: value.milliValue)
            } else if target.type == .averageValue, let averageValue = target.averageValue {
                self = .objectAverage(target: averageValue.milliValue)
            } else {
                self = .invalid
            }
        case .external(_, let target):
            if let averageValue = target.averageValue {
                self = .externalAverage(target: averageValue.milliValue)
            } else if let value = target.value {
                self = .externalValue(target: value.milliValue)
            } else {
                self = .invalid
            }
        case .unknown:
            self = .invalid
        }
    }

    private static func resource(_ target: MetricTarget, isCPU: Bool, container: Bool) -> MetricPlan {
        if let averageValue = target.averageValue {
            return .resourceAverage(target: averageValue.milliValue, isCPU: isCPU, container: container)
        }
        if let utilization = target.averageUtilization {
            return .resourceUtilization(target: utilization, isCPU: isCPU, container: container)
        }
        return .invalid
    }

    /// How upstream names the metric in the rescale reason and the ValidMetricFound message.
    var labelKind: MetricLabel.Kind {
        switch self {
        case .resourceUtilization(_, _, let container): return container ? .containerResourceUtilization : .resourceUtilization
        case .resourceAverage: return .resourceAverage
        case .pods: return .pods
        case .objectValue: return .object
        // Upstream names an Object metric's AverageValue proposal as if it were external.
        case .objectAverage, .externalAverage, .externalValue: return .external
        case .invalid: preconditionFailure("an invalid metric proposes nothing")
        }
    }

    /// The metric's status from its calculation: the figures upstream's `computeStatusFor*Metric`
    /// set for this kind of target.
    func status(of proposal: ReplicaCalculator.Proposal) -> MetricStatus {
        switch self {
        case .resourceUtilization(_, _, let container), .resourceAverage(_, _, let container):
            return MetricStatus(kind: container ? .containerResource : .resource, averageValue: proposal.usage,
                                averageUtilization: proposal.utilization)
        case .pods: return MetricStatus(kind: .pods, averageValue: proposal.usage)
        case .objectValue: return MetricStatus(kind: .object, value: proposal.usage)
        case .objectAverage: return MetricStatus(kind: .objectAverage, averageValue: proposal.usage)
        case .externalAverage: return MetricStatus(kind: .external, averageValue: proposal.usage)
        case .externalValue: return MetricStatus(kind: .external, value: proposal.usage)
        case .invalid: preconditionFailure("an invalid metric proposes nothing")
        }
    }

    /// Whether the calculation is per pod on an AverageValue target (the failure messages say
    /// "usage" rather than "utilization", and name the object or external metric again).
    var isAverage: Bool {
        switch self {
        case .resourceAverage, .objectAverage, .externalAverage: return true
        case .resourceUtilization, .pods, .objectValue, .externalValue, .invalid: return false
        }
    }
}
