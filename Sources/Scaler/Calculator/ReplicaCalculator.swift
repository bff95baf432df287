/// Upstream's `ReplicaCalculator`: one function per kind of metric, each proposing a replica
/// count from the metric's samples and the current pods.
///
/// Read against `pkg/controller/podautoscaler/replica_calculator.go`; the functions keep
/// upstream's names, order of checks, integer arithmetic and error texts. They take no metric
/// names: upstream uses those only to wrap a failed fetch's error, which the caller does (see
/// `Failure.duringFetch`).
struct ReplicaCalculator {
    var pods: [PodState]
    var now: Timestamp
    var cpuInitializationPeriod: TimeSpan
    var initialReadinessDelay: TimeSpan

    /// What a calculator function found, for the metric status and the explanation.
    struct Proposal {
        var replicas: Int32
        /// Average (or total, for Value targets) usage in milli-units.
        var usage: Int64
        /// Percentage of request, for Utilization targets.
        var utilization: Int32?
        var usageRatio: Double
        var outcome: ProposalOutcome
        var readyPods: Int = 0
        var unreadyPods: Int = 0
        var missingPods: Int = 0
        var ignoredPods: Int = 0
    }

    struct Failure: Error {
        var message: String
        /// The metric's values could not be fetched (the observation is an error, empty, or of
        /// the wrong kind): upstream wraps `message` with the metric's source and names.
        var duringFetch = false
    }

    // MARK: Resource metrics

    /// `GetResourceReplicas`: a Utilization target, in percent of the pods' requests.
    func resourceReplicas(
        currentReplicas: Int32, targetUtilization: Int32, isCPU: Bool, requestTotals: RequestTotals?,
        tolerances: Tolerances, observation: MetricObservation, prepared: PodMetrics?
    ) throws(Failure) -> Proposal {
        let metrics = try podMetrics(observation, prepared: prepared, api: "resource")
        var values = metrics.values
        let groups = try groupAndFilter(metrics, &values, isCPU: isCPU)

        let requests: [Int64]
        switch requestTotals {
        case .totals(let totals)?: requests = totals
        case .failure(let message)?: throw Failure(message: message)
        case nil: throw Failure(message: "no requests were prepared for this metric")
        }
        let (usageRatio, utilization, rawUtilization) = try resourceUtilizationRatio(values, requests, targetUtilization)
        var proposal = Proposal(replicas: currentReplicas, usage: rawUtilization, utilization: utilization,
                                usageRatio: usageRatio, outcome: .withinTolerance)
        proposal.count(groups)
        if let direct = directProposal(proposal, groups: groups, tolerances: tolerances) { return direct }
        let scaleUpWithUnready = !groups.unready.isEmpty && usageRatio > 1.0

        if !groups.missing.isEmpty {
            if usageRatio < 1.0 {
                // On a scale-down, a missing pod counts as using its whole request (or the
                // target, when the target is above 100 %).
                let fallbackUtilization = Int64(max(100, targetUtilization))
                for position in groups.missing {
                    values[position] = requests[position] &* fallbackUtilization / 100
                }
            } else if usageRatio > 1.0 {
                // On a scale-up, a missing pod counts as idle.
                for position in groups.missing { values[position] = 0 }
            }
        }
        if scaleUpWithUnready {
            for position in groups.unready { values[position] = 0 }
        }

        let (newUsageRatio, _, _) = try resourceUtilizationRatio(values, requests, targetUtilization)
        return rebalancedProposal(proposal, usageRatio: usageRatio, newUsageRatio: newUsageRatio,
                                  metricCount: metrics.count(keeping: values), currentReplicas: currentReplicas, tolerances: tolerances)
    }

    /// `GetRawResourceReplicas`: an AverageValue target for a resource.
    func rawResourceReplicas(
        currentReplicas: Int32, targetUsage: Int64, isCPU: Bool,
        tolerances: Tolerances, observation: MetricObservation, prepared: PodMetrics?
    ) throws(Failure) -> Proposal {
        let metrics = try podMetrics(observation, prepared: prepared, api: "resource")
        return try plainMetricReplicas(metrics, currentReplicas: currentReplicas, targetUsage: targetUsage,
                                       tolerances: tolerances, isCPU: isCPU)
    }

    /// `GetMetricReplicas`: a Pods metric with an AverageValue target.
    func metricReplicas(
        currentReplicas: Int32, targetUsage: Int64,
        tolerances: Tolerances, observation: MetricObservation, prepared: PodMetrics?
    ) throws(Failure) -> Proposal {
        let metrics = try podMetrics(observation, prepared: prepared, api: "custom")
        return try plainMetricReplicas(metrics, currentReplicas: currentReplicas, targetUsage: targetUsage,
                                       tolerances: tolerances, isCPU: false)
    }

    /// `calcPlainMetricReplicas`: per-pod averages against an average target.
    private func plainMetricReplicas(
        _ metrics: PodMetrics, currentReplicas: Int32, targetUsage: Int64, tolerances: Tolerances, isCPU: Bool
    ) throws(Failure) -> Proposal {
        var values = metrics.values
        let groups = try groupAndFilter(metrics, &values, isCPU: isCPU)

        let (usageRatio, usage) = metricUsageRatio(values, metrics.superfluous, targetUsage)
        var proposal = Proposal(replicas: currentReplicas, usage: usage, utilization: nil,
                                usageRatio: usageRatio, outcome: .withinTolerance)
        proposal.count(groups)
        if let direct = directProposal(proposal, groups: groups, tolerances: tolerances) { return direct }
        let scaleUpWithUnready = !groups.unready.isEmpty && usageRatio > 1.0

        if !groups.missing.isEmpty {
            if usageRatio < 1.0 {
                // On a scale-down, a missing pod counts as using exactly the target.
                for position in groups.missing { values[position] = targetUsage }
            } else if usageRatio > 1.0 {
                for position in groups.missing { values[position] = 0 }
            }
        }
        if scaleUpWithUnready {
            for position in groups.unready { values[position] = 0 }
        }

        let (newUsageRatio, _) = metricUsageRatio(values, metrics.superfluous, targetUsage)
        return rebalancedProposal(proposal, usageRatio: usageRatio, newUsageRatio: newUsageRatio,
                                  metricCount: metrics.count(keeping: values), currentReplicas: currentReplicas, tolerances: tolerances)
    }

    /// The start both per-pod calculations share: group the pods, then drop the samples of
    /// ignored and unready pods from `values` (the calculation's copy of `metrics.values`);
    /// fail when none is left.
    private func groupAndFilter(_ metrics: PodMetrics, _ values: inout [Int64?], isCPU: Bool) throws(Failure) -> PodGroups {
        guard !pods.isEmpty else { throw Failure(message: "no pods returned by selector while calculating replica count") }
        let groups = PodGroups(pods: pods, samples: metrics.samples, isCPU: isCPU, now: now,
                               cpuInitializationPeriod: cpuInitializationPeriod, initialReadinessDelay: initialReadinessDelay)
        for position in groups.ignored { values[position] = nil }
        for position in groups.unready { values[position] = nil }
        // What is left: the ready pods' samples (a pod with a sample is ready unless ignored or
        // unready) and the superfluous ones.
        if groups.readyPodCount + metrics.superfluous.count == 0 {
            throw Failure(message: "did not receive metrics for targeted pods (pods might be unready)")
        }
        return groups
    }

    /// With no unready pods in a scale-up and no missing pods, the ratio over the ready pods
    /// decides at once (or the tolerance keeps the count); nil when pods must be rebalanced.
    private func directProposal(_ base: Proposal, groups: PodGroups, tolerances: Tolerances) -> Proposal? {
        let scaleUpWithUnready = !groups.unready.isEmpty && base.usageRatio > 1.0
        guard !scaleUpWithUnready && groups.missing.isEmpty else { return nil }
        var proposal = base
        if tolerances.isWithin(base.usageRatio) { return proposal }
        proposal.replicas = GoArithmetic.ceilInt32(base.usageRatio * Double(groups.readyPodCount))
        proposal.outcome = .scaled
        return proposal
    }

    /// The end shared by both per-pod calculations once unready and missing pods have been
    /// given assumed values: keep the current count if the change is too small, or if the
    /// assumed values would reverse its direction (both guards, as upstream).
    private func rebalancedProposal(
        _ base: Proposal, usageRatio: Double, newUsageRatio: Double, metricCount: Int,
        currentReplicas: Int32, tolerances: Tolerances
    ) -> Proposal {
        var proposal = base
        if tolerances.isWithin(newUsageRatio) {
            proposal.outcome = .withinTolerance
            return proposal
        }
        if (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0) {
            proposal.outcome = .directionReversed
            return proposal
        }
        let newReplicas = GoArithmetic.ceilInt32(newUsageRatio * Double(metricCount))
        if (newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas) {
            proposal.outcome = .directionReversed
            return proposal
        }
        proposal.replicas = newReplicas
        proposal.outcome = .rebalanced
        return proposal
    }

    // MARK: Object and External metrics

    /// `GetObjectMetricReplicas`: an Object metric with a Value target.
    func objectMetricReplicas(
        currentReplicas: Int32, targetUsage: Int64, tolerances: Tolerances, observation: MetricObservation
    ) throws(Failure) -> Proposal {
        let usage = try objectValue(observation)
        let usageRatio = Double(usage) / Double(targetUsage)
        return try usageRatioReplicaCount(currentReplicas: currentReplicas, usage: usage, usageRatio: usageRatio, tolerances: tolerances)
    }

    /// `GetObjectPerPodMetricReplicas`: an Object metric with an AverageValue target.
    func objectPerPodMetricReplicas(
        statusReplicas: Int32, targetAverageUsage: Int64, tolerances: Tolerances, observation: MetricObservation
    ) throws(Failure) -> Proposal {
        let usage = try objectValue(observation)
        var replicaCount = statusReplicas
        let usageRatio = Double(usage) / (Double(targetAverageUsage) * Double(replicaCount))
        var outcome = ProposalOutcome.withinTolerance
        if !tolerances.isWithin(usageRatio) {
            replicaCount = GoArithmetic.ceilInt32(Double(usage) / Double(targetAverageUsage))
            outcome = .scaled
        }
        let averageUsage = GoArithmetic.int64((Double(usage) / Double(statusReplicas)).rounded(.up))
        return Proposal(replicas: replicaCount, usage: averageUsage, utilization: nil, usageRatio: usageRatio, outcome: outcome)
    }

    /// `GetExternalMetricReplicas`: an External metric with a Value target (series summed).
    func externalMetricReplicas(
        currentReplicas: Int32, targetUsage: Int64, tolerances: Tolerances, observation: MetricObservation
    ) throws(Failure) -> Proposal {
        let values = try externalValues(observation)
        var usage: Int64 = 0
        for value in values {
            // Capped at Int64.max on positive overflow.
            if value > 0 && usage > Int64.max - value {
                usage = Int64.max
                break
            }
            usage = usage &+ value
        }
        let usageRatio = Double(usage) / Double(targetUsage)
        return try usageRatioReplicaCount(currentReplicas: currentReplicas, usage: usage, usageRatio: usageRatio, tolerances: tolerances)
    }

    /// `GetExternalPerPodMetricReplicas`: an External metric with an AverageValue target.
    func externalPerPodMetricReplicas(
        statusReplicas: Int32, targetUsagePerPod: Int64, tolerances: Tolerances, observation: MetricObservation
    ) throws(Failure) -> Proposal {
        let values = try externalValues(observation)
        var usage: Int64 = 0
        for value in values {
            usage = usage &+ value
            if usage < 0 {
                // Only an Int64 overflow gets here.
                usage = Int64.max
                break
            }
        }
        var replicaCount = statusReplicas
        let usageRatio = Double(usage) / (Double(targetUsagePerPod) * Double(replicaCount))
        var outcome = ProposalOutcome.withinTolerance
        if !tolerances.isWithin(usageRatio) {
            let result = (Double(usage) / Double(targetUsagePerPod)).rounded(.up)
            replicaCount = result > Double(Int32.max) ? Int32.max : GoArithmetic.int32(result)
            outcome = .scaled
        }
        let averageUsage: Int64
        if Double(usage) >= Double(Int64.max) {
            averageUsage = Int64.max
        } else {
            averageUsage = GoArithmetic.int64((Double(usage) / Double(statusReplicas)).rounded(.up))
        }
        return Proposal(replicas: replicaCount, usage: averageUsage, utilization: nil, usageRatio: usageRatio, outcome: outcome)
    }

    /// `getUsageRatioReplicaCount`: scale the ready pods by the ratio; from zero, the ratio
    /// alone decides and the tolerance does not apply.
    private func usageRatioReplicaCount(
        currentReplicas: Int32, usage: Int64, usageRatio: Double, tolerances: Tolerances
    ) throws(Failure) -> Proposal {
        var proposal = Proposal(replicas: currentReplicas, usage: usage, utilization: nil, usageRatio: usageRatio, outcome: .withinTolerance)
        if currentReplicas != 0 {
            if tolerances.isWithin(usageRatio) { return proposal }
            guard !pods.isEmpty else {
                throw Failure(message: "unable to calculate ready pods: no pods returned by selector while calculating replica count")
            }
            var readyPodCount = 0
            for pod in pods where pod.phase == .running && pod.ready == true { readyPodCount += 1 }
            let replicaCount = usageRatio * Double(readyPodCount)
            proposal.replicas = replicaCount > Double(Int32.max) ? Int32.max : GoArithmetic.ceilInt32(replicaCount)
            proposal.readyPods = readyPodCount
            proposal.outcome = .scaled
        } else {
            proposal.replicas = GoArithmetic.ceilInt32(usageRatio)
            proposal.outcome = .fromZero
        }
        return proposal
    }

    // MARK: Inputs

    private func podMetrics(_ observation: MetricObservation, prepared: PodMetrics?, api: String) throws(Failure) -> PodMetrics {
        switch observation {
        case .podValues(let pairs):
            if pairs.isEmpty { throw Failure(message: "no metrics returned from \(api) metrics API", duringFetch: true) }
            // `PreparedInputs` joins every per-pod observation of the case to its pods, so a
            // missing join means the case broke its invariant; say so rather than guess.
            guard let prepared else {
                throw Failure(message: "the \(api) metric samples were not matched to pods", duringFetch: true)
            }
            return prepared
        case .error(let text):
            throw Failure(message: text, duringFetch: true)
        case .value, .values:
            throw Failure(message: "the observation holds no per-pod values", duringFetch: true)
        }
    }

    private func objectValue(_ observation: MetricObservation) throws(Failure) -> Int64 {
        switch observation {
        case .value(let quantity): return quantity.milliValue
        case .error(let text): throw Failure(message: text, duringFetch: true)
        case .podValues, .values: throw Failure(message: "the observation holds no object value", duringFetch: true)
        }
    }

    private func externalValues(_ observation: MetricObservation) throws(Failure) -> [Int64] {
        switch observation {
        case .values(let quantities):
            if quantities.isEmpty { throw Failure(message: "no metrics returned from external metrics API", duringFetch: true) }
            return quantities.map(\.milliValue)
        case .error(let text): throw Failure(message: text, duringFetch: true)
        case .podValues, .value: throw Failure(message: "the observation holds no external values", duringFetch: true)
        }
    }

    /// `GetResourceUtilizationRatio`: superfluous samples (no request) are skipped.
    private func resourceUtilizationRatio(
        _ values: [Int64?], _ requests: [Int64], _ targetUtilization: Int32
    ) throws(Failure) -> (Double, Int32, Int64) {
        var metricsTotal: Int64 = 0
        var requestsTotal: Int64 = 0
        var entries: Int64 = 0
        for (position, value) in values.enumerated() {
            guard let value else { continue }
            metricsTotal = metricsTotal &+ value
            requestsTotal = requestsTotal &+ requests[position]
            entries += 1
        }
        if requestsTotal == 0 {
            throw Failure(message: "no metrics returned matched known pods")
        }
        let utilization = Int32(truncatingIfNeeded: (metricsTotal &* 100) / requestsTotal)
        return (Double(utilization) / Double(targetUtilization), utilization, metricsTotal / entries)
    }

    /// `GetMetricUsageRatio`: the average over every sample, superfluous ones included.
    private func metricUsageRatio(_ values: [Int64?], _ superfluous: [Int64], _ targetUsage: Int64) -> (Double, Int64) {
        var metricsTotal: Int64 = 0
        var count = superfluous.count
        for value in values {
            guard let value else { continue }
            metricsTotal = metricsTotal &+ value
            count += 1
        }
        for value in superfluous { metricsTotal = metricsTotal &+ value }
        let usage = metricsTotal / Int64(count)
        return (Double(usage) / Double(targetUsage), usage)
    }
}

extension ReplicaCalculator.Proposal {
    mutating func count(_ groups: PodGroups) {
        readyPods = groups.readyPodCount
        unreadyPods = groups.unready.count
        missingPods = groups.missing.count
        ignoredPods = groups.ignored.count
    }
}

/// Which branch of a replica calculation decided the count.
public enum ProposalOutcome: Sendable, Equatable {
    /// The ratio was within tolerance: keep the current count.
    case withinTolerance
    /// Scaled by the ratio over the ready pods.
    case scaled
    /// Unready or missing pods were given assumed values and the ratio recomputed.
    case rebalanced
    /// Rebalancing would have reversed the direction of the change: keep the current count.
    case directionReversed
    /// Scale from zero: the ratio alone decides.
    case fromZero
}
