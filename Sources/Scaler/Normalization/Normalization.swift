/// Normalization turns the metrics' proposal into the count the controller writes:
/// stabilization first, then rate limits, then the min/max clamp. Mirrors upstream's
/// `normalizeDesiredReplicas` (legacy) and `normalizeDesiredReplicasWithBehaviors`.
enum Normalization {
    struct Result {
        var desiredReplicas: Int32
        var stabilization: DecisionTrace.Stabilization
        var limit: DecisionTrace.Limit
    }

    // MARK: Legacy path (no behavior)

    /// `stabilizeRecommendation`: the highest recommendation inside the downscale window;
    /// the newest recommendation replaces the last one that fell out of the window.
    static func stabilizeRecommendation(
        _ recommendations: inout EditedEntries<TimestampedRecommendation>, prenormalized: Int32, now: Timestamp, window: TimeSpan
    ) -> Int32 {
        var maxRecommendation = prenormalized
        var oldSampleIndex: Int?
        let cutoff = now - window
        for (index, recommendation) in recommendations.base.enumerated() {
            if recommendation.timestamp < cutoff {
                oldSampleIndex = index
            } else if recommendation.replicas > maxRecommendation {
                maxRecommendation = recommendation.replicas
            }
        }
        recommendations.write(TimestampedRecommendation(timestamp: now, replicas: prenormalized), replacing: oldSampleIndex)
        return maxRecommendation
    }

    static func normalizeDesiredReplicas(
        conditions: inout ConditionList, history: inout EditedHistory, currentReplicas: Int32, prenormalized: Int32,
        minReplicas: Int32, maxReplicas: Int32, options: ControllerOptions, now: Timestamp
    ) -> Result {
        let stabilized = stabilizeRecommendation(&history.recommendations, prenormalized: prenormalized, now: now,
                                                 window: options.downscaleStabilizationWindow)
        if stabilized != prenormalized {
            conditions.set(.ableToScale, true, "ScaleDownStabilized",
                           "recent recommendations were higher than current one, applying the highest recent recommendation")
        } else {
            conditions.set(.ableToScale, true, "ReadyForNewScale", "recommended size matches current size")
        }

        let scaleUpLimit = calculateScaleUpLimit(currentReplicas, options: options)
        let (desired, reason, message) = convertDesiredReplicasWithRules(
            currentReplicas: currentReplicas, desiredReplicas: stabilized, minReplicas: minReplicas,
            maxReplicas: maxReplicas, scaleUpLimit: scaleUpLimit)
        conditions.set(.scalingLimited, desired != stabilized, reason, message)

        let windowSeconds = Int32(clamping: options.downscaleStabilizationWindow.nanoseconds / 1_000_000_000)
        return Result(
            desiredReplicas: desired,
            stabilization: .init(behaviorPath: false, input: prenormalized, output: stabilized, upWindowSeconds: 0, downWindowSeconds: windowSeconds),
            limit: .init(reason: reason, input: stabilized, output: desired, selectPolicy: nil, policies: [], rateLimit: scaleUpLimit))
    }

    /// `calculateScaleUpLimit`: upstream guards against bogus CPU reports by never more than
    /// doubling (and at least allowing 4).
    static func calculateScaleUpLimit(_ currentReplicas: Int32, options: ControllerOptions) -> Int32 {
        GoArithmetic.int32(max(options.scaleUpLimitFactor * Double(currentReplicas), options.scaleUpLimitMinimum))
    }

    /// `convertDesiredReplicasWithRules`.
    static func convertDesiredReplicasWithRules(
        currentReplicas: Int32, desiredReplicas: Int32, minReplicas: Int32, maxReplicas: Int32, scaleUpLimit: Int32
    ) -> (Int32, String, String) {
        let maximumAllowed: Int32
        var reason: String
        var message: String
        if maxReplicas > scaleUpLimit {
            maximumAllowed = scaleUpLimit
            reason = "ScaleUpLimit"
            message = "the desired replica count is increasing faster than the maximum scale rate"
        } else {
            maximumAllowed = maxReplicas
            reason = "TooManyReplicas"
            message = "the desired replica count is more than the maximum replica count"
        }
        if desiredReplicas < minReplicas {
            reason = "TooFewReplicas"
            message = "the desired replica count is less than the minimum replica count"
            return (minReplicas, reason, message)
        } else if desiredReplicas > maximumAllowed {
            return (maximumAllowed, reason, message)
        }
        return (desiredReplicas, "DesiredWithinRange", "the desired count is within the acceptable range")
    }

    // MARK: Behavior path

    static func normalizeDesiredReplicasWithBehaviors(
        conditions: inout ConditionList, history: inout EditedHistory, behavior: HorizontalPodAutoscalerBehavior,
        currentReplicas: Int32, prenormalized: Int32, minReplicas: Int32, maxReplicas: Int32,
        options: ControllerOptions, now: Timestamp
    ) -> Result {
        let scaleUp = behavior.resolvedScaleUp()
        let scaleDown = behavior.resolvedScaleDown(defaultStabilizationSeconds:
            Int32(clamping: options.downscaleStabilizationWindow.nanoseconds / 1_000_000_000))

        let (stabilized, stabilizedReason, stabilizedMessage) = stabilizeRecommendationWithBehaviors(
            &history.recommendations, desired: prenormalized, current: currentReplicas,
            upWindow: scaleUp.stabilizationWindowSeconds, downWindow: scaleDown.stabilizationWindowSeconds, now: now)
        if stabilized != prenormalized {
            conditions.set(.ableToScale, true, stabilizedReason, stabilizedMessage)
        } else {
            conditions.set(.ableToScale, true, "ReadyForNewScale", "recommended size matches current size")
        }

        let limited = convertDesiredReplicasWithBehaviorRate(
            desired: stabilized, current: currentReplicas, minReplicas: minReplicas, maxReplicas: maxReplicas,
            scaleUp: scaleUp, scaleDown: scaleDown, history: history, now: now)
        conditions.set(.scalingLimited, limited.desired != stabilized, limited.reason, limited.message)

        let direction = stabilized > currentReplicas ? scaleUp : scaleDown
        return Result(
            desiredReplicas: limited.desired,
            stabilization: .init(behaviorPath: true, input: prenormalized, output: stabilized,
                                 upWindowSeconds: scaleUp.stabilizationWindowSeconds, downWindowSeconds: scaleDown.stabilizationWindowSeconds),
            limit: .init(reason: limited.reason, input: stabilized, output: limited.desired,
                         selectPolicy: stabilized == currentReplicas ? nil : direction.selectPolicy,
                         policies: stabilized == currentReplicas ? [] : direction.policies, rateLimit: limited.rateLimit))
    }

    /// `stabilizeRecommendationWithBehaviors`: the count moves no further up than the lowest
    /// recommendation in the scale-up window, and no further down than the highest in the
    /// scale-down window. The newest recommendation replaces the last one outside both.
    static func stabilizeRecommendationWithBehaviors(
        _ recommendations: inout EditedEntries<TimestampedRecommendation>, desired: Int32, current: Int32,
        upWindow: Int32, downWindow: Int32, now: Timestamp
    ) -> (Int32, String, String) {
        var upRecommendation = desired
        var downRecommendation = desired
        let upCutoff = now - .seconds(Int64(upWindow))
        let downCutoff = now - .seconds(Int64(downWindow))
        var oldSampleIndex: Int?
        for (index, recommendation) in recommendations.base.enumerated() {
            if recommendation.timestamp > upCutoff {
                upRecommendation = min(recommendation.replicas, upRecommendation)
            }
            if recommendation.timestamp > downCutoff {
                downRecommendation = max(recommendation.replicas, downRecommendation)
            }
            if recommendation.timestamp < upCutoff && recommendation.timestamp < downCutoff {
                oldSampleIndex = index
            }
        }

        var recommendation = current
        if recommendation < upRecommendation { recommendation = upRecommendation }
        if recommendation > downRecommendation { recommendation = downRecommendation }

        recommendations.write(TimestampedRecommendation(timestamp: now, replicas: desired), replacing: oldSampleIndex)

        if desired >= current {
            return (recommendation, "ScaleUpStabilized",
                    "recent recommendations were lower than current one, applying the lowest recent recommendation")
        }
        return (recommendation, "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest recent recommendation")
    }

    struct RateLimited {
        var desired: Int32
        var reason: String
        var message: String
        var rateLimit: Int32?
    }

    /// `convertDesiredReplicasWithBehaviorRate`: the policies' limit for the direction, then
    /// the min/max bounds.
    static func convertDesiredReplicasWithBehaviorRate(
        desired: Int32, current: Int32, minReplicas: Int32, maxReplicas: Int32,
        scaleUp: ResolvedScalingRules, scaleDown: ResolvedScalingRules, history: EditedHistory, now: Timestamp
    ) -> RateLimited {
        // The events as the case gave them: this reconcile's event is stored after the limit.
        let scaleUpEvents = history.scaleUpEvents.base
        let scaleDownEvents = history.scaleDownEvents.base
        if desired > current {
            var scaleUpLimit = calculateScaleUpLimitWithScalingRules(
                current: current, scaleUpEvents: scaleUpEvents, scaleDownEvents: scaleDownEvents, rules: scaleUp, now: now)
            // No further scale-up until the recent scale-up events age out.
            if scaleUpLimit < current { scaleUpLimit = current }
            var maximumAllowed = maxReplicas
            let reason: String
            let message: String
            if maximumAllowed > scaleUpLimit {
                maximumAllowed = scaleUpLimit
                reason = "ScaleUpLimit"
                message = "the desired replica count is increasing faster than the maximum scale rate"
            } else {
                reason = "TooManyReplicas"
                message = "the desired replica count is more than the maximum replica count"
            }
            if desired > maximumAllowed {
                return RateLimited(desired: maximumAllowed, reason: reason, message: message, rateLimit: scaleUpLimit)
            }
            return RateLimited(desired: desired, reason: "DesiredWithinRange",
                               message: "the desired count is within the acceptable range", rateLimit: scaleUpLimit)
        } else if desired < current {
            var scaleDownLimit = calculateScaleDownLimitWithBehaviors(
                current: current, scaleUpEvents: scaleUpEvents, scaleDownEvents: scaleDownEvents, rules: scaleDown, now: now)
            // No further scale-down until the recent scale-down events age out.
            if scaleDownLimit > current { scaleDownLimit = current }
            var minimumAllowed = minReplicas
            let reason: String
            let message: String
            if minimumAllowed < scaleDownLimit {
                minimumAllowed = scaleDownLimit
                reason = "ScaleDownLimit"
                message = "the desired replica count is decreasing faster than the maximum scale rate"
            } else {
                reason = "TooFewReplicas"
                message = "the desired replica count is less than the minimum replica count"
            }
            if desired < minimumAllowed {
                return RateLimited(desired: minimumAllowed, reason: reason, message: message, rateLimit: scaleDownLimit)
            }
            return RateLimited(desired: desired, reason: "DesiredWithinRange",
                               message: "the desired count is within the acceptable range", rateLimit: scaleDownLimit)
        }
        return RateLimited(desired: desired, reason: "DesiredWithinRange",
                           message: "the desired count is within the acceptable range", rateLimit: nil)
    }

    /// `getReplicasChangePerPeriod`: the replicas changed by events newer than the period.
    static func replicasChangePerPeriod(_ periodSeconds: Int32, _ events: [ScaleEvent], now: Timestamp) -> Int32 {
        let cutoff = now - .seconds(Int64(periodSeconds))
        var replicas: Int32 = 0
        for event in events where event.timestamp > cutoff {
            replicas &+= event.change
        }
        return replicas
    }

    /// `calculateScaleUpLimitWithScalingRules`: the most replicas the policies allow now,
    /// counted from the size at the start of each policy's period.
    static func calculateScaleUpLimitWithScalingRules(
        current: Int32, scaleUpEvents: [ScaleEvent], scaleDownEvents: [ScaleEvent], rules: ResolvedScalingRules, now: Timestamp
    ) -> Int32 {
        // For scaling up, the 'Min' policy is the smallest allowed increase.
        policyLimit(current: current, scaleUpEvents: scaleUpEvents, scaleDownEvents: scaleDownEvents, rules: rules,
                    now: now, minChangePicksLowest: true) { periodStart, policy in
            switch policy.type {
            case .pods:
                return periodStart &+ policy.value
            case .percent:
                // Rounded up so a small percentage still adds a replica.
                return GoArithmetic.ceilInt32(Double(periodStart) * (1 + Double(policy.value) / 100))
            }
        }
    }

    /// `calculateScaleDownLimitWithBehaviors`: the fewest replicas the policies allow now.
    static func calculateScaleDownLimitWithBehaviors(
        current: Int32, scaleUpEvents: [ScaleEvent], scaleDownEvents: [ScaleEvent], rules: ResolvedScalingRules, now: Timestamp
    ) -> Int32 {
        // For scaling down, the 'Min' policy is the smallest allowed decrease: the highest count.
        policyLimit(current: current, scaleUpEvents: scaleUpEvents, scaleDownEvents: scaleDownEvents, rules: rules,
                    now: now, minChangePicksLowest: false) { periodStart, policy in
            switch policy.type {
            case .pods:
                return periodStart &- policy.value
            case .percent:
                return GoArithmetic.int32(Double(periodStart) * (1 - Double(policy.value) / 100))
            }
        }
    }

    /// The loop both limit functions share: each policy proposes a count from the replicas at
    /// the start of its period (current, less what was added and plus what was removed since),
    /// and selectPolicy picks among the proposals (Disabled: no change at all).
    @inline(__always)
    private static func policyLimit(
        current: Int32, scaleUpEvents: [ScaleEvent], scaleDownEvents: [ScaleEvent], rules: ResolvedScalingRules,
        now: Timestamp, minChangePicksLowest: Bool, propose: (Int32, HPAScalingPolicy) -> Int32
    ) -> Int32 {
        let pickLowest: Bool
        switch rules.selectPolicy {
        case .disabled: return current
        case .min: pickLowest = minChangePicksLowest
        case .max: pickLowest = !minChangePicksLowest
        }
        var result = pickLowest ? Int32.max : Int32.min
        for policy in rules.policies {
            let added = replicasChangePerPeriod(policy.periodSeconds, scaleUpEvents, now: now)
            let deleted = replicasChangePerPeriod(policy.periodSeconds, scaleDownEvents, now: now)
            let proposed = propose(current &- added &+ deleted, policy)
            result = pickLowest ? min(result, proposed) : max(result, proposed)
        }
        return result
    }

    /// `storeScaleEvent`: record the change, reusing the slot of the last event older than the
    /// direction's longest policy period. Only the behavior path keeps events.
    ///
    /// Upstream marks old events "outdated" in memory and never unmarks them; with timestamps
    /// only moving forward and the same policies, recomputing the mark gives the same slots.
    static func storeScaleEvent(
        history: inout EditedHistory, behavior: HorizontalPodAutoscalerBehavior?, previous: Int32, new: Int32,
        options: ControllerOptions, now: Timestamp
    ) {
        guard let behavior else { return }
        if new > previous {
            let period = behavior.resolvedScaleUp().longestPolicyPeriod
            store(ScaleEvent(timestamp: now, change: new - previous), in: &history.scaleUpEvents, longestPeriod: period, now: now)
        } else {
            let period = behavior.resolvedScaleDown(defaultStabilizationSeconds: 0).longestPolicyPeriod
            store(ScaleEvent(timestamp: now, change: previous - new), in: &history.scaleDownEvents, longestPeriod: period, now: now)
        }
    }

    private static func store(_ event: ScaleEvent, in events: inout EditedEntries<ScaleEvent>, longestPeriod: Int32, now: Timestamp) {
        let cutoff = now - .seconds(Int64(longestPeriod))
        var outdatedIndex: Int?
        for (index, existing) in events.base.enumerated() where existing.timestamp < cutoff {
            outdatedIndex = index
        }
        events.write(event, replacing: outdatedIndex)
    }
}
