/// The parts of an autoscaling/v2 HorizontalPodAutoscaler that the algorithm reads.
///
/// Names follow the Kubernetes API so a reader can hold them against `k8s.io/api/autoscaling/v2`.
public struct HorizontalPodAutoscalerSpec: Sendable, Equatable {
    public var scaleTargetRef: CrossVersionObjectReference
    /// Absent means 1, as the API server defaults it.
    public var minReplicas: Int32?
    public var maxReplicas: Int32
    public var metrics: [MetricSpec]
    /// Absent is the legacy path; present (even `{}`) is the behavior path, defaulted field by field.
    public var behavior: HorizontalPodAutoscalerBehavior?

    public init(
        scaleTargetRef: CrossVersionObjectReference = CrossVersionObjectReference(kind: "Deployment", name: "", apiVersion: "apps/v1"),
        minReplicas: Int32? = nil,
        maxReplicas: Int32,
        metrics: [MetricSpec],
        behavior: HorizontalPodAutoscalerBehavior? = nil
    ) {
        self.scaleTargetRef = scaleTargetRef
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.metrics = metrics
        self.behavior = behavior
    }

    /// The lower bound in force: `minReplicas`, or upstream's default of 1.
    public var effectiveMinReplicas: Int32 { minReplicas ?? 1 }
}

/// What the HPA is metadata-wise: used in messages and status.
public struct ObjectMeta: Sendable, Equatable {
    public var name: String
    public var namespace: String

    public init(name: String = "", namespace: String = "default") {
        self.name = name
        self.namespace = namespace
    }
}

public struct CrossVersionObjectReference: Sendable, Equatable {
    public var kind: String
    public var name: String
    public var apiVersion: String

    public init(kind: String, name: String, apiVersion: String = "") {
        self.kind = kind
        self.name = name
        self.apiVersion = apiVersion
    }
}

/// A metric's name and label selector. The selector is kept as written: the algorithm only
/// echoes it into status and messages.
public struct MetricIdentifier: Sendable, Equatable {
    public var name: String
    public var selector: LabelSelector?

    public init(name: String, selector: LabelSelector? = nil) {
        self.name = name
        self.selector = selector
    }
}

public struct LabelSelector: Sendable, Equatable {
    public struct Requirement: Sendable, Equatable {
        public var key: String
        public var `operator`: String
        public var values: [String]

        public init(key: String, operator: String, values: [String]) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }
    }

    public var matchLabels: [(key: String, value: String)]
    public var matchExpressions: [Requirement]

    public init(matchLabels: [(key: String, value: String)] = [], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    public static func == (lhs: LabelSelector, rhs: LabelSelector) -> Bool {
        lhs.matchLabels.count == rhs.matchLabels.count
            && zip(lhs.matchLabels, rhs.matchLabels).allSatisfy { $0.key == $1.key && $0.value == $1.value }
            && lhs.matchExpressions == rhs.matchExpressions
    }

    /// The text Go's `%+v` prints for a `*metav1.LabelSelector` (its generated `String()`), which
    /// upstream puts into external metric names such as `external metric qps(nil)`.
    public static func goDescription(_ selector: LabelSelector?) -> String {
        guard let selector else { return "nil" }
        var expressions = "[]LabelSelectorRequirement{"
        for requirement in selector.matchExpressions {
            expressions += "LabelSelectorRequirement{Key:\(requirement.key),Operator:\(requirement.operator),"
                + "Values:[\(requirement.values.joined(separator: " "))],},"
        }
        expressions += "}"
        var labels = "map[string]string{"
        for (key, value) in selector.matchLabels.sorted(by: { $0.key < $1.key }) {
            labels += "\(key): \(value),"
        }
        labels += "}"
        return "&LabelSelector{MatchLabels:\(labels),MatchExpressions:\(expressions),}"
    }
}

/// The target of a metric: exactly what the API's MetricTarget holds.
public struct MetricTarget: Sendable, Equatable {
    public enum TargetType: Sendable, Equatable {
        case utilization, value, averageValue
        case other(String)

        public init(_ text: String) {
            switch text {
            case "Utilization": self = .utilization
            case "Value": self = .value
            case "AverageValue": self = .averageValue
            default: self = .other(text)
            }
        }

        public var name: String {
            switch self {
            case .utilization: return "Utilization"
            case .value: return "Value"
            case .averageValue: return "AverageValue"
            case .other(let text): return text
            }
        }
    }

    public var type: TargetType
    public var value: Quantity?
    public var averageValue: Quantity?
    public var averageUtilization: Int32?

    public init(type: TargetType, value: Quantity? = nil, averageValue: Quantity? = nil, averageUtilization: Int32? = nil) {
        self.type = type
        self.value = value
        self.averageValue = averageValue
        self.averageUtilization = averageUtilization
    }

    public static func utilization(_ percent: Int32) -> MetricTarget {
        MetricTarget(type: .utilization, averageUtilization: percent)
    }

    public static func averageValue(_ quantity: Quantity) -> MetricTarget {
        MetricTarget(type: .averageValue, averageValue: quantity)
    }

    public static func value(_ quantity: Quantity) -> MetricTarget {
        MetricTarget(type: .value, value: quantity)
    }
}

/// One entry of `spec.metrics`.
public enum MetricSpec: Sendable, Equatable {
    case resource(name: String, target: MetricTarget)
    case containerResource(name: String, container: String, target: MetricTarget)
    case pods(metric: MetricIdentifier, target: MetricTarget)
    case object(describedObject: CrossVersionObjectReference, metric: MetricIdentifier, target: MetricTarget)
    case external(metric: MetricIdentifier, target: MetricTarget)
    /// A type upstream does not know: an invalid metric every cycle (InvalidMetricSourceType).
    case unknown(type: String)

    public var typeName: String {
        switch self {
        case .resource: return "Resource"
        case .containerResource: return "ContainerResource"
        case .pods: return "Pods"
        case .object: return "Object"
        case .external: return "External"
        case .unknown(let type): return type
        }
    }

    /// A short name a person recognizes: "cpu", "qps", "queue_depth".
    public var displayName: String {
        switch self {
        case .resource(let name, _): return name
        case .containerResource(let name, let container, _): return "\(name) of container \(container)"
        case .pods(let metric, _), .object(_, let metric, _), .external(let metric, _): return metric.name
        case .unknown(let type): return "\(type) metric"
        }
    }

    public var target: MetricTarget? {
        switch self {
        case .resource(_, let target), .containerResource(_, _, let target), .pods(_, let target),
             .object(_, _, let target), .external(_, let target):
            return target
        case .unknown:
            return nil
        }
    }
}

// MARK: - Behavior

public enum ScalingPolicySelect: Sendable, Equatable {
    case max, min, disabled

    public var name: String {
        switch self {
        case .max: return "Max"
        case .min: return "Min"
        case .disabled: return "Disabled"
        }
    }
}

public struct HPAScalingPolicy: Sendable, Equatable {
    public enum PolicyType: Sendable, Equatable {
        case pods, percent

        public var name: String { self == .pods ? "Pods" : "Percent" }
    }

    public var type: PolicyType
    public var value: Int32
    public var periodSeconds: Int32

    public init(type: PolicyType, value: Int32, periodSeconds: Int32) {
        self.type = type
        self.value = value
        self.periodSeconds = periodSeconds
    }
}

/// One direction's rules as written; `nil` fields take upstream's defaults.
public struct HPAScalingRules: Sendable, Equatable {
    public var stabilizationWindowSeconds: Int32?
    public var selectPolicy: ScalingPolicySelect?
    public var policies: [HPAScalingPolicy]?
    public var tolerance: Quantity?

    public init(
        stabilizationWindowSeconds: Int32? = nil,
        selectPolicy: ScalingPolicySelect? = nil,
        policies: [HPAScalingPolicy]? = nil,
        tolerance: Quantity? = nil
    ) {
        self.stabilizationWindowSeconds = stabilizationWindowSeconds
        self.selectPolicy = selectPolicy
        self.policies = policies
        self.tolerance = tolerance
    }
}

public struct HorizontalPodAutoscalerBehavior: Sendable, Equatable {
    public var scaleUp: HPAScalingRules?
    public var scaleDown: HPAScalingRules?

    public init(scaleUp: HPAScalingRules? = nil, scaleDown: HPAScalingRules? = nil) {
        self.scaleUp = scaleUp
        self.scaleDown = scaleDown
    }
}

/// One direction's rules with every default filled in, as upstream's API defaulting
/// (`GenerateHPAScaleUpRules`, `GenerateHPAScaleDownRules`) and the controller's
/// `maybeInitScaleDownStabilizationWindow` leave them.
public struct ResolvedScalingRules: Sendable, Equatable {
    public var stabilizationWindowSeconds: Int32
    public var selectPolicy: ScalingPolicySelect
    public var policies: [HPAScalingPolicy]

    /// The longest period of any policy: how long a scale event can still matter.
    public var longestPolicyPeriod: Int32 {
        policies.reduce(0) { Swift.max($0, $1.periodSeconds) }
    }
}

extension HorizontalPodAutoscalerBehavior {
    /// Upstream's default scale-up policies: 4 pods or 100 % per 15 s.
    public static let defaultScaleUpPolicies = [
        HPAScalingPolicy(type: .pods, value: 4, periodSeconds: 15),
        HPAScalingPolicy(type: .percent, value: 100, periodSeconds: 15),
    ]
    /// Upstream's default scale-down policy: 100 % per 15 s.
    public static let defaultScaleDownPolicies = [HPAScalingPolicy(type: .percent, value: 100, periodSeconds: 15)]

    /// Scale up: no stabilization, Max of (4 pods, 100 %) per 15 s.
    public func resolvedScaleUp() -> ResolvedScalingRules {
        ResolvedScalingRules(
            stabilizationWindowSeconds: scaleUp?.stabilizationWindowSeconds ?? 0,
            selectPolicy: scaleUp?.selectPolicy ?? .max,
            policies: scaleUp?.policies ?? Self.defaultScaleUpPolicies
        )
    }

    /// Scale down: the controller's downscale window unless set, Max of 100 % per 15 s.
    public func resolvedScaleDown(defaultStabilizationSeconds: Int32) -> ResolvedScalingRules {
        ResolvedScalingRules(
            stabilizationWindowSeconds: scaleDown?.stabilizationWindowSeconds ?? defaultStabilizationSeconds,
            selectPolicy: scaleDown?.selectPolicy ?? .max,
            policies: scaleDown?.policies ?? Self.defaultScaleDownPolicies
        )
    }
}
