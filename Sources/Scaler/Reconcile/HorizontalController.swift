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
        var history = input.history
        var trace = DecisionTrace()
        trace.tolerances = Tolerances(spec: spec, flag: input.options.tolerance)

        conditions.set(.ableToScale, true, "SucceededGetScale", "the HPA controller was able to get the target's current scale")
        // `recordInitialRecommendation`: first sight of this HPA.
        if history.recommendations == nil {
            history.recommendations = [TimestampedRecommendation(timestamp: now, replicas: currentReplicas)]
        }

        var desiredReplicas: Int32 = 0
        var rescale = true
        var rescaleReason = RescaleReason.none
        var metricStatuses: [MetricStatus]?
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
            let computed = computeReplicasForMetrics(input, tolerances: trace.tolerances, conditions: &conditions, trace: &trace)
            metricStatuses = computed.statuses
            guard let metricDesiredReplicas = computed.replicas else {
                // Metrics failed hard: nothing is scaled and the conditions say why.
                trace.branch = .metricsFailed(invalid: computed.invalidCount, total: spec.metrics.count)
                let reference = "\(spec.scaleTargetRef.kind)/\(input.metadata.namespace)/\(spec.scaleTargetRef.name)"
                return Decision(
                    currentReplicas: currentReplicas, desiredReplicas: currentReplicas, rescale: false,
                    rescaleReason: .failed("failed to compute desired number of replicas based on listed metrics for \(reference): \(computed.error ?? "")"),
                    conditionList: conditions, currentMetrics: metricStatuses, recommendation: nil,
                    history: history, lastScaleTime: nil, spec: spec, trace: trace)
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
            conditionList: conditions, currentMetrics: metricStatuses, recommendation: recommendation,
            history: history, lastScaleTime: lastScaleTime, spec: spec, trace: trace)
    }

    struct ComputedMetrics {
        /// nil when no scaling can happen this cycle.
        var replicas: Int32?
        var metricName: MetricLabel?
        var statuses: [MetricStatus]
        var invalidCount: Int
        var error: String?
    }

    /// `computeReplicasForMetrics`: the highest proposal over valid metrics. Invalid metrics
    /// may not stop a scale-up, but they block a scale-down, and when all are invalid nothing
    /// scales; the first invalid metric's condition says why.
    static func computeReplicasForMetrics(
        _ input: ReconcileCase, tolerances: Tolerances, conditions: inout ConditionList, trace: inout DecisionTrace
    ) -> ComputedMetrics {
        let specs = input.spec.metrics
        // Filled by appending: `Array(repeating:count:)` looks the array type's metadata up at
        // run time on every call.
        var statuses: [MetricStatus] = []
        statuses.reserveCapacity(specs.count)
        for _ in specs { statuses.append(.none) }
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

        for (index, spec) in specs.enumerated() {
            let observation = index < input.metrics.count ? input.metrics[index] : .error("no value was observed for this metric")
            let result = computeReplicasForMetric(spec, metricIndex: index, observation: observation, input: input,
                                                  calculator: calculator, tolerances: tolerances)
            switch result {
            case .success(let proposal):
                statuses[index] = proposal.status
                trace.metrics.append(DecisionTrace.MetricResult(
                    index: index, replicas: proposal.replicas, usageRatio: proposal.calculation?.usageRatio,
                    outcome: proposal.calculation?.outcome, readyPods: proposal.calculation?.readyPods ?? 0,
                    unreadyPods: proposal.calculation?.unreadyPods ?? 0, missingPods: proposal.calculation?.missingPods ?? 0,
                    ignoredPods: proposal.calculation?.ignoredPods ?? 0, error: nil))
                if replicas == 0 || proposal.replicas > replicas {
                    replicas = proposal.replicas
                    metricName = proposal.metricName
                }
            case .failure(let failure):
                trace.metrics.append(DecisionTrace.MetricResult(index: index, replicas: nil, error: failure.condition.detail.text(in: input.spec)))
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
            return ComputedMetrics(replicas: nil, metricName: nil, statuses: statuses, invalidCount: invalidCount, error: error)
        }
        if let metricName { conditions.set(.scalingActive, true, "ValidMetricFound", detail: .validMetricFound(metricName)) }
        return ComputedMetrics(replicas: replicas, metricName: metricName, statuses: statuses, invalidCount: invalidCount, error: error)
    }

    struct MetricProposal {
        var replicas: Int32
        var metricName: MetricLabel
        var status: MetricStatus
        var calculation: ReplicaCalculator.Proposal?
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
    static func computeReplicasForMetric(
        _ spec: MetricSpec, metricIndex: Int, observation: MetricObservation, input: ReconcileCase,
        calculator: ReplicaCalculator, tolerances: Tolerances
    ) -> Result<MetricProposal, MetricFailure> {
        let specReplicas = input.scale.specReplicas
        let statusReplicas = input.scale.statusReplicas
        let namespace = input.metadata.namespace
        let prepared = input.prepared.podMetrics[metricIndex]
        let requests = input.prepared.requests[metricIndex]

        switch spec {
        case .object(let describedObject, let metric, let target):
            let fail = { (message: String, wrapped: String) in
                Result<MetricProposal, MetricFailure>.failure(MetricFailure(
                    condition: unableToCompute("FailedGetObjectMetric", message), error: "failed to get object metric value: \(wrapped)"))
            }
            if target.type == .value, let value = target.value {
                do {
                    let proposal = try calculator.objectMetricReplicas(
                        currentReplicas: specReplicas, targetUsage: value.milliValue, metricName: metric.name,
                        describedObject: describedObject, namespace: namespace, tolerances: tolerances, observation: observation)
                    let status = MetricStatus(kind: .object, value: proposal.usage)
                    return .success(MetricProposal(replicas: proposal.replicas, metricName: MetricLabel(kind: .object, index: metricIndex),
                                                   status: status, calculation: proposal))
                } catch {
                    return fail(error.message, error.message)
                }
            } else if target.type == .averageValue, let averageValue = target.averageValue {
                do {
                    let proposal = try calculator.objectPerPodMetricReplicas(
                        statusReplicas: statusReplicas, targetAverageUsage: averageValue.milliValue, metricName: metric.name,
                        describedObject: describedObject, namespace: namespace, tolerances: tolerances, observation: observation)
                    let status = MetricStatus(kind: .objectAverage, averageValue: proposal.usage)
                    // Upstream names this proposal as if it were external.
                    return .success(MetricProposal(replicas: proposal.replicas,
                                                   metricName: MetricLabel(kind: .external, index: metricIndex),
                                                   status: status, calculation: proposal))
                } catch {
                    return fail(error.message, "failed to get \(metric.name) object metric: \(error.message)")
                }
            }
            let message = "invalid object metric source: neither a value target nor an average value target was set"
            return fail(message, message)

        case .pods(let metric, let target):
            guard let averageValue = target.averageValue else {
                let message = "invalid pods metric source: no average value target was set"
                return .failure(MetricFailure(condition: unableToCompute("FailedGetPodsMetric", message),
                                              error: "failed to get pods metric value: \(message)"))
            }
            do {
                let proposal = try calculator.metricReplicas(
                    currentReplicas: specReplicas, targetUsage: averageValue.milliValue, metricName: metric.name,
                    tolerances: tolerances, observation: observation, prepared: prepared)
                let status = MetricStatus(kind: .pods, averageValue: proposal.usage)
                return .success(MetricProposal(replicas: proposal.replicas, metricName: MetricLabel(kind: .pods, index: metricIndex),
                                               status: status, calculation: proposal))
            } catch {
                return .failure(MetricFailure(condition: unableToCompute("FailedGetPodsMetric", error.message),
                                              error: "failed to get pods metric value: \(error.message)"))
            }

        case .resource(let name, let target):
            switch computeStatusForResourceMetricGeneric(
                currentReplicas: specReplicas, target: target, resource: name, container: nil, requests: requests,
                metricIndex: metricIndex, calculator: calculator, tolerances: tolerances, observation: observation, prepared: prepared)
            {
            case .success(let generic):
                let status = MetricStatus(kind: .resource, averageValue: generic.proposal.usage,
                                          averageUtilization: generic.proposal.utilization)
                return .success(MetricProposal(replicas: generic.proposal.replicas, metricName: generic.metricName,
                                               status: status, calculation: generic.proposal))
            case .failure(let failure):
                let message = failure.message
                return .failure(MetricFailure(condition: unableToCompute("FailedGetResourceMetric", message),
                                              error: "failed to get \(name) resource metric value: \(message)"))
            }

        case .containerResource(let name, let container, let target):
            switch computeStatusForResourceMetricGeneric(
                currentReplicas: specReplicas, target: target, resource: name, container: container, requests: requests,
                metricIndex: metricIndex, calculator: calculator, tolerances: tolerances, observation: observation, prepared: prepared)
            {
            case .success(let generic):
                let status = MetricStatus(kind: .containerResource,
                                          averageValue: generic.proposal.usage, averageUtilization: generic.proposal.utilization)
                return .success(MetricProposal(replicas: generic.proposal.replicas, metricName: generic.metricName,
                                               status: status, calculation: generic.proposal))
            case .failure(let failure):
                let message = failure.message
                return .failure(MetricFailure(condition: unableToCompute("FailedGetContainerResourceMetric", message),
                                              error: "failed to get \(container) container metric value: \(message)"))
            }

        case .external(let metric, let target):
            let metricName = MetricLabel(kind: .external, index: metricIndex)
            if let averageValue = target.averageValue {
                do {
                    let proposal = try calculator.externalPerPodMetricReplicas(
                        statusReplicas: statusReplicas, targetUsagePerPod: averageValue.milliValue, metricName: metric.name,
                        selector: metric.selector, namespace: namespace, tolerances: tolerances, observation: observation)
                    let status = MetricStatus(kind: .external, averageValue: proposal.usage)
                    return .success(MetricProposal(replicas: proposal.replicas, metricName: metricName, status: status, calculation: proposal))
                } catch {
                    return .failure(MetricFailure(condition: unableToCompute("FailedGetExternalMetric", error.message),
                                                  error: "failed to get \(metric.name) external metric value: failed to get \(metric.name) external metric: \(error.message)"))
                }
            }
            if let value = target.value {
                do {
                    let proposal = try calculator.externalMetricReplicas(
                        currentReplicas: specReplicas, targetUsage: value.milliValue, metricName: metric.name,
                        selector: metric.selector, namespace: namespace, tolerances: tolerances, observation: observation)
                    let status = MetricStatus(kind: .external, value: proposal.usage)
                    return .success(MetricProposal(replicas: proposal.replicas, metricName: metricName, status: status, calculation: proposal))
                } catch {
                    return .failure(MetricFailure(condition: unableToCompute("FailedGetExternalMetric", error.message),
                                                  error: "failed to get \(metric.name) external metric value: failed to get external metric \(metric.name): \(error.message)"))
                }
            }
            let message = "invalid external metric source: neither a value target nor an average value target was set"
            return .failure(MetricFailure(condition: unableToCompute("FailedGetExternalMetric", message),
                                          error: "failed to get \(metric.name) external metric value: \(message)"))

        case .unknown(let type):
            let message = "unknown metric source type \"\(type)\""
            return .failure(MetricFailure(condition: unableToCompute("InvalidMetricSourceType", message), error: message))
        }
    }

    struct GenericResourceProposal {
        var proposal: ReplicaCalculator.Proposal
        var metricName: MetricLabel
    }

    /// `computeStatusForResourceMetricGeneric`: an AverageValue target wins over a Utilization one.
    static func computeStatusForResourceMetricGeneric(
        currentReplicas: Int32, target: MetricTarget, resource: String, container: String?, requests: RequestTotals?,
        metricIndex: Int, calculator: ReplicaCalculator, tolerances: Tolerances, observation: MetricObservation, prepared: PodMetrics?
    ) -> Result<GenericResourceProposal, GenericFailure> {
        if let averageValue = target.averageValue {
            do {
                let proposal = try calculator.rawResourceReplicas(
                    currentReplicas: currentReplicas, targetUsage: averageValue.milliValue, resource: resource,
                    tolerances: tolerances, observation: observation, prepared: prepared)
                return .success(GenericResourceProposal(proposal: proposal, metricName: MetricLabel(kind: .resourceAverage, index: metricIndex)))
            } catch {
                return .failure(GenericFailure("failed to get \(resource) usage: \(error.message)"))
            }
        }
        guard let targetUtilization = target.averageUtilization else {
            return .failure(GenericFailure("invalid resource metric source: neither an average utilization target nor an average value (usage) target was set"))
        }
        do {
            let proposal = try calculator.resourceReplicas(
                currentReplicas: currentReplicas, targetUtilization: targetUtilization, resource: resource, requestTotals: requests,
                tolerances: tolerances, observation: observation, prepared: prepared)
            let metricName = MetricLabel(kind: container == nil ? .resourceUtilization : .containerResourceUtilization, index: metricIndex)
            return .success(GenericResourceProposal(proposal: proposal, metricName: metricName))
        } catch {
            return .failure(GenericFailure("failed to get \(resource) utilization: \(error.message)"))
        }
    }

    struct GenericFailure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }
}
