import Foundation
import TidepoolMetrics
import Scaler

/// How `tidepool replay` prints a timeline and its summary.
public enum ReplayReport {
    /// One JSON object per step: at least timestamp, currentReplicas, desiredReplicas,
    /// recommendation and reason, plus the recorded count, the schedule and the explanation.
    public static func jsonLines(_ result: ReplayResult, to writer: inout JSONWriter) {
        for step in result.steps {
            writer.beginObject()
            writer.key("timestamp"); writer.value(step.timestamp)
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

    /// One row per step; the explanation's sentences share the last column.
    public static func csv(_ result: ReplayResult) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(result.steps.count * 256)
        bytes.append(contentsOf: "timestamp,recordedReplicas,currentReplicas,desiredReplicas,recommendation,schedule,reason,explanation\n".utf8)
        for step in result.steps {
            bytes.append(contentsOf: step.timestamp.rfc3339.utf8)
            for number in [step.recordedReplicas, step.currentReplicas, step.desiredReplicas] {
                bytes.append(UInt8(ascii: ","))
                bytes.append(contentsOf: String(number).utf8)
            }
            bytes.append(UInt8(ascii: ","))
            if let recommendation = step.decision.recommendation { bytes.append(contentsOf: String(recommendation).utf8) }
            bytes.append(UInt8(ascii: ","))
            appendField(step.activeSchedule ?? "", to: &bytes)
            bytes.append(UInt8(ascii: ","))
            appendField(step.decision.reason, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            appendField(step.decision.explanation.joined(separator: " "), to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    /// RFC 4180: a field holding a comma, quote or line break is quoted, its quotes doubled.
    private static func appendField(_ field: String, to bytes: inout [UInt8]) {
        let utf8 = field.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) else {
            bytes.append(contentsOf: utf8)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
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
