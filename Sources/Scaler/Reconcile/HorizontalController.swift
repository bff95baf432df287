/// One reconcile of one HorizontalPodAutoscaler, as upstream's `reconcileAutoscaler` does it,
/// with the scale read and the metrics fetched already (they are in the case).
///
/// ```swift
/// let decision = HorizontalController.reconcile(reconcileCase)
/// if decision.rescale { try await target.scale(to: decision.desiredReplicas) }
/// ```
public enum HorizontalController {
    public static func reconcile(_ input: ReconcileCase) -> Decision {
        let spec = input.spec
        let now = input.now
        let currentReplicas = input.scale.specReplicas
        let minReplicas = spec.effectiveMinReplicas
        var conditions = ConditionList(input.previousConditions, now: now)
        // `recordInitialRecommendation` on first sight of this HPA.
        var history = EditedHistory(input.history, initial: TimestampedRecommendation(timestamp: now, replicas: currentReplicas))
        var trace = DecisionTrace()
        trace.tolerances = Tolerances(spec: spec, flag: input.options.tolerance)

        conditions.set(.ableToScale, true, "SucceededGetScale", "the HPA controller was able to get the target's current scale")

        var desiredReplicas: Int32 = 0
        var rescale = true
        var rescaleReason = RescaleReason.none
        var recommendation: Int32?

        if currentReplicas == 0 && minReplicas != 0 {
            // Autoscaling is disabled for this target.
            desiredReplicas = 0
            rescale = false
            trace.branch = .scalingDisabled
            conditions.set(.scalingActive, false, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")
        } else if currentReplicas > spec.maxReplicas {
            rescaleReason = .aboveMaximum
            desiredReplicas = spec.maxReplicas
            trace.branch = .aboveMaximum(maxReplicas: spec.maxReplicas)
        } else if currentReplicas < minReplicas {
            rescaleReason = .belowMinimum
            desiredReplicas = minReplicas
            trace.branch = .belowMinimum(minReplicas: minReplicas)
        } else {
            let computed = computeReplicasForMetrics(input, spec: spec, tolerances: trace.tolerances, conditions: &conditions, trace: &trace)
            guard let metricDesiredReplicas = computed.replicas else {
                // Metrics failed hard: nothing is scaled and the conditions say why.
                trace.branch = .metricsFailed(invalid: computed.invalidCount, total: spec.metrics.count)
                let reference = "\(spec.scaleTargetRef.kind)/\(input.metadata.namespace)/\(spec.scaleTargetRef.name)"
                return Decision(
                    currentReplicas: currentReplicas, desiredReplicas: currentReplicas, rescale: false,
                    rescaleReason: .failed("failed to compute desired number of replicas based on listed metrics for \(reference): \(computed.error ?? "")"),
                    conditionList: conditions, recommendation: nil,
                    editedHistory: history, lastScaleTime: nil, spec: spec, trace: trace)
            }
            recommendation = metricDesiredReplicas

            var rescaleMetric: MetricLabel?
            if metricDesiredReplicas > desiredReplicas {
                desiredReplicas = metricDesiredReplicas
                rescaleMetric = computed.metricName
            }
            if desiredReplicas > currentReplicas, let rescaleMetric { rescaleReason = .aboveTarget(rescaleMetric) }
            if desiredReplicas < currentReplicas { rescaleReason = .allMetricsBelowTarget }

            let normalized: Normalization.Result
            if let behavior = spec.behavior {
                normalized = Normalization.normalizeDesiredReplicasWithBehaviors(
                    conditions: &conditions, history: &history, behavior: behavior, currentReplicas: currentReplicas,
                    prenormalized: desiredReplicas, minReplicas: minReplicas, maxReplicas: spec.maxReplicas,
                    options: input.options, now: now)
            } else {
                normalized = Normalization.normalizeDesiredReplicas(
                    conditions: &conditions, history: &history, currentReplicas: currentReplicas,
                    prenormalized: desiredReplicas, minReplicas: minReplicas, maxReplicas: spec.maxReplicas,
                    options: input.options, now: now)
            }
            desiredReplicas = normalized.desiredReplicas
            trace.stabilization = normalized.stabilization
            trace.limit = normalized.limit
            rescale = desiredReplicas != currentReplicas
        }

        var lastScaleTime: Timestamp?
        if rescale {
            conditions.set(.ableToScale, true, "SucceededRescale", detail: .succeededRescale(desiredReplicas))
            Normalization.storeScaleEvent(history: &history, behavior: spec.behavior, previous: currentReplicas,
                                          new: desiredReplicas, options: input.options, now: now)
            lastScaleTime = now
        } else {
            desiredReplicas = currentReplicas
        }

        return Decision(
            currentReplicas: currentReplicas, desiredReplicas: desiredReplicas, rescale: rescale, rescaleReason: rescaleReason,
            conditionList: conditions, recommendation: recommendation,
            editedHistory: history, lastScaleTime: lastScaleTime, spec: spec, trace: trace)
    }

    struct ComputedMetrics {
        /// nil when no scaling can happen this cycle.
        var replicas: Int32?
        var metricName: MetricLabel?
        var invalidCount: Int
        var error: String?
    }

    /// `computeReplicasForMetrics`: the highest proposal over valid metrics. Invalid metrics
    /// may not stop a scale-up, but they block a scale-down, and when all are invalid nothing
    /// scales; the first invalid metric's condition says why.
    /// `spec` is `input.spec`, read once by the caller (each read of it copies it).
    static func computeReplicasForMetrics(
        _ input: ReconcileCase, spec: HorizontalPodAutoscalerSpec, tolerances: Tolerances, conditions: inout ConditionList,
        trace: inout DecisionTrace
    ) -> ComputedMetrics {
        let specs = spec.metrics
        var replicas: Int32 = 0
        var metricName: MetricLabel?
        var invalidCount = 0
        var firstInvalidCondition: RawCondition?
        var firstInvalidError: String?
        let calculator = ReplicaCalculator(
            pods: input.prepared.podStates, now: input.now,
            cpuInitializationPeriod: input.options.cpuInitializationPeriod,
            initialReadinessDelay: input.options.initialReadinessDelay)
        trace.metrics.reserveCapacity(specs.count)

        for index in specs.indices {
            let observation = index < input.metrics.count ? input.metrics[index] : .error("no value was observed for this metric")
            let result = computeReplicasForMetric(input.prepared.plans[index], metricIndex: index, observation: observation, input: input,
                                                  calculator: calculator, tolerances: tolerances)
            switch result {
            case .success(let proposal):
                let calculation = proposal.calculation
                trace.metrics.append(DecisionTrace.MetricResult(
                    index: index, status: proposal.status, replicas: calculation.replicas, usageRatio: calculation.usageRatio,
                    outcome: calculation.outcome, readyPods: calculation.readyPods, unreadyPods: calculation.unreadyPods,
                    missingPods: calculation.missingPods, ignoredPods: calculation.ignoredPods, error: nil))
                if replicas == 0 || proposal.replicas > replicas {
                    replicas = proposal.replicas
                    metricName = proposal.metricName
                }
            case .failure(let failure):
                trace.metrics.append(DecisionTrace.MetricResult(index: index, status: .none, replicas: nil, error: failure.condition.detail.text(in: spec)))
                if invalidCount == 0 {
                    firstInvalidCondition = failure.condition
                    firstInvalidError = failure.error
                }
                invalidCount += 1
            }
        }

        var error: String?
        if let firstInvalidError {
            error = "invalid metrics (\(invalidCount) invalid out of \(specs.count)), first error is: \(firstInvalidError)"
        }
        if invalidCount >= specs.count || (invalidCount > 0 && replicas < input.scale.specReplicas) {
            if let firstInvalidCondition { conditions.set(firstInvalidCondition) }
            return ComputedMetrics(replicas: nil, metricName: nil, invalidCount: invalidCount, error: error)
        }
        if let metricName { conditions.set(.scalingActive, true, "ValidMetricFound", detail: .validMetricFound(metricName)) }
        return ComputedMetrics(replicas: replicas, metricName: metricName, invalidCount: invalidCount, error: error)
    }

    struct MetricProposal {
        var metricName: MetricLabel
        var status: MetricStatus
        var calculation: ReplicaCalculator.Proposal
        var replicas: Int32 { calculation.replicas }
    }

    struct MetricFailure: Error {
        /// What the ScalingActive condition would say if this is the first invalid metric.
        var condition: RawCondition
        /// The error upstream's `computeReplicasForMetric` returns.
        var error: String
    }

    /// `getUnableComputeReplicaCountCondition`.
    static func unableToCompute(_ reason: String, _ message: String) -> RawCondition {
        RawCondition(type: .scalingActive, status: .false, reason: reason,
                     detail: .text("the HPA was unable to compute the replica count: \(message)"), lastTransitionTime: nil)
    }

    /// `computeReplicasForMetric` and the `computeStatusFor*Metric` functions it dispatches to.
    /// The calculation reads the metric's plan; the spec entry, with its names, is read only
    /// to word a failure.
    static func computeReplicasForMetric(
        _ plan: MetricPlan, metricIndex: Int, observation: MetricObservation, input: ReconcileCase,
        calculator: ReplicaCalculator, tolerances: Tolerances
    ) -> Result<MetricProposal, MetricFailure> {
        let specReplicas = input.scale.specReplicas
        let statusReplicas = input.scale.statusReplicas
        let prepared = input.prepared.podMetrics[metricIndex]
        let proposal: ReplicaCalculator.Proposal
        do throws(ReplicaCalculator.Failure) {
            switch plan {
            case .resourceUtilization(let target, let isCPU, _):
                proposal = try calculator.resourceReplicas(
                    currentReplicas: specReplicas, targetUtilization: target, isCPU: isCPU,
                    requestTotals: input.prepared.requests[metricIndex], tolerances: tolerances,
                    observation: observation, prepared: prepared)
            case .resourceAverage(let target, let isCPU, _):
                proposal = try calculator.rawResourceReplicas(
                    currentReplicas: specReplicas, targetUsage: target, isCPU: isCPU, tolerances: tolerances,
                    observation: observation, prepared: prepared)
            case .pods(let target):
                proposal = try calculator.metricReplicas(
                    currentReplicas: specReplicas, targetUsage: target, tolerances: tolerances,
                    observation: observation, prepared: prepared)
            case .objectValue(let target):
                proposal = try calculator.objectMetricReplicas(
                    currentReplicas: specReplicas, targetUsage: target, tolerances: tolerances, observation: observation)
            case .objectAverage(let target):
                proposal = try calculator.objectPerPodMetricReplicas(
                    statusReplicas: statusReplicas, targetAverageUsage: target, tolerances: tolerances, observation: observation)
            case .externalAverage(let target):
                proposal = try calculator.externalPerPodMetricReplicas(
                    statusReplicas: statusReplicas, targetUsagePerPod: target, tolerances: tolerances, observation: observation)
            case .externalValue(let target):
                proposal = try calculator.externalMetricReplicas(
                    currentReplicas: specReplicas, targetUsage: target, tolerances: tolerances, observation: observation)
            case .invalid:
                return .failure(invalidMetricSource(input.spec.metrics[metricIndex]))
            }
        } catch {
            return .failure(MetricFailure(error, metric: input.spec.metrics[metricIndex], plan: plan,
                                          namespace: input.metadata.namespace))
        }
        return .success(MetricProposal(metricName: MetricLabel(kind: plan.labelKind, index: metricIndex),
                                       status: plan.status(of: proposal), calculation: proposal))
    }

    /// The failure of a metric whose plan is `.invalid`: its target cannot be used, or its type
    /// is unknown.
    static func invalidMetricSource(_ metric: MetricSpec) -> MetricFailure {
        switch metric {
        case .resource(let name, _), .containerResource(let name, _, _):
            let message = "invalid resource metric source: neither an average utilization target nor an average value (usage) target was set"
            if case .containerResource(_, let container, _) = metric {
                return MetricFailure(condition: unableToCompute("FailedGetContainerResourceMetric", message),
                                     error: "failed to get \(container) container metric value: \(message)")
            }
            return MetricFailure(condition: unableToCompute("FailedGetResourceMetric", message),
                                 error: "failed to get \(name) resource metric value: \(message)")
        case .pods:
            let message = "invalid pods metric source: no average value target was set"
            return MetricFailure(condition: unableToCompute("FailedGetPodsMetric", message),
                                 error: "failed to get pods metric value: \(message)")
        case .object:
            let message = "invalid object metric source: neither a value target nor an average value target was set"
            return MetricFailure(condition: unableToCompute("FailedGetObjectMetric", message),
                                 error: "failed to get object metric value: \(message)")
        case .external(let metric, _):
            let message = "invalid external metric source: neither a value target nor an average value target was set"
            return MetricFailure(condition: unableToCompute("FailedGetExternalMetric", message),
                                 error: "failed to get \(metric.name) external metric value: \(message)")
        case .unknown(let type):
            let message = "unknown metric source type \"\(type)\""
            return MetricFailure(condition: unableToCompute("InvalidMetricSourceType", message), error: message)
        }
    }
}

extension HorizontalController.MetricFailure {
    /// A calculation's failure, worded as upstream's `computeStatusFor*Metric` and the
    /// replica calculator word it: a failed fetch names the metric's source first.
    init(_ failure: ReplicaCalculator.Failure, metric: MetricSpec, plan: MetricPlan, namespace: String) {
        let text = failure.message
        switch metric {
        case .resource(let name, _), .containerResource(let name, _, _):
            let fetched = failure.duringFetch ? "unable to get metrics for resource \(name): \(text)" : text
            let message = plan.isAverage ? "failed to get \(name) usage: \(fetched)" : "failed to get \(name) utilization: \(fetched)"
            if case .containerResource(_, let container, _) = metric {
                self.init(condition: HorizontalController.unableToCompute("FailedGetContainerResourceMetric", message),
                          error: "failed to get \(container) container metric value: \(message)")
            } else {
                self.init(condition: HorizontalController.unableToCompute("FailedGetResourceMetric", message),
                          error: "failed to get \(name) resource metric value: \(message)")
            }
        case .pods(let metric, _):
            let message = failure.duringFetch ? "unable to get metric \(metric.name): \(text)" : text
            self.init(condition: HorizontalController.unableToCompute("FailedGetPodsMetric", message),
                      error: "failed to get pods metric value: \(message)")
        case .object(let describedObject, let metric, _):
            // Upstream's message puts its arguments in this order.
            let message = failure.duringFetch
                ? "unable to get metric \(metric.name): \(describedObject.kind) on \(namespace) \(describedObject.name)/\(text)" : text
            let wrapped = plan.isAverage ? "failed to get \(metric.name) object metric: \(message)" : message
            self.init(condition: HorizontalController.unableToCompute("FailedGetObjectMetric", message),
                      error: "failed to get object metric value: \(wrapped)")
        case .external(let metric, _):
            let message = failure.duringFetch
                ? "unable to get external metric \(namespace)/\(metric.name)/\(LabelSelector.goDescription(metric.selector)): \(text)" : text
            let wrapped = plan.isAverage
                ? "failed to get \(metric.name) external metric: \(message)" : "failed to get external metric \(metric.name): \(message)"
            self.init(condition: HorizontalController.unableToCompute("FailedGetExternalMetric", message),
                      error: "failed to get \(metric.name) external metric value: \(wrapped)")
        case .unknown:
            self = HorizontalController.invalidMetricSource(metric)
        }
    }
}
