extension Decision {
    /// The outcome as the spec's JSON object (one line, no trailing newline).
    public func jsonBytes(includeExplanation: Bool = true) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 2048)
        write(to: &writer, includeExplanation: includeExplanation)
        return writer.bytes
    }

    public func jsonString(includeExplanation: Bool = true) -> String {
        String(decoding: jsonBytes(includeExplanation: includeExplanation), as: UTF8.self)
    }

    public func write(to writer: inout JSONWriter, includeExplanation: Bool = true) {
        writer.beginObject()
        writer.key("currentReplicas"); writer.value(currentReplicas)
        writer.key("desiredReplicas"); writer.value(desiredReplicas)
        writer.key("rescale"); writer.value(rescale)
        writer.key("reason")
        if case .failed(let text) = rescaleReason { writer.value(text) } else { writer.value(utf8: rescaleReason.sentence(in: spec).utf8) }
        writer.key("conditions")
        writer.beginArray()
        // As `conditions` renders them, without a String per message.
        conditionList.forEach { $0.write(to: &writer, spec: spec) }
        writer.endArray()
        writer.key("currentMetrics")
        writer.beginArray()
        if trace.consultedMetrics {
            for result in trace.metrics { result.status.write(to: &writer, spec: spec.metrics[result.index]) }
        }
        writer.endArray()
        writer.key("recommendation")
        if let recommendation { writer.value(recommendation) } else { writer.valueNull() }
        writer.key("lastScaleTime")
        if let lastScaleTime { writer.value(lastScaleTime) } else { writer.valueNull() }
        writer.key("history"); editedHistory.write(to: &writer)
        if includeExplanation {
            writer.key("explanation")
            writeExplanation(to: &writer)
        }
        writer.endObject()
    }

    /// `explanation` as an array of strings, written without building a `String` per sentence.
    public func writeExplanation(to writer: inout JSONWriter) {
        writer.beginArray()
        Explanation.render(trace, decision: self) { writer.value(utf8: $0.utf8) }
        writer.endArray()
    }
}

extension RawCondition {
    /// The condition `rendered(in: spec)` gives, written.
    func write(to writer: inout JSONWriter, spec: HorizontalPodAutoscalerSpec) {
        writer.beginObject()
        writer.key("type"); writer.value(type.rawValue)
        writer.key("status"); writer.value(status.rawValue)
        writer.key("reason"); writer.value(reason)
        writer.key("message")
        if case .text(let text) = detail { writer.value(text) } else { writer.value(utf8: detail.sentence(in: spec).utf8) }
        if let lastTransitionTime {
            writer.key("lastTransitionTime"); writer.value(lastTransitionTime)
        }
        writer.endObject()
    }
}

extension MetricStatus {
    /// An autoscaling/v2 MetricStatus, names from `spec`, quantities in canonical form.
    public func write(to writer: inout JSONWriter, spec: MetricSpec) {
        writer.beginObject()
        writer.key("type"); writer.value(typeName)
        switch (kind, spec) {
        case (.resource, .resource(let name, _)):
            writer.key("resource")
            writer.beginObject()
            writer.key("name"); writer.value(name)
            writeCurrent(to: &writer)
            writer.endObject()
        case (.containerResource, .containerResource(let name, let container, _)):
            writer.key("containerResource")
            writer.beginObject()
            writer.key("name"); writer.value(name)
            writer.key("container"); writer.value(container)
            writeCurrent(to: &writer)
            writer.endObject()
        case (.pods, .pods(let metric, _)):
            writer.key("pods")
            writer.beginObject()
            writer.key("metric"); metric.write(to: &writer)
            writeCurrent(to: &writer)
            writer.endObject()
        case (.object, .object(let describedObject, let metric, _)), (.objectAverage, .object(let describedObject, let metric, _)):
            writer.key("object")
            writer.beginObject()
            writer.key("describedObject")
            (kind == .object ? describedObject : CrossVersionObjectReference(kind: "", name: "")).write(to: &writer)
            writer.key("metric"); metric.write(to: &writer)
            writeCurrent(to: &writer)
            writer.endObject()
        case (.external, .external(let metric, _)):
            writer.key("external")
            writer.beginObject()
            writer.key("metric"); metric.write(to: &writer)
            writeCurrent(to: &writer)
            writer.endObject()
        default:
            break
        }
        writer.endObject()
    }

    private func writeCurrent(to writer: inout JSONWriter) {
        writer.key("current")
        writer.beginObject()
        if let value { writer.key("value"); writer.quantity(milli: value) }
        if let averageValue { writer.key("averageValue"); writer.quantity(milli: averageValue) }
        if let averageUtilization { writer.key("averageUtilization"); writer.value(averageUtilization) }
        writer.endObject()
    }
}

extension CrossVersionObjectReference {
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("kind"); writer.value(kind)
        writer.key("name"); writer.value(name)
        if !apiVersion.isEmpty { writer.key("apiVersion"); writer.value(apiVersion) }
        writer.endObject()
    }
}

extension MetricIdentifier {
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("name"); writer.value(name)
        if let selector {
            writer.key("selector")
            writer.beginObject()
            if !selector.matchLabels.isEmpty {
                writer.key("matchLabels")
                writer.beginObject()
                for (key, value) in selector.matchLabels { writer.key(key); writer.value(value) }
                writer.endObject()
            }
            if !selector.matchExpressions.isEmpty {
                writer.key("matchExpressions")
                writer.beginArray()
                for requirement in selector.matchExpressions {
                    writer.beginObject()
                    writer.key("key"); writer.value(requirement.key)
                    writer.key("operator"); writer.value(requirement.operator)
                    // `values` is omitempty upstream.
                    if !requirement.values.isEmpty {
                        writer.key("values")
                        writer.beginArray()
                        for value in requirement.values { writer.value(value) }
                        writer.endArray()
                    }
                    writer.endObject()
                }
                writer.endArray()
            }
            writer.endObject()
        }
        writer.endObject()
    }
}

extension ScaleHistory {
    /// The same shape the case reads, so an outcome's history feeds the next case.
    public func write(to writer: inout JSONWriter) {
        EditedHistory.write(recommendations: recommendations.map(EditedEntries.init), scaleUpEvents: EditedEntries(scaleUpEvents),
                            scaleDownEvents: EditedEntries(scaleDownEvents), to: &writer)
    }
}

extension EditedHistory {
    /// What `history.write(to:)` writes, without building the edited arrays.
    func write(to writer: inout JSONWriter) {
        Self.write(recommendations: recommendations, scaleUpEvents: scaleUpEvents, scaleDownEvents: scaleDownEvents, to: &writer)
    }

    /// The one writer of a history object: a case's history is written as lists with no edits.
    static func write(
        recommendations: EditedEntries<TimestampedRecommendation>?, scaleUpEvents: EditedEntries<ScaleEvent>,
        scaleDownEvents: EditedEntries<ScaleEvent>, to writer: inout JSONWriter
    ) {
        writer.beginObject()
        writer.key("recommendations")
        if let recommendations {
            writer.beginArray()
            recommendations.forEach { writer.timedCount($0.timestamp, "replicas", Int64($0.replicas)) }
            writer.endArray()
        } else {
            writer.valueNull()
        }
        writer.key("scaleUpEvents"); write(scaleUpEvents, to: &writer)
        writer.key("scaleDownEvents"); write(scaleDownEvents, to: &writer)
        writer.endObject()
    }

    private static func write(_ events: EditedEntries<ScaleEvent>, to writer: inout JSONWriter) {
        writer.beginArray()
        events.forEach { writer.timedCount($0.timestamp, "change", Int64($0.change)) }
        writer.endArray()
    }
}
