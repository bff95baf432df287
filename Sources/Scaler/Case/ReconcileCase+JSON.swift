extension ReconcileCase {
    static let caseKeys = ["now", "hpa", "scale", "pods", "metrics", "history", "controller"]

    /// Reads a case from JSON text. Errors name the field (`scale.specReplicas: is required`)
    /// or, for broken JSON, the line and column.
    public init(json text: String) throws(CaseError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw CaseError("malformed JSON at \(error.description)")
        }
        try self.init(jsonValue: value)
    }

    public init(jsonBytes bytes: UnsafeBufferPointer<UInt8>) throws(CaseError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw CaseError("malformed JSON at \(error.description)")
        }
        try self.init(jsonValue: value)
    }

    /// Reads a case from a JSON tree (YAML documents are converted to the same tree).
    public init(jsonValue value: JSONValue) throws(CaseError) {
        let fields = try FieldReader(value, allowing: Self.caseKeys)
        let now = try fields.required("now", Read.timestamp)
        let (metadata, spec, conditions) = try fields.required("hpa", CaseDecoding.hpa)
        let scale = try fields.required("scale", CaseDecoding.scale)
        let pods = try fields.optional("pods", CaseDecoding.pods) ?? []
        let metrics = CaseDecoding.resolvingSampleTimestamps(try fields.optional("metrics", CaseDecoding.observations) ?? [], now: now)
        if metrics.count > spec.metrics.count {
            throw CaseError("has \(metrics.count) entries but hpa.spec.metrics has \(spec.metrics.count); metrics[i] is what was observed for spec.metrics[i]", at: ["metrics"])
        }
        let history = try fields.optional("history", CaseDecoding.history) ?? ScaleHistory()
        let options = try fields.optional("controller", CaseDecoding.controllerOptions) ?? ControllerOptions()
        self.init(now: now, metadata: metadata, spec: spec, previousConditions: conditions, scale: scale,
                  pods: pods, metrics: metrics, history: history, options: options)
    }
}

extension ScaleHistory {
    /// Reads the `history` object of a case (and of Tidepool's saved state).
    public init(jsonValue value: JSONValue) throws(CaseError) {
        self = try CaseDecoding.history(value)
    }
}

/// Readers for each part of a case, in the order the spec lists them.
enum CaseDecoding {
    // MARK: hpa

    /// A whole HorizontalPodAutoscaler (as kubectl prints it; fields the algorithm does not read
    /// are ignored) or a bare spec.
    static func hpa(_ value: JSONValue) throws(CaseError) -> (ObjectMeta, HorizontalPodAutoscalerSpec, [HorizontalPodAutoscalerCondition]) {
        let fields = try FieldReader(value)
        guard fields.value("spec") != nil else {
            return (ObjectMeta(), try spec(value), [])
        }
        if let apiVersion = try fields.optional("apiVersion", Read.string), !apiVersion.hasPrefix("autoscaling/") {
            throw CaseError("\"\(apiVersion)\" is not an autoscaling API version (expected autoscaling/v2)", at: ["apiVersion"])
        }
        if let kind = try fields.optional("kind", Read.string), kind != "HorizontalPodAutoscaler" {
            throw CaseError("\"\(kind)\" is not HorizontalPodAutoscaler", at: ["kind"])
        }
        let metadata = try fields.optional("metadata") { (value: JSONValue) throws(CaseError) -> ObjectMeta in
            let meta = try FieldReader(value)
            return ObjectMeta(name: try meta.optional("name", Read.string) ?? "",
                              namespace: try meta.optional("namespace", Read.string) ?? "default")
        } ?? ObjectMeta()
        let spec = try fields.required("spec", spec)
        let conditions = try fields.optional("status") { (value: JSONValue) throws(CaseError) -> [HorizontalPodAutoscalerCondition] in
            try FieldReader(value).optional("conditions", Self.conditions) ?? []
        } ?? []
        return (metadata, spec, conditions)
    }

    static func spec(_ value: JSONValue) throws(CaseError) -> HorizontalPodAutoscalerSpec {
        let fields = try FieldReader(value)
        let reference = try fields.optional("scaleTargetRef") { (value: JSONValue) throws(CaseError) -> CrossVersionObjectReference in
            try objectReference(value)
        } ?? CrossVersionObjectReference(kind: "Deployment", name: "", apiVersion: "apps/v1")
        let minReplicas = try fields.optional("minReplicas", Read.nonNegativeInt32)
        let maxReplicas = try fields.required("maxReplicas", Read.int32)
        guard maxReplicas >= 1 else { throw CaseError("must be at least 1, found \(maxReplicas)", at: ["maxReplicas"]) }
        if let minReplicas, minReplicas > maxReplicas {
            throw CaseError("\(minReplicas) is greater than maxReplicas \(maxReplicas)", at: ["minReplicas"])
        }
        var metrics = try fields.optional("metrics") { (value: JSONValue) throws(CaseError) -> [MetricSpec] in
            let elements = try Read.array(value)
            var specs: [MetricSpec] = []
            specs.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                specs.append(try at(index: index) { () throws(CaseError) -> MetricSpec in try metricSpec(element) })
            }
            return specs
        } ?? []
        if metrics.isEmpty {
            // The API server's default: 80 % CPU utilization.
            metrics = [.resource(name: "cpu", target: .utilization(80))]
        }
        let behavior = try fields.optional("behavior", behavior)
        return HorizontalPodAutoscalerSpec(scaleTargetRef: reference, minReplicas: minReplicas, maxReplicas: maxReplicas,
                                           metrics: metrics, behavior: behavior)
    }

    static func objectReference(_ value: JSONValue) throws(CaseError) -> CrossVersionObjectReference {
        let fields = try FieldReader(value)
        return CrossVersionObjectReference(
            kind: try fields.required("kind", Read.string),
            name: try fields.required("name", Read.string),
            apiVersion: try fields.optional("apiVersion", Read.string) ?? "")
    }

    static func metricSpec(_ value: JSONValue) throws(CaseError) -> MetricSpec {
        let fields = try FieldReader(value)
        let type = try fields.required("type", Read.string)
        switch type {
        case "Resource":
            return try fields.required("resource") { (value: JSONValue) throws(CaseError) -> MetricSpec in
                let source = try FieldReader(value)
                return .resource(name: try source.required("name", Read.string), target: try source.required("target", target))
            }
        case "ContainerResource":
            return try fields.required("containerResource") { (value: JSONValue) throws(CaseError) -> MetricSpec in
                let source = try FieldReader(value)
                return .containerResource(name: try source.required("name", Read.string),
                                          container: try source.required("container", Read.string),
                                          target: try source.required("target", target))
            }
        case "Pods":
            return try fields.required("pods") { (value: JSONValue) throws(CaseError) -> MetricSpec in
                let source = try FieldReader(value)
                let metricTarget = try source.required("target", target)
                guard metricTarget.averageValue != nil else {
                    throw CaseError("a Pods metric needs an averageValue target", at: ["target", "averageValue"])
                }
                return .pods(metric: try source.required("metric", metricIdentifier), target: metricTarget)
            }
        case "Object":
            return try fields.required("object") { (value: JSONValue) throws(CaseError) -> MetricSpec in
                let source = try FieldReader(value)
                return .object(describedObject: try source.required("describedObject", objectReference),
                               metric: try source.required("metric", metricIdentifier),
                               target: try source.required("target", target))
            }
        case "External":
            return try fields.required("external") { (value: JSONValue) throws(CaseError) -> MetricSpec in
                let source = try FieldReader(value)
                return .external(metric: try source.required("metric", metricIdentifier), target: try source.required("target", target))
            }
        default:
            // Not malformed: upstream treats it as an invalid metric (InvalidMetricSourceType).
            return .unknown(type: type)
        }
    }

    static func target(_ value: JSONValue) throws(CaseError) -> MetricTarget {
        let fields = try FieldReader(value, allowing: ["type", "value", "averageValue", "averageUtilization"])
        let type = MetricTarget.TargetType(try fields.required("type", Read.string))
        let value = try fields.optional("value", positiveQuantity)
        let averageValue = try fields.optional("averageValue", positiveQuantity)
        let averageUtilization = try fields.optional("averageUtilization") { (value: JSONValue) throws(CaseError) -> Int32 in
            let percent = try Read.int32(value)
            guard percent > 0 else { throw CaseError("must be greater than 0, found \(percent)") }
            return percent
        }
        return MetricTarget(type: type, value: value, averageValue: averageValue, averageUtilization: averageUtilization)
    }

    static func positiveQuantity(_ value: JSONValue) throws(CaseError) -> Quantity {
        let quantity = try Read.quantity(value)
        guard quantity.milliValue > 0 else { throw CaseError("must be greater than 0, found \(quantity)") }
        return quantity
    }

    static func metricIdentifier(_ value: JSONValue) throws(CaseError) -> MetricIdentifier {
        let fields = try FieldReader(value)
        return MetricIdentifier(name: try fields.required("name", Read.string),
                                selector: try fields.optional("selector", labelSelector))
    }

    static func labelSelector(_ value: JSONValue) throws(CaseError) -> LabelSelector {
        let fields = try FieldReader(value, allowing: ["matchLabels", "matchExpressions"])
        let labels = try fields.optional("matchLabels") { (value: JSONValue) throws(CaseError) -> [(key: String, value: String)] in
            let object = try FieldReader(value).object
            var labels: [(key: String, value: String)] = []
            for entry in object.entries {
                labels.append((entry.key, try at(entry.key) { () throws(CaseError) -> String in try Read.string(entry.value) }))
            }
            return labels
        } ?? []
        let expressions = try fields.optional("matchExpressions") { (value: JSONValue) throws(CaseError) -> [LabelSelector.Requirement] in
            var requirements: [LabelSelector.Requirement] = []
            for (index, element) in try Read.array(value).enumerated() {
                requirements.append(try at(index: index) { () throws(CaseError) -> LabelSelector.Requirement in
                    let requirement = try FieldReader(element)
                    let values = try requirement.optional("values") { (value: JSONValue) throws(CaseError) -> [String] in
                        var strings: [String] = []
                        for (position, item) in try Read.array(value).enumerated() {
                            strings.append(try at(index: position) { () throws(CaseError) -> String in try Read.string(item) })
                        }
                        return strings
                    } ?? []
                    return LabelSelector.Requirement(key: try requirement.required("key", Read.string),
                                                     operator: try requirement.required("operator", Read.string), values: values)
                })
            }
            return requirements
        } ?? []
        return LabelSelector(matchLabels: labels, matchExpressions: expressions)
    }

    static func behavior(_ value: JSONValue) throws(CaseError) -> HorizontalPodAutoscalerBehavior {
        let fields = try FieldReader(value, allowing: ["scaleUp", "scaleDown"])
        return HorizontalPodAutoscalerBehavior(scaleUp: try fields.optional("scaleUp", scalingRules),
                                               scaleDown: try fields.optional("scaleDown", scalingRules))
    }

    static func scalingRules(_ value: JSONValue) throws(CaseError) -> HPAScalingRules {
        let fields = try FieldReader(value, allowing: ["stabilizationWindowSeconds", "selectPolicy", "policies", "tolerance"])
        let window = try fields.optional("stabilizationWindowSeconds") { (value: JSONValue) throws(CaseError) -> Int32 in
            let seconds = try Read.nonNegativeInt32(value)
            guard seconds <= 3600 else { throw CaseError("must be at most 3600 (one hour), found \(seconds)") }
            return seconds
        }
        let select = try fields.optional("selectPolicy") { (value: JSONValue) throws(CaseError) -> ScalingPolicySelect in
            switch try Read.string(value) {
            case "Max": return .max
            case "Min": return .min
            case "Disabled": return .disabled
            case let other: throw CaseError("\"\(other)\" is not a selectPolicy (Max, Min or Disabled)")
            }
        }
        let policies = try fields.optional("policies") { (value: JSONValue) throws(CaseError) -> [HPAScalingPolicy] in
            let elements = try Read.array(value)
            guard !elements.isEmpty else { throw CaseError("must hold at least one policy") }
            var policies: [HPAScalingPolicy] = []
            for (index, element) in elements.enumerated() {
                policies.append(try at(index: index) { () throws(CaseError) -> HPAScalingPolicy in try policy(element) })
            }
            return policies
        }
        let tolerance = try fields.optional("tolerance") { (value: JSONValue) throws(CaseError) -> Quantity in
            let quantity = try Read.quantity(value)
            guard quantity.milliValue >= 0 else { throw CaseError("must not be negative, found \(quantity)") }
            return quantity
        }
        return HPAScalingRules(stabilizationWindowSeconds: window, selectPolicy: select, policies: policies, tolerance: tolerance)
    }

    static func policy(_ value: JSONValue) throws(CaseError) -> HPAScalingPolicy {
        let fields = try FieldReader(value, allowing: ["type", "value", "periodSeconds"])
        let type: HPAScalingPolicy.PolicyType = try fields.required("type") { (value: JSONValue) throws(CaseError) -> HPAScalingPolicy.PolicyType in
            switch try Read.string(value) {
            case "Pods": return .pods
            case "Percent": return .percent
            case let other: throw CaseError("\"\(other)\" is not a policy type (Pods or Percent)")
            }
        }
        let amount = try fields.required("value") { (value: JSONValue) throws(CaseError) -> Int32 in
            let number = try Read.int32(value)
            guard number > 0 else { throw CaseError("must be greater than 0, found \(number)") }
            return number
        }
        let period = try fields.required("periodSeconds") { (value: JSONValue) throws(CaseError) -> Int32 in
            let seconds = try Read.int32(value)
            guard seconds > 0 && seconds <= 1800 else { throw CaseError("must be between 1 and 1800, found \(seconds)") }
            return seconds
        }
        return HPAScalingPolicy(type: type, value: amount, periodSeconds: period)
    }

    static func conditions(_ value: JSONValue) throws(CaseError) -> [HorizontalPodAutoscalerCondition] {
        var conditions: [HorizontalPodAutoscalerCondition] = []
        for (index, element) in try Read.array(value).enumerated() {
            let condition = try at(index: index) { () throws(CaseError) -> HorizontalPodAutoscalerCondition in
                let fields = try FieldReader(element)
                let typeText = try fields.required("type", Read.string)
                let type = HorizontalPodAutoscalerCondition.ConditionType(rawValue: typeText)
                let statusText = try fields.required("status", Read.string)
                guard let status = HorizontalPodAutoscalerCondition.Status(rawValue: statusText) else {
                    throw CaseError("\"\(statusText)\" is not a condition status (True, False or Unknown)", at: ["status"])
                }
                return HorizontalPodAutoscalerCondition(
                    type: type, status: status, reason: try fields.optional("reason", Read.string) ?? "",
                    message: try fields.optional("message", Read.string) ?? "",
                    lastTransitionTime: try fields.optional("lastTransitionTime", Read.timestamp))
            }
            conditions.append(condition)
        }
        return conditions
    }

    // MARK: scale, pods

    static func scale(_ value: JSONValue) throws(CaseError) -> Scale {
        let fields = try FieldReader(value, allowing: ["specReplicas", "statusReplicas"])
        let specReplicas = try fields.required("specReplicas", Read.nonNegativeInt32)
        let statusReplicas = try fields.optional("statusReplicas", Read.nonNegativeInt32) ?? specReplicas
        return Scale(specReplicas: specReplicas, statusReplicas: statusReplicas)
    }

    static let podKeys = ["name", "phase", "deleted", "startTime", "ready", "readyTransitionTime", "containers", "initContainers"]

    static func pods(_ value: JSONValue) throws(CaseError) -> [Pod] {
        let elements = try Read.array(value)
        var pods: [Pod] = []
        pods.reserveCapacity(elements.count)
        var seen = Set<String>(minimumCapacity: elements.count)
        for (index, element) in elements.enumerated() {
            let pod = try at(index: index) { () throws(CaseError) -> Pod in try Self.pod(element) }
            guard seen.insert(pod.name).inserted else {
                throw CaseError("\"\(pod.name)\" appears twice; pod names are unique", at: ["[\(index)]", "name"])
            }
            pods.append(pod)
        }
        return pods
    }

    static func pod(_ value: JSONValue) throws(CaseError) -> Pod {
        let fields = try FieldReader(value, allowing: podKeys)
        let phase = try fields.optional("phase") { (value: JSONValue) throws(CaseError) -> Pod.Phase in
            let text = try Read.string(value)
            guard let phase = Pod.Phase(rawValue: text) else {
                throw CaseError("\"\(text)\" is not a pod phase (Pending, Running, Succeeded, Failed or Unknown)")
            }
            return phase
        } ?? .running
        // Absent or null: the pod has no Ready condition.
        let ready = try fields.optional("ready", Read.bool)
        return Pod(
            name: try fields.required("name", Read.string),
            phase: phase,
            deleted: try fields.optional("deleted", Read.bool) ?? false,
            startTime: try fields.optional("startTime", Read.timestamp),
            ready: ready,
            readyTransitionTime: try fields.optional("readyTransitionTime", Read.timestamp) ?? .distantPast,
            containers: try fields.optional("containers", containers) ?? [],
            initContainers: try fields.optional("initContainers", containers) ?? [])
    }

    static func containers(_ value: JSONValue) throws(CaseError) -> [Container] {
        var containers: [Container] = []
        for (index, element) in try Read.array(value).enumerated() {
            containers.append(try at(index: index) { () throws(CaseError) -> Container in
                let fields = try FieldReader(element, allowing: ["name", "requests", "restartPolicy"])
                var requests: [String: Int64] = [:]
                if let requestsValue = fields.value("requests") {
                    let object = try at("requests") { () throws(CaseError) -> JSONObject in try FieldReader(requestsValue).object }
                    for entry in object.entries {
                        requests[entry.key] = try at("requests") { () throws(CaseError) -> Int64 in
                            try at(entry.key) { () throws(CaseError) -> Int64 in try Read.quantity(entry.value).milliValue }
                        }
                    }
                }
                return Container(name: try fields.optional("name", Read.string) ?? "",
                                 requests: requests, restartPolicy: try fields.optional("restartPolicy", Read.string))
            })
        }
        return containers
    }

    // MARK: metrics

    static func observations(_ value: JSONValue) throws(CaseError) -> [MetricObservation] {
        var observations: [MetricObservation] = []
        for (index, element) in try Read.array(value).enumerated() {
            observations.append(try at(index: index) { () throws(CaseError) -> MetricObservation in
                if case .null = element { return .error("no value was observed for this metric") }
                return try observation(element)
            })
        }
        return observations
    }

    static func observation(_ value: JSONValue, defaultTimestamp: Timestamp? = nil) throws(CaseError) -> MetricObservation {
        let fields = try FieldReader(value, allowing: ["podValues", "value", "values", "error"])
        let present = fields.object.entries.map(\.key)
        // `{}` says nothing was observed, like null.
        if present.isEmpty { return .error("no value was observed for this metric") }
        guard present.count == 1 else {
            throw CaseError(present.isEmpty
                ? "needs one of podValues, value, values or error"
                : "holds \(present.joined(separator: " and ")); an observation holds exactly one of podValues, value, values or error")
        }
        switch present[0] {
        case "podValues":
            return .podValues(try fields.required("podValues", podValues))
        case "value":
            return .value(try fields.required("value", Read.quantity))
        case "values":
            return .values(try fields.required("values") { (value: JSONValue) throws(CaseError) -> [Quantity] in
                var quantities: [Quantity] = []
                for (index, element) in try Read.array(value).enumerated() {
                    quantities.append(try at(index: index) { () throws(CaseError) -> Quantity in try Read.quantity(element) })
                }
                return quantities
            })
        default:
            return .error(try fields.required("error", Read.string))
        }
    }

    /// Samples default their timestamp to `now`; the case decoder fills that in afterwards,
    /// so this marks "absent" with `distantPast` and `ReconcileCase` resolves it.
    static func podValues(_ value: JSONValue) throws(CaseError) -> [PodValue] {
        let object = try FieldReader(value).object
        var samples: [PodValue] = []
        samples.reserveCapacity(object.entries.count)
        for (position, entry) in object.entries.enumerated() {
            for earlier in object.entries[..<position] where earlier.key == entry.key {
                throw CaseError("appears twice", at: [entry.key])
            }
            let sample = try at(entry.key) { () throws(CaseError) -> PodSample in
                let fields = try FieldReader(entry.value, allowing: ["value", "timestamp", "window"])
                return PodSample(
                    milliValue: try fields.required("value", Read.quantity).milliValue,
                    timestamp: try fields.optional("timestamp", Read.timestamp) ?? PodSample.timestampOfNow,
                    window: try fields.optional("window", Read.duration) ?? .seconds(60))
            }
            samples.append(PodValue(entry.key, sample))
        }
        return samples
    }

    /// Samples without a timestamp were observed at `now`.
    /// (Lists with nothing to resolve are not rewritten: the batch's reader resolves them as
    /// it reads whenever `now` comes first, and a rewrite would copy every sample.)
    static func resolvingSampleTimestamps(_ observations: [MetricObservation], now: Timestamp) -> [MetricObservation] {
        var metrics = observations
        for index in metrics.indices {
            guard case .podValues(var samples) = metrics[index],
                  samples.contains(where: { $0.sample.timestamp == PodSample.timestampOfNow }) else { continue }
            for position in samples.indices where samples[position].sample.timestamp == PodSample.timestampOfNow {
                samples[position].sample.timestamp = now
            }
            metrics[index] = .podValues(samples)
        }
        return metrics
    }

    // MARK: history, controller

    static func history(_ value: JSONValue) throws(CaseError) -> ScaleHistory {
        let fields = try FieldReader(value, allowing: ["recommendations", "scaleUpEvents", "scaleDownEvents"])
        let recommendations = try fields.optional("recommendations") { (value: JSONValue) throws(CaseError) -> [TimestampedRecommendation] in
            var list: [TimestampedRecommendation] = []
            for (index, element) in try Read.array(value).enumerated() {
                list.append(try at(index: index) { () throws(CaseError) -> TimestampedRecommendation in
                    let entry = try FieldReader(element, allowing: ["timestamp", "replicas"])
                    return TimestampedRecommendation(timestamp: try entry.required("timestamp", Read.timestamp),
                                                     replicas: try entry.required("replicas", Read.nonNegativeInt32))
                })
            }
            return list
        }
        return ScaleHistory(recommendations: recommendations,
                            scaleUpEvents: try fields.optional("scaleUpEvents", events) ?? [],
                            scaleDownEvents: try fields.optional("scaleDownEvents", events) ?? [])
    }

    static func events(_ value: JSONValue) throws(CaseError) -> [ScaleEvent] {
        var list: [ScaleEvent] = []
        for (index, element) in try Read.array(value).enumerated() {
            list.append(try at(index: index) { () throws(CaseError) -> ScaleEvent in
                let entry = try FieldReader(element, allowing: ["timestamp", "change"])
                return ScaleEvent(timestamp: try entry.required("timestamp", Read.timestamp),
                                  change: try entry.required("change", Read.nonNegativeInt32))
            })
        }
        return list
    }

    static let controllerKeys = ["tolerance", "cpuInitializationPeriodSeconds", "initialReadinessDelaySeconds",
                                 "downscaleStabilizationSeconds", "scaleUpLimitFactor", "scaleUpLimitMinimum"]

    static func controllerOptions(_ value: JSONValue) throws(CaseError) -> ControllerOptions {
        let fields = try FieldReader(value, allowing: controllerKeys)
        var options = ControllerOptions()
        if let tolerance = try fields.optional("tolerance", Read.float64) {
            guard tolerance >= 0 else { throw CaseError("must not be negative", at: ["tolerance"]) }
            options.tolerance = tolerance
        }
        if let period = try fields.optional("cpuInitializationPeriodSeconds", Read.seconds) { options.cpuInitializationPeriod = period }
        if let delay = try fields.optional("initialReadinessDelaySeconds", Read.seconds) { options.initialReadinessDelay = delay }
        if let window = try fields.optional("downscaleStabilizationSeconds", Read.seconds) { options.downscaleStabilizationWindow = window }
        if let factor = try fields.optional("scaleUpLimitFactor", Read.float64) { options.scaleUpLimitFactor = factor }
        if let minimum = try fields.optional("scaleUpLimitMinimum", Read.float64) { options.scaleUpLimitMinimum = minimum }
        return options
    }
}

extension PodSample {
    /// Marks a sample whose timestamp was not given: it is `now`, filled in by the case.
    static let timestampOfNow = Timestamp(nanosecondsSinceEpoch: Int64.min)
}

extension HorizontalPodAutoscalerSpec {
    /// Reads a HorizontalPodAutoscaler as kubectl prints it (or a bare spec), for replay and
    /// configs: errors name the field.
    public static func decode(_ value: JSONValue) throws(CaseError) -> (metadata: ObjectMeta, spec: HorizontalPodAutoscalerSpec) {
        let (metadata, spec, _) = try CaseDecoding.hpa(value)
        return (metadata, spec)
    }
}
