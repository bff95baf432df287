/// One line of a recording: what the controller observed at one sync, without the HPA (replay
/// takes that from its own file) and without history (replay carries it from step to step).
///
/// `{"timestamp": ..., "scale": {...}, "pods": [...], "metrics": [...]}`, the fields as in a
/// reconcile case; sample timestamps default to the observation's.
public struct Observation: Sendable, Equatable {
    public var timestamp: Timestamp
    public var scale: Scale
    public var pods: [Pod]
    public var metrics: [MetricObservation]

    public init(timestamp: Timestamp, scale: Scale, pods: [Pod], metrics: [MetricObservation]) {
        self.timestamp = timestamp
        self.scale = scale
        self.pods = pods
        self.metrics = metrics
    }

    static let keys = ["timestamp", "scale", "pods", "metrics"]

    public init(jsonValue value: JSONValue) throws(CaseError) {
        try self.init(jsonValue: value, decodedPods: nil)
    }

    /// `decodedPods`: the pods already decoded, the `pods` member left out of `value`.
    init(jsonValue value: JSONValue, decodedPods: [Pod]?) throws(CaseError) {
        let fields = try FieldReader(value, allowing: Self.keys)
        let timestamp = try fields.required("timestamp", Read.timestamp)
        var pods = decodedPods
        if pods == nil { pods = try fields.optional("pods", CaseDecoding.pods) }
        self.init(
            timestamp: timestamp,
            scale: try fields.required("scale", CaseDecoding.scale),
            pods: pods ?? [],
            metrics: CaseDecoding.resolvingSampleTimestamps(try fields.optional("metrics", CaseDecoding.observations) ?? [], now: timestamp))
    }

    /// The reconcile case for this observation: `now` is the observation's timestamp.
    public func reconcileCase(
        spec: HorizontalPodAutoscalerSpec, metadata: ObjectMeta = ObjectMeta(), history: ScaleHistory,
        options: ControllerOptions = ControllerOptions()
    ) -> ReconcileCase {
        ReconcileCase(now: timestamp, metadata: metadata, spec: spec, scale: scale, pods: pods,
                      metrics: metrics, history: history, options: options)
    }

    /// One JSON Lines record (no trailing newline).
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("timestamp"); writer.value(timestamp)
        writer.key("scale")
        writer.beginObject()
        writer.key("specReplicas"); writer.value(scale.specReplicas)
        writer.key("statusReplicas"); writer.value(scale.statusReplicas)
        writer.endObject()
        writer.key("pods")
        writer.beginArray()
        for pod in pods { pod.write(to: &writer) }
        writer.endArray()
        writer.key("metrics")
        writer.beginArray()
        for metric in metrics { metric.write(to: &writer) }
        writer.endArray()
        writer.endObject()
    }
}

extension Pod {
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("name"); writer.value(name)
        writer.key("phase"); writer.value(phase.rawValue)
        if deleted { writer.key("deleted"); writer.value(true) }
        writer.key("startTime")
        if let startTime { writer.value(startTime) } else { writer.valueNull() }
        writer.key("ready")
        if let ready { writer.value(ready) } else { writer.valueNull() }
        if readyTransitionTime > .distantPast {
            writer.key("readyTransitionTime"); writer.value(readyTransitionTime)
        }
        for (key, list) in [("containers", containers), ("initContainers", initContainers)] where !list.isEmpty {
            writer.key(key)
            writer.beginArray()
            for container in list {
                writer.beginObject()
                writer.key("name"); writer.value(container.name)
                writer.key("requests")
                writer.beginObject()
                for (resource, milli) in container.requests.sorted(by: { $0.key < $1.key }) {
                    writer.key(resource); writer.quantity(milli: milli)
                }
                writer.endObject()
                if let restartPolicy = container.restartPolicy { writer.key("restartPolicy"); writer.value(restartPolicy) }
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
    }
}

extension MetricObservation {
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        switch self {
        case .podValues(let samples):
            writer.key("podValues")
            writer.beginObject()
            for value in samples {
                writer.key(value.pod)
                writer.beginObject()
                writer.key("value"); writer.quantity(milli: value.sample.milliValue)
                writer.key("timestamp"); writer.value(value.sample.timestamp)
                writer.key("window"); writer.value(value.sample.window.description)
                writer.endObject()
            }
            writer.endObject()
        case .value(let quantity):
            writer.key("value"); writer.value(quantity.description)
        case .values(let quantities):
            writer.key("values")
            writer.beginArray()
            for quantity in quantities { writer.value(quantity.description) }
            writer.endArray()
        case .error(let text):
            writer.key("error"); writer.value(text)
        }
        writer.endObject()
    }
}
