import Scaler
import Testing

/// One step into a JSON tree: an object key or an array index.
enum PathStep: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, CustomStringConvertible {
    case key(String)
    case index(Int)

    init(stringLiteral value: String) { self = .key(value) }
    init(integerLiteral value: Int) { self = .index(value) }

    var description: String {
        switch self {
        case .key(let key): return key
        case .index(let index): return "[\(index)]"
        }
    }
}

extension JSONValue {
    /// Sets (or, with nil, removes) the value at `path`.
    mutating func set(_ path: [PathStep], to newValue: JSONValue?) {
        guard let first = path.first else {
            if let newValue { self = newValue }
            return
        }
        let rest = Array(path.dropFirst())
        switch (self, first) {
        case (.object(var object), .key(let key)):
            if rest.isEmpty {
                object[key] = newValue
            } else {
                var child = object[key] ?? .object(JSONObject())
                child.set(rest, to: newValue)
                object[key] = child
            }
            self = .object(object)
        case (.array(var elements), .index(let index)):
            if rest.isEmpty {
                if let newValue {
                    if index < elements.count { elements[index] = newValue } else { elements.append(newValue) }
                } else {
                    elements.remove(at: index)
                }
            } else {
                elements[index].set(rest, to: newValue)
            }
            self = .array(elements)
        default:
            preconditionFailure("cannot follow \(first) into \(typeName)")
        }
    }

    func setting(_ path: [PathStep], to newValue: JSONValue?) -> JSONValue {
        var copy = self
        copy.set(path, to: newValue)
        return copy
    }
}

func json(_ text: String) -> JSONValue {
    do {
        return try JSONParser.parse(text)
    } catch {
        preconditionFailure("test JSON is malformed: \(error)")
    }
}

/// The error a case produces, or nil when it reads.
func caseError(_ value: JSONValue) -> CaseError? {
    do {
        _ = try ReconcileCase(jsonValue: value)
        return nil
    } catch {
        return error
    }
}

/// Reconcile cases written for these tests.
enum Cases {
    /// Two pods at their targets (cpu 50 % of 500m, qps 10): the decision keeps 2 replicas.
    static let base = json("""
        {
          "now": "2026-11-20T12:00:00Z",
          "hpa": {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
              "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
              "minReplicas": 1,
              "maxReplicas": 10,
              "metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}},
                {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}}}
              ]
            }
          },
          "scale": {"specReplicas": 2, "statusReplicas": 2},
          "pods": [
            {"name": "web-0", "phase": "Running", "ready": true, "startTime": "2026-11-20T11:00:00Z",
             "readyTransitionTime": "2026-11-20T11:00:10Z", "containers": [{"name": "app", "requests": {"cpu": "500m"}}]},
            {"name": "web-1", "phase": "Running", "ready": true, "startTime": "2026-11-20T11:00:00Z",
             "readyTransitionTime": "2026-11-20T11:00:10Z", "containers": [{"name": "app", "requests": {"cpu": "500m"}}]}
          ],
          "metrics": [
            {"podValues": {"web-0": {"value": "250m", "timestamp": "2026-11-20T11:59:50Z", "window": "60s"}, "web-1": {"value": "250m"}}},
            {"podValues": {"web-0": {"value": "10"}, "web-1": {"value": "10"}}}
          ]
        }
        """)

    /// `current` ready pods, one Pods metric (target `target`) where each pod reports `value`.
    static func pods(current: Int, value: String, target: String = "1", minReplicas: Int = 1, maxReplicas: Int = 20,
                     behavior: String? = nil, history: String? = nil) -> JSONValue {
        let pods = (0..<current).map { #"{"name": "p-\#($0)", "ready": true}"# }.joined(separator: ", ")
        let values = (0..<current).map { #""p-\#($0)": {"value": "\#(value)"}"# }.joined(separator: ", ")
        return json("""
            {
              "now": "2026-11-20T12:00:00Z",
              "hpa": {"spec": {
                "minReplicas": \(minReplicas), "maxReplicas": \(maxReplicas),
                "metrics": [{"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "\(target)"}}}]
                \(behavior.map { #", "behavior": \#($0)"# } ?? "")
              }},
              "scale": {"specReplicas": \(current)},
              "pods": [\(pods)],
              "metrics": [{"podValues": {\(values)}}]
              \(history.map { #", "history": \#($0)"# } ?? "")
            }
            """)
    }
}

@Suite("Malformed cases name the field")
struct CaseErrorTests {
    @Test("the base case reads and keeps its replicas")
    func baseReads() throws {
        let reconcileCase = try ReconcileCase(jsonValue: Cases.base)
        let decision = HorizontalController.reconcile(reconcileCase)
        #expect(decision.desiredReplicas == 2)
        #expect(decision.rescale == false)
        #expect(decision.recommendation == 2)
    }

    @Test("errors", arguments: [
        // Required fields.
        (["now"], nil, "now: is required"),
        (["hpa"], nil, "hpa: is required"),
        (["scale"], nil, "scale: is required"),
        (["hpa", "spec", "maxReplicas"], nil, "hpa.spec.maxReplicas: is required"),
        (["scale", "specReplicas"], nil, "scale.specReplicas: is required"),
        (["now"], .null, "now: is required"),
        (["pods", 0, "name"], nil, "pods[0].name: is required"),
        (["metrics", 0, "podValues", "web-0", "value"], nil, "metrics[0].podValues.web-0.value: is required"),
        (["hpa", "spec", "metrics", 0, "type"], nil, "hpa.spec.metrics[0].type: is required"),
        (["hpa", "spec", "metrics", 0, "resource", "target"], nil, "hpa.spec.metrics[0].resource.target: is required"),
        // Quantities, timestamps, durations.
        (["metrics", 1, "podValues", "web-0", "value"], .string("12x"), #"metrics[1].podValues.web-0.value: "12x" is not a quantity"#),
        (["metrics", 0, "podValues", "web-1", "value"], .string("1Kb"), #"metrics[0].podValues.web-1.value: "1Kb" is not a quantity"#),
        (["pods", 1, "containers", 0, "requests", "cpu"], .string("lots"), #"pods[1].containers[0].requests.cpu: "lots" is not a quantity"#),
        (["hpa", "spec", "metrics", 1, "pods", "target", "averageValue"], .bool(true),
         #"hpa.spec.metrics[1].pods.target.averageValue: expected a quantity such as "500m" or 2.5, found a boolean"#),
        (["now"], .string("2026-02-30T00:00:00Z"), #"now: "2026-02-30T00:00:00Z" is not an RFC 3339 timestamp (like 2026-11-20T12:00:00Z)"#),
        (["pods", 0, "startTime"], .string("yesterday"), #"pods[0].startTime: "yesterday" is not an RFC 3339 timestamp (like 2026-11-20T12:00:00Z)"#),
        (["metrics", 0, "podValues", "web-0", "window"], .string("5x"), #"metrics[0].podValues.web-0.window: "5x" is not a duration (like "60s" or "1m30s")"#),
        // Unknown fields suggest the nearest known one.
        (["metric"], .array([]), #"metric: unknown field (did you mean "metrics"?)"#),
        (["scale", "specReplica"], .number("2"), #"scale.specReplica: unknown field (did you mean "specReplicas"?)"#),
        (["pods", 0, "redy"], .bool(true), #"pods[0].redy: unknown field (did you mean "ready"?)"#),
        (["history"], json(#"{"recomendations": []}"#), #"history.recomendations: unknown field (did you mean "recommendations"?)"#),
        (["controller"], json(#"{"tolerence": 0.2}"#), #"controller.tolerence: unknown field (did you mean "tolerance"?)"#),
        (["hpa", "spec", "behavior"], json(#"{"scaleup": {}}"#), #"hpa.spec.behavior.scaleup: unknown field (did you mean "scaleUp"?)"#),
        (["zzzzzzzzzz"], .null, "zzzzzzzzzz: unknown field (known fields: now, hpa, scale, pods, metrics, history, controller)"),
        // Wrong types.
        (["now"], .bool(true), "now: expected an RFC 3339 timestamp, found a boolean"),
        (["hpa"], .string("web"), "hpa: expected an object, found a string"),
        (["scale", "specReplicas"], .string("2"), "scale.specReplicas: expected an integer, found a string"),
        (["scale", "specReplicas"], .number("2.5"), "scale.specReplicas: 2.5 is not a 32-bit integer"),
        (["scale", "specReplicas"], .number("3000000000"), "scale.specReplicas: 3000000000 is not a 32-bit integer"),
        (["pods"], json("{}"), "pods: expected an array, found an object"),
        (["pods", 0, "ready"], .string("yes"), "pods[0].ready: expected true or false, found a string"),
        (["pods", 0, "phase"], .string("Sleeping"), #"pods[0].phase: "Sleeping" is not a pod phase (Pending, Running, Succeeded, Failed or Unknown)"#),
        (["metrics"], .string("none"), "metrics: expected an array, found a string"),
        (["metrics", 0], .array([]), "metrics[0]: expected an object, found an array"),
        (["hpa", "spec", "maxReplicas"], .string("10"), "hpa.spec.maxReplicas: expected an integer, found a string"),
        // Duplicates and counts.
        (["pods", 1, "name"], .string("web-0"), #"pods[1].name: "web-0" appears twice; pod names are unique"#),
        (["metrics", 2], json(#"{"values": ["1"]}"#),
         "metrics: has 3 entries but hpa.spec.metrics has 2; metrics[i] is what was observed for spec.metrics[i]"),
        (["metrics", 1], json(#"{"value": "1", "values": ["1"]}"#),
         "metrics[1]: holds value and values; an observation holds exactly one of podValues, value, values or error"),
        // Behavior.
        (["hpa", "spec", "behavior"], json(#"{"scaleUp": {"selectPolicy": "Maximum"}}"#),
         #"hpa.spec.behavior.scaleUp.selectPolicy: "Maximum" is not a selectPolicy (Max, Min or Disabled)"#),
        (["hpa", "spec", "behavior"], json(#"{"scaleDown": {"policies": []}}"#), "hpa.spec.behavior.scaleDown.policies: must hold at least one policy"),
        (["hpa", "spec", "behavior"], json(#"{"scaleDown": {"policies": [{"type": "Pods", "value": 0, "periodSeconds": 60}]}}"#),
         "hpa.spec.behavior.scaleDown.policies[0].value: must be greater than 0, found 0"),
        (["hpa", "spec", "behavior"], json(#"{"scaleUp": {"policies": [{"type": "Pods", "value": 1, "periodSeconds": 1801}]}}"#),
         "hpa.spec.behavior.scaleUp.policies[0].periodSeconds: must be between 1 and 1800, found 1801"),
        (["hpa", "spec", "behavior"], json(#"{"scaleUp": {"policies": [{"type": "Replicas", "value": 1, "periodSeconds": 15}]}}"#),
         #"hpa.spec.behavior.scaleUp.policies[0].type: "Replicas" is not a policy type (Pods or Percent)"#),
        (["hpa", "spec", "behavior"], json(#"{"scaleDown": {"stabilizationWindowSeconds": 3601}}"#),
         "hpa.spec.behavior.scaleDown.stabilizationWindowSeconds: must be at most 3600 (one hour), found 3601"),
        // Negative and inconsistent replica counts.
        (["scale", "specReplicas"], .number("-1"), "scale.specReplicas: must not be negative, found -1"),
        (["scale", "statusReplicas"], .number("-2"), "scale.statusReplicas: must not be negative, found -2"),
        (["hpa", "spec", "minReplicas"], .number("-1"), "hpa.spec.minReplicas: must not be negative, found -1"),
        (["hpa", "spec", "minReplicas"], .number("11"), "hpa.spec.minReplicas: 11 is greater than maxReplicas 10"),
        (["hpa", "spec", "maxReplicas"], .number("0"), "hpa.spec.maxReplicas: must be at least 1, found 0"),
        (["history"], json(#"{"recommendations": [{"timestamp": "2026-11-20T11:59:00Z", "replicas": -3}]}"#),
         "history.recommendations[0].replicas: must not be negative, found -3"),
        (["history"], json(#"{"scaleUpEvents": [{"timestamp": "2026-11-20T11:59:00Z", "change": -1}]}"#),
         "history.scaleUpEvents[0].change: must not be negative, found -1"),
        (["controller"], json(#"{"tolerance": -0.1}"#), "controller.tolerance: must not be negative"),
        // The HPA object.
        (["hpa", "kind"], .string("Deployment"), #"hpa.kind: "Deployment" is not HorizontalPodAutoscaler"#),
        (["hpa", "apiVersion"], .string("apps/v1"), #"hpa.apiVersion: "apps/v1" is not an autoscaling API version (expected autoscaling/v2)"#),
    ] as [([PathStep], JSONValue?, String)])
    func error(_ path: [PathStep], _ value: JSONValue?, _ message: String) {
        let error = caseError(Cases.base.setting(path, to: value))
        #expect(error?.description == message)
    }

    @Test("the error's path and message are separate")
    func pathAndMessage() {
        let error = caseError(Cases.base.setting(["metrics", 1, "podValues", "web-0", "value"], to: .string("12x")))
        #expect(error?.path == "metrics[1].podValues.web-0.value")
        #expect(error?.message == #""12x" is not a quantity"#)
    }

    @Test("a bare spec is accepted and its fields are named from hpa")
    func bareSpec() throws {
        guard let spec = Cases.base["hpa"]?["spec"] else {
            Issue.record("base case has no spec")
            return
        }
        let bare = Cases.base.setting(["hpa"], to: spec)
        let decision = HorizontalController.reconcile(try ReconcileCase(jsonValue: bare))
        #expect(decision.desiredReplicas == 2)
        #expect(caseError(bare.setting(["hpa", "maxReplicas"], to: nil))?.description == "hpa.maxReplicas: is required")
    }

    @Test("malformed JSON reports line and column")
    func malformedJSON() {
        let text = "{\n  \"now\": \"2026-11-20T12:00:00Z\",\n  \"hpa\" {}\n}"
        do {
            _ = try ReconcileCase(json: text)
            Issue.record("malformed JSON was read")
        } catch {
            #expect(error.description == "malformed JSON at line 3, column 9: expected ':'")
        }
        do {
            _ = try ReconcileCase(json: "{\"now\": \"2026-11-20T12:00:00Z\"} trailing")
            Issue.record("trailing garbage was read")
        } catch {
            #expect(error.description == "malformed JSON at line 1, column 33: expected end of input")
        }
    }

    @Test("fields of the HPA object that the algorithm does not read are ignored")
    func kubectlFieldsIgnored() throws {
        var value = Cases.base
        value.set(["hpa", "metadata", "uid"], to: .string("1234"))
        value.set(["hpa", "metadata", "annotations"], to: json(#"{"a": "b"}"#))
        value.set(["hpa", "status"], to: json(#"{"currentReplicas": 2, "desiredReplicas": 2, "conditions": []}"#))
        value.set(["hpa", "spec", "scaleTargetRef", "extra"], to: .bool(true))
        let decision = HorizontalController.reconcile(try ReconcileCase(jsonValue: value))
        #expect(decision.desiredReplicas == 2)
    }

    // MARK: Not errors

    @Test("an unknown metric type is an invalid metric, not a malformed case")
    func unknownMetricType() throws {
        let only = Cases.base
            .setting(["hpa", "spec", "metrics"], to: json(#"[{"type": "Telepathy", "telepathy": {"mood": "busy"}}]"#))
            .setting(["metrics"], to: json("[]"))
        let reconcileCase = try ReconcileCase(jsonValue: only)
        #expect(reconcileCase.spec.metrics == [.unknown(type: "Telepathy")])
        let decision = HorizontalController.reconcile(reconcileCase)
        #expect(decision.desiredReplicas == 2)
        #expect(decision.rescale == false)
        let scalingActive = decision.conditions.first { $0.type == .scalingActive }
        #expect(scalingActive?.status == false)
        #expect(scalingActive?.reason == "InvalidMetricSourceType")
        #expect(decision.recommendation == nil)

        // Beside a valid metric: it does not stop a scale-up (cpu at 100 % of a 50 % target)...
        let beside = Cases.base
            .setting(["hpa", "spec", "metrics", 1], to: json(#"{"type": "Telepathy"}"#))
            .setting(["metrics", 1], to: nil)
            .setting(["metrics", 0, "podValues", "web-0", "value"], to: .string("500m"))
            .setting(["metrics", 0, "podValues", "web-1", "value"], to: .string("500m"))
        let up = HorizontalController.reconcile(try ReconcileCase(jsonValue: beside))
        #expect(up.desiredReplicas == 4)
        #expect(up.conditions.first { $0.type == .scalingActive }?.reason == "ValidMetricFound")
        // ...but it blocks a scale-down (cpu at 10 %).
        let low = beside
            .setting(["metrics", 0, "podValues", "web-0", "value"], to: .string("50m"))
            .setting(["metrics", 0, "podValues", "web-1", "value"], to: .string("50m"))
        let down = HorizontalController.reconcile(try ReconcileCase(jsonValue: low))
        #expect(down.desiredReplicas == 2)
        #expect(down.rescale == false)
        #expect(down.conditions.first { $0.type == .scalingActive }?.reason == "InvalidMetricSourceType")
    }

    @Test("\"behavior\": {} takes the behavior path; absent or null takes the legacy path")
    func emptyBehavior() throws {
        // One pod at 10x its target wants 10 replicas.
        func desired(_ behavior: String?) throws -> Int32 {
            let value = Cases.pods(current: 1, value: "10", target: "1", behavior: behavior)
            let decision = HorizontalController.reconcile(try ReconcileCase(jsonValue: value))
            #expect(decision.recommendation == 10)
            return decision.desiredReplicas
        }
        // Legacy: max(2 * 1, 4) = 4.
        #expect(try desired(nil) == 4)
        #expect(try desired("null") == 4)
        // Behavior defaults: Max of (1 + 4 pods, 1 * 200 %) = 5.
        #expect(try desired("{}") == 5)
        #expect(try desired(#"{"scaleDown": {"stabilizationWindowSeconds": 60}}"#) == 5)
        #expect(try desired(#"{"scaleUp": {"selectPolicy": "Disabled"}}"#) == 1)
        let reconcileCase = try ReconcileCase(jsonValue: Cases.pods(current: 1, value: "10", behavior: "{}"))
        #expect(reconcileCase.spec.behavior == HorizontalPodAutoscalerBehavior())
        let legacy = try ReconcileCase(jsonValue: Cases.pods(current: 1, value: "10", behavior: "null"))
        #expect(legacy.spec.behavior == nil)
    }

    @Test("history.recommendations: absent or null seeds the current count, [] is an empty history")
    func recommendationsPresence() throws {
        // Five pods at 2 against a target of 10 propose 1 replica; the legacy window is 300 s.
        let now = Timestamp(rfc3339: "2026-11-20T12:00:00Z")!
        func decide(_ history: String?) throws -> Decision {
            let value = Cases.pods(current: 5, value: "2", target: "10", history: history)
            let reconcileCase = try ReconcileCase(jsonValue: value)
            return HorizontalController.reconcile(reconcileCase)
        }
        for history in [nil, "{}", #"{"recommendations": null}"#, "null"] {
            let decision = try decide(history)
            #expect(decision.recommendation == 1, "history \(history ?? "absent")")
            #expect(decision.desiredReplicas == 5, "history \(history ?? "absent"): the seed (5, now) holds the scale-down")
            #expect(decision.rescale == false)
            #expect(decision.conditions.first { $0.type == .ableToScale }?.reason == "ScaleDownStabilized")
            #expect(decision.history.recommendations == [
                TimestampedRecommendation(timestamp: now, replicas: 5),
                TimestampedRecommendation(timestamp: now, replicas: 1),
            ])
        }
        let empty = try decide(#"{"recommendations": []}"#)
        #expect(empty.desiredReplicas == 1)
        #expect(empty.rescale == true)
        #expect(empty.history.recommendations == [TimestampedRecommendation(timestamp: now, replicas: 1)])

        // The decoded case keeps the difference.
        let absent = try ReconcileCase(jsonValue: Cases.pods(current: 5, value: "2", target: "10"))
        #expect(absent.history.recommendations == nil)
        let emptyCase = try ReconcileCase(jsonValue: Cases.pods(current: 5, value: "2", target: "10", history: #"{"recommendations": []}"#))
        #expect(emptyCase.history.recommendations == [])
    }

    @Test("an outcome's history feeds the next case")
    func historyRoundTrip() throws {
        let first = HorizontalController.reconcile(try ReconcileCase(jsonValue: Cases.pods(current: 1, value: "10", behavior: "{}")))
        let output = try JSONParser.parse(first.jsonString())
        guard let history = output["history"] else {
            Issue.record("no history in \(first.jsonString())")
            return
        }
        let next = try ReconcileCase(jsonValue: Cases.pods(current: 5, value: "10", behavior: "{}").setting(["history"], to: history))
        #expect(next.history == first.history)
    }
}
