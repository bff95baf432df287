/// Turns a decision's trace into short sentences a person reads in `tidepool status` and
/// `replay`: each metric's proposal, the stabilization, the limit that applied, the result.
enum Explanation {
    /// Hands the sentences to `add`, in order (the batch writes each as it comes).
    static func render(_ trace: DecisionTrace, decision: Decision, to add: (Sentence) -> Void) {
        let current = decision.currentReplicas
        switch trace.branch {
        case .scalingDisabled:
            add("Scaling is disabled: the target has 0 replicas and minReplicas is above 0.")
            return
        case .aboveMaximum(let maxReplicas):
            add("\(replicas: current) is above maxReplicas \(maxReplicas): scaling to \(maxReplicas) without consulting metrics.")
            return
        case .belowMinimum(let minReplicas):
            add("\(replicas: current) is below minReplicas \(minReplicas): scaling to \(minReplicas) without consulting metrics.")
            return
        case .metrics, .metricsFailed:
            break
        }

        for result in trace.metrics {
            add(describe(result, spec: decision.spec.metrics[result.index], status: result.status, tolerances: trace.tolerances))
        }

        if case .metricsFailed(let invalid, let total) = trace.branch {
            if invalid >= total {
                add("No metric could be computed, so nothing changes this cycle (\(replicas: current)).")
            } else {
                add("\(invalid) of \(total) metrics could not be computed and the others would scale down; "
                    + "an invalid metric never allows a scale-down, so nothing changes (\(replicas: current)).")
            }
            return
        }

        if let recommendation = decision.recommendation, trace.metrics.count > 1 {
            add("The highest proposal wins: \(replicas: recommendation).")
        }

        if let stabilization = trace.stabilization, stabilization.output != stabilization.input {
            if stabilization.output > stabilization.input {
                add("Scale-down stabilization holds \(stabilization.output) instead of \(stabilization.input): "
                    + "that is the highest recommendation of the last \(stabilization.downWindowSeconds)s.")
            } else {
                add("Scale-up stabilization holds \(stabilization.output) instead of \(stabilization.input): "
                    + "that is the lowest recommendation of the last \(stabilization.upWindowSeconds)s.")
            }
        }

        if let limit = trace.limit, limit.output != limit.input {
            switch limit.reason {
            case "ScaleUpLimit":
                if let select = limit.selectPolicy {
                    add("The scale-up policies (\(policies(limit.policies, select))) allow at most \(limit.output) now, so \(limit.output) instead of \(limit.input).")
                } else {
                    add("A single step may at most double the replicas (or reach 4): \(limit.output) instead of \(limit.input).")
                }
            case "ScaleDownLimit":
                if let select = limit.selectPolicy {
                    add("The scale-down policies (\(policies(limit.policies, select))) allow no fewer than \(limit.output) now, so \(limit.output) instead of \(limit.input).")
                }
            case "TooManyReplicas":
                add("Clamped to maxReplicas: \(limit.output) instead of \(limit.input).")
            case "TooFewReplicas":
                add("Raised to minReplicas: \(limit.output) instead of \(limit.input).")
            default:
                break
            }
        } else if let limit = trace.limit, limit.selectPolicy == .disabled, limit.input != current {
            add("Scaling in this direction is disabled by selectPolicy Disabled.")
        }

        if decision.rescale {
            add("Scaling from \(current) to \(replicas: decision.desiredReplicas).")
        } else {
            add("Keeping \(replicas: current).")
        }
    }

    private static func describe(
        _ result: DecisionTrace.MetricResult, spec: MetricSpec, status: MetricStatus, tolerances: Tolerances
    ) -> Sentence {
        guard let replicas = result.replicas else {
            return "\(spec.displayName): not computed: \(result.error ?? "unknown error")."
        }
        let measured = Measured(spec: spec, status: status, ratio: result.usageRatio)
        switch result.outcome {
        case .withinTolerance?:
            return "\(measured), within the tolerance (\(tolerances)): proposes keeping \(replicas)."
        case .directionReversed?:
            return "\(measured); counting the \(podsNote: result) would reverse the direction, so it proposes keeping \(replicas)."
        case .rebalanced?:
            return "\(measured); with the \(podsNote: result) counted conservatively it proposes \(replicas)."
        case .fromZero?:
            return "\(measured), from zero: proposes \(replicas)."
        default:
            if result.readyPods > 0 {
                return "\(measured) over \(result.readyPods) ready pod\(plural(result.readyPods)): proposes \(replicas)."
            }
            return "\(measured): proposes \(replicas)."
        }
    }

    /// The start of a metric's sentence: its name, what was measured against its target, and
    /// the usage ratio when there is one ("cpu: 78% of request (target 70%), ratio 1.11").
    fileprivate struct Measured {
        var spec: MetricSpec
        var status: MetricStatus
        var ratio: Double?
    }

    private static func policies(_ policies: [HPAScalingPolicy], _ select: ScalingPolicySelect) -> Sentence {
        var list: Sentence = "\(select.name) of "
        for (position, policy) in policies.enumerated() {
            if position > 0 { list += ", " }
            list += policy.type == .pods ? "\(policy.value) pods per \(policy.periodSeconds)s" : "\(policy.value)% per \(policy.periodSeconds)s"
        }
        return list
    }

    private static func plural(_ count: Int) -> StaticString { count == 1 ? "" : "s" }
}

extension Sentence.Interpolation {
    fileprivate mutating func appendInterpolation(_ measured: Explanation.Measured) {
        appendInterpolation(measured.spec.displayName)
        appendLiteral(": ")
        let status = measured.status
        let target = measured.spec.target
        if let utilization = status.averageUtilization, let percent = target?.averageUtilization {
            appendInterpolation(utilization)
            appendLiteral("% of request (target ")
            appendInterpolation(percent)
            appendLiteral("%)")
        } else if let average = status.averageValue {
            appendInterpolation(milli: average)
            appendLiteral(" per pod")
            if let goal = target?.averageValue {
                appendLiteral(" (target ")
                appendInterpolation(milli: goal.milliValue)
                appendLiteral(")")
            }
        } else if let value = status.value {
            appendInterpolation(milli: value)
            if let goal = target?.value {
                appendLiteral(" (target ")
                appendInterpolation(milli: goal.milliValue)
                appendLiteral(")")
            }
        } else {
            appendLiteral("measured")
        }
        if let ratio = measured.ratio, ratio.isFinite {
            appendLiteral(", ratio ")
            appendInterpolation(hundredths: ratio)
        }
    }

    /// The pods left out of the first count: "2 unready pods and 1 pod without a metric".
    fileprivate mutating func appendInterpolation(podsNote result: DecisionTrace.MetricResult) {
        guard result.unreadyPods > 0 || result.missingPods > 0 else {
            appendLiteral("other pods")
            return
        }
        if result.unreadyPods > 0 {
            appendInterpolation(result.unreadyPods)
            appendLiteral(result.unreadyPods == 1 ? " unready pod" : " unready pods")
        }
        if result.unreadyPods > 0 && result.missingPods > 0 { appendLiteral(" and ") }
        if result.missingPods > 0 {
            appendInterpolation(result.missingPods)
            appendLiteral(result.missingPods == 1 ? " pod without a metric" : " pods without a metric")
        }
    }
}
