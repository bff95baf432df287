import Scaler
import Testing

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and deterministic for a given seed, so a
/// failing property names a seed and an iteration that reproduce it.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `range` (the modulo bias is irrelevant at these sizes).
    mutating func int64(in range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        if width == 0 { return Int64(bitPattern: next()) }
        return range.lowerBound &+ Int64(bitPattern: next() % width)
    }

    mutating func int(in range: ClosedRange<Int>) -> Int {
        Int(int64(in: Int64(range.lowerBound)...Int64(range.upperBound)))
    }

    mutating func int32(in range: ClosedRange<Int32>) -> Int32 {
        Int32(int64(in: Int64(range.lowerBound)...Int64(range.upperBound)))
    }

    mutating func bool() -> Bool { next() & 1 == 1 }

    /// True with the given probability.
    mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) < probability
    }

    mutating func pick<T>(_ choices: [T]) -> T { choices[int(in: 0...(choices.count - 1))] }
}

/// Random but well-formed reconcile cases: every metric type, both normalization paths,
/// random histories, events, policies and flags. Values are bounded so a case evaluates in
/// microseconds.
struct CaseGenerator {
    static let now = Timestamp(secondsSinceEpoch: 1_795_176_000)  // 2026-11-20T12:00:00Z

    var random: SplitMix64
    /// This case's demand as a multiple of each metric's target, and the replica count the
    /// totals are spread over.
    private var load = 1.0
    private var replicas = 1.0

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func next() -> ReconcileCase {
        let now = Self.now
        let maxReplicas = random.int32(in: 1...25)
        let lowestMin: Int32 = random.chance(0.1) ? 0 : 1
        let highestMin = random.chance(0.8) ? max(lowestMin, maxReplicas / 3) : maxReplicas
        let minReplicas: Int32? = random.chance(0.2) ? nil : random.int32(in: lowestMin...highestMin)
        // Mostly inside [min, max], sometimes outside (and sometimes zero).
        let current: Int32
        switch random.int(in: 0...9) {
        case 0: current = 0
        case 1: current = maxReplicas + random.int32(in: 1...5)
        case 2: current = (minReplicas ?? 1) > 1 ? random.int32(in: 0...((minReplicas ?? 1) - 1)) : random.int32(in: 0...30)
        default: current = random.int32(in: (minReplicas ?? 1)...maxReplicas)
        }
        // Demand relative to the targets: below, near or above.
        switch random.int(in: 0...19) {
        case 0...8: load = Double(random.int(in: 5...90)) / 100
        case 9, 10: load = Double(random.int(in: 90...110)) / 100
        default: load = Double(random.int(in: 110...300)) / 100
        }
        replicas = Double(max(current, 1))
        let podCount = random.chance(0.8) ? Int(current) : random.int(in: 0...30)
        var pods: [Pod] = []
        for index in 0..<podCount {
            let ready: Bool? = random.chance(0.9) ? true : random.pick([false, nil])
            let phase: Pod.Phase = random.chance(0.95) ? .running : random.pick([.pending, .failed, .succeeded])
            let startedAgo = Int64(random.pick([20, 200, 3_600]))
            pods.append(Pod(
                name: "pod-\(index)", phase: phase, deleted: random.chance(0.03),
                startTime: now - .seconds(startedAgo), ready: ready,
                readyTransitionTime: now - .seconds(max(0, startedAgo - 10)),
                containers: [Container(name: "app", requests: ["cpu": 500, "memory": 256_000])]))
        }

        var specs: [MetricSpec] = []
        var observations: [MetricObservation] = []
        for _ in 0..<random.int(in: 1...3) {
            let (spec, observation) = metric(pods: pods)
            specs.append(spec)
            observations.append(observation)
        }

        let behavior: HorizontalPodAutoscalerBehavior? = random.chance(0.6)
            ? HorizontalPodAutoscalerBehavior(scaleUp: rules(down: false), scaleDown: rules(down: true))
            : nil

        var recommendations: [TimestampedRecommendation]?
        if random.chance(0.25) {
            recommendations = []
        } else if random.chance(0.7) {
            recommendations = (0..<random.int(in: 1...6)).map { _ in
                let replicas = random.chance(0.2) ? random.int32(in: 0...30) : max(0, current + random.int32(in: -4...4))
                return TimestampedRecommendation(timestamp: now - .seconds(Int64(random.int(in: 0...700))), replicas: replicas)
            }
        }
        let history = ScaleHistory(recommendations: recommendations, scaleUpEvents: events(), scaleDownEvents: events())

        let options = ControllerOptions(
            tolerance: random.pick([0, 0.05, 0.1, 0.1, 0.2]),
            downscaleStabilizationWindow: .seconds(Int64(random.pick([0, 60, 300, 300]))),
            scaleUpLimitFactor: random.pick([1.0, 2.0, 2.0, 3.0]),
            scaleUpLimitMinimum: random.pick([1.0, 4.0, 4.0, 6.0]))

        return ReconcileCase(
            now: now, metadata: ObjectMeta(name: "web"),
            spec: HorizontalPodAutoscalerSpec(minReplicas: minReplicas, maxReplicas: maxReplicas, metrics: specs, behavior: behavior),
            scale: Scale(specReplicas: current, statusReplicas: random.chance(0.9) ? current : random.int32(in: 0...30)),
            pods: pods, metrics: observations, history: history, options: options)
    }

    private mutating func quantity(_ range: ClosedRange<Int64>) -> Quantity { Quantity(milli: random.int64(in: range)) }

    /// `target` times this case's load (times `scale`), jittered by up to 20 %.
    private mutating func demand(_ target: Int64, scale: Double = 1) -> Int64 {
        let jitter = Double(random.int(in: 80...120)) / 100
        return max(0, Int64((Double(target) * load * scale * jitter).rounded()))
    }

    private mutating func podValues(_ pods: [Pod], _ perPodTarget: Int64) -> MetricObservation {
        var samples: [PodValue] = []
        for pod in pods where random.chance(0.9) {
            samples.append(PodValue(pod.name, PodSample(milliValue: demand(perPodTarget),
                                                        timestamp: Self.now - .seconds(Int64(random.int(in: 0...30))),
                                                        window: .seconds(Int64(random.pick([15, 30, 60]))))))
        }
        return .podValues(samples)
    }

    private mutating func metric(pods: [Pod]) -> (MetricSpec, MetricObservation) {
        let failed = random.chance(0.05)
        let result: (MetricSpec, MetricObservation)
        switch random.int(in: 0...6) {
        case 0, 1:
            let percent = random.int32(in: 10...100)
            result = (.resource(name: "cpu", target: .utilization(percent)), podValues(pods, 500 * Int64(percent) / 100))
        case 2:
            let target = quantity(50_000...500_000)
            result = (.resource(name: "memory", target: .averageValue(target)), podValues(pods, target.milliValue))
        case 3:
            let target = quantity(100...20_000)
            result = (.pods(metric: MetricIdentifier(name: "qps"), target: .averageValue(target)), podValues(pods, target.milliValue))
        case 4:
            let count = random.int(in: 1...3)
            if random.bool() {
                let target = quantity(1_000...40_000)
                let values = (0..<count).map { _ in Quantity(milli: demand(target.milliValue, scale: 1 / Double(count))) }
                result = (.external(metric: MetricIdentifier(name: "queue"), target: .value(target)), .values(values))
            } else {
                let target = quantity(500...10_000)
                let values = (0..<count).map { _ in Quantity(milli: demand(target.milliValue, scale: replicas / Double(count))) }
                result = (.external(metric: MetricIdentifier(name: "queue"), target: .averageValue(target)), .values(values))
            }
        case 5:
            let described = CrossVersionObjectReference(kind: "Service", name: "front")
            if random.bool() {
                let target = quantity(1_000...40_000)
                result = (.object(describedObject: described, metric: MetricIdentifier(name: "rps"), target: .value(target)),
                          .value(Quantity(milli: demand(target.milliValue))))
            } else {
                let target = quantity(500...10_000)
                result = (.object(describedObject: described, metric: MetricIdentifier(name: "rps"), target: .averageValue(target)),
                          .value(Quantity(milli: demand(target.milliValue, scale: replicas))))
            }
        default:
            if random.chance(0.2) {
                result = (.unknown(type: "Bogus"), .error("unknown"))
            } else {
                let percent = random.int32(in: 10...100)
                result = (.resource(name: "cpu", target: .utilization(percent)), podValues(pods, 500 * Int64(percent) / 100))
            }
        }
        return failed ? (result.0, .error("the metrics API timed out")) : result
    }

    /// Scale-down policies lean small so that they bind often enough to test.
    private mutating func rules(down: Bool) -> HPAScalingRules? {
        if random.chance(0.3) { return nil }
        var policies: [HPAScalingPolicy]?
        if random.chance(0.7) {
            policies = (0..<random.int(in: 1...3)).map { _ in
                random.bool()
                    ? HPAScalingPolicy(type: .pods, value: random.int32(in: 1...(down ? 3 : 6)), periodSeconds: random.int32(in: 1...120))
                    : HPAScalingPolicy(type: .percent, value: random.int32(in: down ? 5...110 : 1...200), periodSeconds: random.int32(in: 1...120))
            }
        }
        return HPAScalingRules(
            stabilizationWindowSeconds: random.chance(0.3) ? nil : random.int32(in: 0...600),
            selectPolicy: random.chance(0.3) ? nil : random.pick([.max, .min, .disabled, .max, .min]),
            policies: policies,
            tolerance: random.chance(0.8) ? nil : Quantity(milli: random.pick([0, 50, 100, 200])))
    }

    private mutating func events() -> [ScaleEvent] {
        (0..<random.int(in: 0...4)).map { _ in
            ScaleEvent(timestamp: Self.now - .seconds(Int64(random.int(in: 0...200))), change: random.int32(in: 1...8))
        }
    }
}

/// Independent statements of upstream's rules, written from `horizontal.go` rather than from
/// the Scaler's code.
enum Oracle {
    struct Rules {
        var window: Int32
        var select: ScalingPolicySelect
        var policies: [HPAScalingPolicy]
    }

    /// API defaulting (GenerateHPAScaleUpRules): no window, Max of 4 pods and 100 % per 15 s.
    static func scaleUp(_ behavior: HorizontalPodAutoscalerBehavior) -> Rules {
        Rules(window: behavior.scaleUp?.stabilizationWindowSeconds ?? 0,
              select: behavior.scaleUp?.selectPolicy ?? .max,
              policies: behavior.scaleUp?.policies ?? [HPAScalingPolicy(type: .pods, value: 4, periodSeconds: 15),
                                                        HPAScalingPolicy(type: .percent, value: 100, periodSeconds: 15)])
    }

    /// GenerateHPAScaleDownRules, the window defaulting to the controller's downscale window.
    static func scaleDown(_ behavior: HorizontalPodAutoscalerBehavior, options: ControllerOptions) -> Rules {
        Rules(window: behavior.scaleDown?.stabilizationWindowSeconds ?? Int32(options.downscaleStabilizationWindow.nanoseconds / 1_000_000_000),
              select: behavior.scaleDown?.selectPolicy ?? .max,
              policies: behavior.scaleDown?.policies ?? [HPAScalingPolicy(type: .percent, value: 100, periodSeconds: 15)])
    }

    /// getReplicasChangePerPeriod: events strictly after now - period.
    static func change(in period: Int32, _ events: [ScaleEvent], now: Timestamp) -> Int32 {
        let cutoff = now.nanosecondsSinceEpoch - Int64(period) * 1_000_000_000
        return events.filter { $0.timestamp.nanosecondsSinceEpoch > cutoff }.reduce(0) { $0 + $1.change }
    }

    /// calculateScaleUpLimitWithScalingRules.
    static func scaleUpLimit(current: Int32, history: ScaleHistory, rules: Rules, now: Timestamp) -> Int32 {
        if rules.select == .disabled { return current }
        let proposals = rules.policies.map { policy -> Int32 in
            let periodStart = current - change(in: policy.periodSeconds, history.scaleUpEvents, now: now)
                + change(in: policy.periodSeconds, history.scaleDownEvents, now: now)
            switch policy.type {
            case .pods: return periodStart + policy.value
            case .percent: return Int32((Double(periodStart) * (1 + Double(policy.value) / 100)).rounded(.up))
            }
        }
        return rules.select == .min ? proposals.min()! : proposals.max()!
    }

    /// calculateScaleDownLimitWithBehaviors.
    static func scaleDownLimit(current: Int32, history: ScaleHistory, rules: Rules, now: Timestamp) -> Int32 {
        if rules.select == .disabled { return current }
        let proposals = rules.policies.map { policy -> Int32 in
            let periodStart = current - change(in: policy.periodSeconds, history.scaleUpEvents, now: now)
                + change(in: policy.periodSeconds, history.scaleDownEvents, now: now)
            switch policy.type {
            case .pods: return periodStart - policy.value
            case .percent: return Int32((Double(periodStart) * (1 - Double(policy.value) / 100)).rounded(.towardZero))
            }
        }
        // Min picks the policy that removes the fewest replicas: the highest limit.
        return rules.select == .min ? proposals.max()! : proposals.min()!
    }

    /// The recommendations the controller holds when it stabilizes: the case's, or the seed.
    static func recommendations(_ input: ReconcileCase) -> [TimestampedRecommendation] {
        input.history.recommendations ?? [TimestampedRecommendation(timestamp: input.now, replicas: input.scale.specReplicas)]
    }

    static func isInRange(_ input: ReconcileCase) -> Bool {
        let current = input.scale.specReplicas
        let minimum = input.spec.effectiveMinReplicas
        return !(current == 0 && minimum != 0) && current <= input.spec.maxReplicas && current >= minimum
    }
}

/// Collects property violations; the test reports the count and the first few.
struct Violations {
    private(set) var messages: [String] = []
    private(set) var count = 0

    mutating func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard !condition else { return }
        count += 1
        if messages.count < 5 { messages.append(message()) }
    }

    var summary: String { "\(count) violations; first: \(messages.joined(separator: "\n---\n"))" }
}

@Suite("Properties of reconcile")
struct PropertyTests {
    static let iterations = 3_000

    static func describe(_ seed: UInt64, _ iteration: Int, _ input: ReconcileCase, _ decision: Decision) -> String {
        "seed \(seed) iteration \(iteration): current \(input.scale.specReplicas), min \(input.spec.effectiveMinReplicas), "
            + "max \(input.spec.maxReplicas), behavior \(input.spec.behavior.map { "\($0)" } ?? "nil"), "
            + "history \(input.history)\n\(decision.jsonString())"
    }

    @Test("desiredReplicas stays within [min, max], or takes the out-of-range branch", arguments: [UInt64(1), 2])
    func withinBounds(seed: UInt64) {
        var generator = CaseGenerator(seed: seed)
        var violations = Violations()
        var branches = [String: Int]()
        for iteration in 0..<Self.iterations {
            let input = generator.next()
            let decision = HorizontalController.reconcile(input)
            let current = input.scale.specReplicas
            let minimum = input.spec.effectiveMinReplicas
            let maximum = input.spec.maxReplicas
            let desired = decision.desiredReplicas
            let context = Self.describe(seed, iteration, input, decision)
            if current == 0 && minimum > 0 {
                branches["disabled", default: 0] += 1
                violations.check(desired == 0 && !decision.rescale, "disabled: \(context)")
            } else if current > maximum {
                branches["above", default: 0] += 1
                violations.check(desired == maximum && decision.rescale, "above max: \(context)")
            } else if current < minimum {
                branches["below", default: 0] += 1
                violations.check(desired == minimum && decision.rescale, "below min: \(context)")
            } else {
                branches[decision.recommendation == nil ? "failed" : "metrics", default: 0] += 1
                violations.check(desired >= minimum && desired <= maximum, "in range: \(context)")
                if decision.recommendation == nil {
                    violations.check(desired == current && !decision.rescale, "metrics failed: \(context)")
                }
            }
            violations.check(decision.rescale == (desired != current), "rescale flag: \(context)")
        }
        #expect(violations.count == 0, "\(violations.summary)")
        // The generator must reach every branch, or the property says little.
        for branch in ["disabled", "above", "below", "failed", "metrics"] {
            #expect(branches[branch, default: 0] >= 20, "branch \(branch) reached \(branches[branch, default: 0]) times")
        }
    }

    @Test("on the behavior path the change never exceeds what the policies allow", arguments: [UInt64(3), 4])
    func policyLimits(seed: UInt64) {
        var generator = CaseGenerator(seed: seed)
        var violations = Violations()
        var (ups, downs, limitedUps, limitedDowns) = (0, 0, 0, 0)
        for iteration in 0..<Self.iterations {
            let input = generator.next()
            guard let behavior = input.spec.behavior, Oracle.isInRange(input) else { continue }
            let decision = HorizontalController.reconcile(input)
            guard decision.recommendation != nil else { continue }
            let current = input.scale.specReplicas
            let desired = decision.desiredReplicas
            let context = Self.describe(seed, iteration, input, decision)
            if desired > current {
                ups += 1
                let limit = Oracle.scaleUpLimit(current: current, history: input.history, rules: Oracle.scaleUp(behavior), now: input.now)
                violations.check(desired <= max(limit, current), "scale-up limit \(limit): \(context)")
                if desired == max(limit, current) && desired < input.spec.maxReplicas { limitedUps += 1 }
            } else if desired < current {
                downs += 1
                let limit = Oracle.scaleDownLimit(current: current, history: input.history,
                                                  rules: Oracle.scaleDown(behavior, options: input.options), now: input.now)
                violations.check(desired >= min(limit, current), "scale-down limit \(limit): \(context)")
                if desired == min(limit, current) && desired > input.spec.effectiveMinReplicas { limitedDowns += 1 }
            }
        }
        #expect(violations.count == 0, "\(violations.summary)")
        #expect(ups >= 100 && downs >= 100, "scale-ups \(ups), scale-downs \(downs)")
        #expect(limitedUps >= 10 && limitedDowns >= 10, "ups \(ups) downs \(downs): limit reached on \(limitedUps) scale-ups, \(limitedDowns) scale-downs")
    }

    @Test("stabilization never moves against its window", arguments: [UInt64(5), 6])
    func stabilization(seed: UInt64) {
        var generator = CaseGenerator(seed: seed)
        var violations = Violations()
        var (heldDown, heldUp) = (0, 0)
        for iteration in 0..<Self.iterations {
            let input = generator.next()
            guard Oracle.isInRange(input) else { continue }
            let decision = HorizontalController.reconcile(input)
            guard let proposal = decision.recommendation else { continue }
            let current = input.scale.specReplicas
            let desired = decision.desiredReplicas
            let now = input.now.nanosecondsSinceEpoch
            let recommendations = Oracle.recommendations(input)
            let context = Self.describe(seed, iteration, input, decision)
            if let behavior = input.spec.behavior {
                let downWindow = Int64(Oracle.scaleDown(behavior, options: input.options).window) * 1_000_000_000
                let upWindow = Int64(Oracle.scaleUp(behavior).window) * 1_000_000_000
                // upstream: rec.timestamp.After(cutoff)
                let highest = recommendations.filter { $0.timestamp.nanosecondsSinceEpoch > now - downWindow }
                    .reduce(proposal) { max($0, $1.replicas) }
                let lowest = recommendations.filter { $0.timestamp.nanosecondsSinceEpoch > now - upWindow }
                    .reduce(proposal) { min($0, $1.replicas) }
                violations.check(desired >= min(current, highest), "below the scale-down window's highest \(highest): \(context)")
                violations.check(desired <= max(current, lowest), "above the scale-up window's lowest \(lowest): \(context)")
                // So the count never moves the other way from the proposal.
                if proposal < current { violations.check(desired <= current, "scaled up on a lower proposal: \(context)") }
                if proposal > current { violations.check(desired >= current, "scaled down on a higher proposal: \(context)") }
                if proposal == current { violations.check(desired == current, "moved on a proposal equal to current: \(context)") }
                if proposal < current && desired > proposal && highest > proposal { heldDown += 1 }
                if proposal > current && desired < proposal && lowest < proposal { heldUp += 1 }
            } else {
                // Legacy: the highest recommendation at or after now - window (rec.timestamp.Before(cutoff) drops).
                let window = input.options.downscaleStabilizationWindow.nanoseconds
                let highest = recommendations.filter { $0.timestamp.nanosecondsSinceEpoch >= now - window }
                    .reduce(proposal) { max($0, $1.replicas) }
                violations.check(desired >= min(current, highest), "legacy below the window's highest \(highest): \(context)")
                if proposal < current && desired > proposal && highest > proposal { heldDown += 1 }
            }
        }
        #expect(violations.count == 0, "\(violations.summary)")
        #expect(heldDown >= 50 && heldUp >= 20, "stabilization held a scale-down \(heldDown) times, a scale-up \(heldUp) times")
    }

    @Test("evaluating is deterministic and pure", arguments: [UInt64(7)])
    func deterministic(seed: UInt64) {
        var generator = CaseGenerator(seed: seed)
        var violations = Violations()
        var previous: (ReconcileCase, String)?
        for iteration in 0..<Self.iterations {
            let input = generator.next()
            let copy = input
            let first = HorizontalController.reconcile(input).jsonString()
            let second = HorizontalController.reconcile(input).jsonString()
            violations.check(first == second, "seed \(seed) iteration \(iteration): two evaluations differ\n\(first)\n\(second)")
            // The input is left as it was.
            violations.check(copy.history == input.history && copy.scale == input.scale && copy.spec == input.spec,
                             "seed \(seed) iteration \(iteration): the input changed")
            // No state carries over from one case to the next.
            if let (earlier, earlierJSON) = previous {
                let again = HorizontalController.reconcile(earlier).jsonString()
                violations.check(again == earlierJSON, "seed \(seed) iteration \(iteration): the previous case now evaluates differently")
            }
            previous = (input, first)
        }
        #expect(violations.count == 0, "\(violations.summary)")
    }

    @Test("the output history holds the new recommendation and grows by at most one", arguments: [UInt64(8), 9])
    func history(seed: UInt64) {
        var generator = CaseGenerator(seed: seed)
        var violations = Violations()
        var replaced = 0
        for iteration in 0..<Self.iterations {
            let input = generator.next()
            let decision = HorizontalController.reconcile(input)
            let context = Self.describe(seed, iteration, input, decision)
            let inputCount = Oracle.recommendations(input).count  // absent history counts its seed
            guard let output = decision.history.recommendations else {
                violations.check(false, "no recommendations in the output history: \(context)")
                continue
            }
            violations.check(output.count <= inputCount + 1, "history grew from \(inputCount) to \(output.count): \(context)")
            if let proposal = decision.recommendation {
                let newest = TimestampedRecommendation(timestamp: input.now, replicas: proposal)
                violations.check(output.contains(newest), "no (\(input.now), \(proposal)) in the output: \(context)")
                if output.count == inputCount { replaced += 1 }
            } else {
                // No proposal: the history is the input's (with its seed) unchanged.
                violations.check(output == Oracle.recommendations(input), "history changed without a proposal: \(context)")
            }
            if input.history.recommendations == nil {
                let seed = TimestampedRecommendation(timestamp: input.now, replicas: input.scale.specReplicas)
                violations.check(output.first == seed, "first sight does not seed (current, now): \(context)")
            }

            // Scale events: only the behavior path records them, one per rescale.
            let current = input.scale.specReplicas
            let desired = decision.desiredReplicas
            let ups = decision.history.scaleUpEvents, downs = decision.history.scaleDownEvents
            if input.spec.behavior == nil || !decision.rescale {
                violations.check(ups == input.history.scaleUpEvents && downs == input.history.scaleDownEvents,
                                 "events changed without a behavior rescale: \(context)")
            } else if desired > current {
                violations.check(ups.contains(ScaleEvent(timestamp: input.now, change: desired - current))
                                 && ups.count <= input.history.scaleUpEvents.count + 1
                                 && downs == input.history.scaleDownEvents, "scale-up event: \(context)")
            } else {
                violations.check(downs.contains(ScaleEvent(timestamp: input.now, change: current - desired))
                                 && downs.count <= input.history.scaleDownEvents.count + 1
                                 && ups == input.history.scaleUpEvents, "scale-down event: \(context)")
            }
        }
        #expect(violations.count == 0, "\(violations.summary)")
        #expect(replaced >= 20, "an old recommendation was replaced only \(replaced) times")
    }
}
