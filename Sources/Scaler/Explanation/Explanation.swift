/// Turns a decision's trace into short sentences a person reads in `tidepool status` and
/// `replay`: each metric's proposal, the stabilization, the limit that applied, the result.
enum Explanation {
    static func render(_ trace: DecisionTrace, decision: Decision) -> [Sentence] {
        var lines: [Sentence] = []
        lines.reserveCapacity(trace.metrics.count + 4)
        let current = decision.currentReplicas
        switch trace.branch {
        case .scalingDisabled:
            lines.append("Scaling is disabled: the target has 0 replicas and minReplicas is above 0.")
            return lines
        case .aboveMaximum(let maxReplicas):
            lines.append("\(replicas(current)) is above maxReplicas \(maxReplicas): scaling to \(maxReplicas) without consulting metrics.")
            return lines
        case .belowMinimum(let minReplicas):
            lines.append("\(replicas(current)) is below minReplicas \(minReplicas): scaling to \(minReplicas) without consulting metrics.")
            return lines
        case .metrics, .metricsFailed:
            break
        }

        for result in trace.metrics {
            lines.append(describe(result, spec: decision.spec.metrics[result.index],
                                  status: result.status, tolerances: trace.tolerances))
        }

        if case .metricsFailed(let invalid, let total) = trace.branch {
            if invalid >= total {
                lines.append("No metric could be computed, so nothing changes this cycle (\(replicas(current))).")
            } else {
                lines.append("\(invalid) of \(total) metrics could not be computed and the others would scale down; "
                    + "an invalid metric never allows a scale-down, so nothing changes (\(replicas(current))).")
            }
            return lines
        }

        if let recommendation = decision.recommendation, trace.metrics.count > 1 {
            lines.append("The highest proposal wins: \(replicas(recommendation)).")
        }

        if let stabilization = trace.stabilization, stabilization.output != stabilization.input {
            if stabilization.output > stabilization.input {
                lines.append("Scale-down stabilization holds \(stabilization.output) instead of \(stabilization.input): "
                    + "that is the highest recommendation of the last \(stabilization.downWindowSeconds)s.")
            } else {
                lines.append("Scale-up stabilization holds \(stabilization.output) instead of \(stabilization.input): "
                    + "that is the lowest recommendation of the last \(stabilization.upWindowSeconds)s.")
            }
        }

        if let limit = trace.limit, limit.output != limit.input {
            switch limit.reason {
            case "ScaleUpLimit":
                if let select = limit.selectPolicy {
                    lines.append("The scale-up policies (\(policies(limit.policies, select))) allow at most \(limit.output) now, so \(limit.output) instead of \(limit.input).")
                } else {
                    lines.append("A single step may at most double the replicas (or reach 4): \(limit.output) instead of \(limit.input).")
                }
            case "ScaleDownLimit":
                if let select = limit.selectPolicy {
                    lines.append("The scale-down policies (\(policies(limit.policies, select))) allow no fewer than \(limit.output) now, so \(limit.output) instead of \(limit.input).")
                }
            case "TooManyReplicas":
                lines.append("Clamped to maxReplicas: \(limit.output) instead of \(limit.input).")
            case "TooFewReplicas":
                lines.append("Raised to minReplicas: \(limit.output) instead of \(limit.input).")
            default:
                break
            }
        } else if let limit = trace.limit, limit.selectPolicy == .disabled, limit.input != current {
            lines.append("Scaling in this direction is disabled by selectPolicy Disabled.")
        }

        if decision.rescale {
            lines.append("Scaling from \(current) to \(replicas(decision.desiredReplicas)).")
        } else {
            lines.append("Keeping \(replicas(current)).")
        }
        return lines
    }

    private static func describe(
        _ result: DecisionTrace.MetricResult, spec: MetricSpec, status: MetricStatus, tolerances: Tolerances
    ) -> Sentence {
        let name = spec.displayName
        guard let replicas = result.replicas else {
            return "\(name): not computed: \(result.error ?? "unknown error")."
        }
        var sentence: Sentence = "\(name): \(measured(status, target: spec.target))"
        if let ratio = result.usageRatio, ratio.isFinite {
            sentence += ", ratio \(format(ratio))"
        }
        switch result.outcome {
        case .withinTolerance?:
            sentence += ", within the tolerance (\(tolerances.description)): proposes keeping \(replicas)."
        case .directionReversed?:
            sentence += "; counting the \(podsNote(result)) would reverse the direction, so it proposes keeping \(replicas)."
        case .rebalanced?:
            sentence += "; with the \(podsNote(result)) counted conservatively it proposes \(replicas)."
        case .fromZero?:
            sentence += ", from zero: proposes \(replicas)."
        default:
            if result.readyPods > 0 {
                sentence += " over \(result.readyPods) ready pod\(plural(result.readyPods)): proposes \(replicas)."
            } else {
                sentence += ": proposes \(replicas)."
            }
        }
        return sentence
    }

    private static func podsNote(_ result: DecisionTrace.MetricResult) -> Sentence {
        guard result.unreadyPods > 0 || result.missingPods > 0 else { return "other pods" }
        var note: Sentence = ""
        if result.unreadyPods > 0 { note += "\(result.unreadyPods) unready pod\(plural(result.unreadyPods))" }
        if result.unreadyPods > 0 && result.missingPods > 0 { note += " and " }
        if result.missingPods > 0 { note += "\(result.missingPods) pod\(plural(result.missingPods)) without a metric" }
        return note
    }

    private static func measured(_ status: MetricStatus, target: MetricTarget?) -> Sentence {
        if let utilization = status.averageUtilization, let percent = target?.averageUtilization {
            return "\(utilization)% of request (target \(percent)%)"
        }
        if let average = status.averageValue {
            guard let goal = target?.averageValue else { return "\(milli: average) per pod" }
            return "\(milli: average) per pod (target \(milli: goal.milliValue))"
        }
        if let value = status.value {
            guard let goal = target?.value else { return "\(milli: value)" }
            return "\(milli: value) (target \(milli: goal.milliValue))"
        }
        return "measured"
    }

    private static func policies(_ policies: [HPAScalingPolicy], _ select: ScalingPolicySelect) -> Sentence {
        var list: Sentence = "\(select.name) of "
        for (position, policy) in policies.enumerated() {
            if position > 0 { list += ", " }
            list += policy.type == .pods ? "\(policy.value) pods per \(policy.periodSeconds)s" : "\(policy.value)% per \(policy.periodSeconds)s"
        }
        return list
    }

    private static func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return "\(rounded)"
    }

    private static func plural(_ count: Int) -> StaticString { count == 1 ? "" : "s" }
}

/// "1 replica", "3 replicas".
func replicas(_ count: Int32) -> Sentence {
    count == 1 ? "1 replica" : "\(count) replicas"
}
