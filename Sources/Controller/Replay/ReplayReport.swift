import Foundation
import Metrics
import Scaler

/// How `tidepool replay` prints a timeline and its summary.
public enum ReplayReport {
    /// One JSON object per step: at least timestamp, currentReplicas, desiredReplicas,
    /// recommendation and reason, plus the recorded count, the schedule and the explanation.
    public static func jsonLines(_ result: ReplayResult, to writer: inout JSONWriter) {
        for step in result.steps {
            writer.beginObject()
            writer.key("timestamp"); writer.value(step.timestamp.rfc3339)
            writer.key("recordedReplicas"); writer.value(step.recordedReplicas)
            writer.key("currentReplicas"); writer.value(step.currentReplicas)
            writer.key("desiredReplicas"); writer.value(step.desiredReplicas)
            writer.key("recommendation")
            if let recommendation = step.decision.recommendation { writer.value(recommendation) } else { writer.valueNull() }
            writer.key("reason"); writer.value(step.decision.reason)
            writer.key("schedule")
            if let schedule = step.activeSchedule { writer.value(schedule) } else { writer.valueNull() }
            writer.key("explanation")
            writer.beginArray()
            for line in step.decision.explanation { writer.value(line) }
            writer.endArray()
            writer.endObject()
            writer.newline()
        }
    }

    public static func csv(_ result: ReplayResult) -> String {
        var text = "timestamp,recordedReplicas,currentReplicas,desiredReplicas,recommendation,schedule,reason\n"
        for step in result.steps {
            let recommendation = step.decision.recommendation.map(String.init) ?? ""
            text += "\(step.timestamp.rfc3339),\(step.recordedReplicas),\(step.currentReplicas),\(step.desiredReplicas),"
                + "\(recommendation),\(step.activeSchedule ?? ""),\(quoted(step.decision.reason))\n"
        }
        return text
    }

    private static func quoted(_ field: String) -> String {
        field.contains(",") || field.contains("\"") ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }

    /// A readable timeline: a line per step where something happened (a change of the
    /// recorded or desired count, or a different reason), with the explanation beneath.
    public static func table(_ result: ReplayResult, mode: ReplayOptions.Mode) -> String {
        var lines = ["time                   recorded  \(mode == .simulate ? "simulated" : "current  ")  desired  proposal  reason"]
        var previous: (Int32, Int32, String)?
        for step in result.steps {
            let key = (step.recordedReplicas, step.desiredReplicas, step.decision.reason)
            if let previous, previous == key { continue }
            previous = key
            let proposal = step.decision.recommendation.map(String.init) ?? "-"
            lines.append(pad(step.timestamp.rfc3339, 22) + " " + pad("\(step.recordedReplicas)", 9) + " " + pad("\(step.currentReplicas)", 10)
                + " " + pad("\(step.desiredReplicas)", 8) + " " + pad(proposal, 9) + " " + step.decision.reason
                + (step.activeSchedule.map { " [schedule \($0)]" } ?? ""))
            if step.decision.rescale {
                for sentence in step.decision.explanation { lines.append("      " + sentence) }
            }
        }
        return lines.joined(separator: "\n")
    }

    public static func summary(_ summary: ReplaySummary, syncPeriod: TimeSpan) -> String {
        [
            "steps:                 \(summary.steps) (every \(syncPeriod))",
            "replica-hours:         \(format(summary.replicaHours)) (recorded: \(format(summary.recordedReplicaHours)))",
            "peak replicas:         \(summary.peakReplicas)",
            "mean replicas:         \(format(summary.meanReplicas))",
            "scale-ups/downs:       \(summary.scaleUps) / \(summary.scaleDowns)",
            "largest single step:   \(summary.largestStep)",
            "under-provisioned:     \(duration(summary.underProvisionedSeconds)) (a metric above its target)",
            "over-provisioned:      \(duration(summary.overProvisionedSeconds)) (more replicas than the metrics asked for)",
        ].joined(separator: "\n")
    }

    /// Several policies' summaries side by side.
    public static func comparison(_ rows: [(name: String, summary: ReplaySummary)]) -> String {
        let width = max(14, (rows.map(\.name.count).max() ?? 0) + 2)
        var lines = [pad("policy", width) + "replica-hours  peak  mean   ups  downs  largest  under-provisioned  over-provisioned"]
        for (name, summary) in rows {
            lines.append(pad(name, width) + pad(format(summary.replicaHours), 15) + pad("\(summary.peakReplicas)", 6)
                + pad(format(summary.meanReplicas), 7) + pad("\(summary.scaleUps)", 5) + pad("\(summary.scaleDowns)", 7)
                + pad("\(summary.largestStep)", 9) + pad(duration(summary.underProvisionedSeconds), 19) + duration(summary.overProvisionedSeconds))
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        return total >= 3600 ? "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m" : "\(total / 60)m\(String(format: "%02d", total % 60))s"
    }
}

/// Reads replay inputs: the HPA and the recorded observations.
public enum ReplayInputs {
    public static func hpa(_ path: String) throws(InputError) -> (metadata: ObjectMeta, spec: HorizontalPodAutoscalerSpec) {
        let document = try DocumentLoader.load(path)
        do {
            return try HorizontalPodAutoscalerSpec.decode(document)
        } catch {
            throw InputError(source: path, message: error.description)
        }
    }

    public static func recording(_ path: String) throws(InputError) -> [Observation] {
        do {
            return try RecordingReader.read(try DocumentLoader.readBytes(path))
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(source: path, message: "\(error)")
        }
    }
}
