import Foundation
import Scaler
import Testing

/// Upstream's HPA unit tests, translated into reconcile cases under Fixtures/upstream (see its
/// README). Each scenario runs through the Scaler and is checked against upstream's expectations.
struct UpstreamScenario: Sendable, CustomTestStringConvertible {
    let file: String
    let name: String
    let note: String
    let reconcileCase: JSONValue
    let expect: JSONObject

    var testDescription: String { "\(file): \(name)" }

    static func all() throws -> [UpstreamScenario] {
        guard let directory = Bundle.module.url(forResource: "upstream", withExtension: nil, subdirectory: "Fixtures") else {
            throw FixtureError.missing("Fixtures/upstream")
        }
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        var scenarios: [UpstreamScenario] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            guard case .array(let elements) = try JSONParser.parse(text) else {
                throw FixtureError.malformed("\(file.lastPathComponent) is not a JSON array")
            }
            for element in elements {
                guard case .string(let name)? = element["name"], let reconcileCase = element["case"],
                      case .object(let expect)? = element["expect"]
                else { throw FixtureError.malformed("a scenario in \(file.lastPathComponent) lacks name, case or expect") }
                var note = ""
                if case .string(let text)? = element["note"] { note = text }
                scenarios.append(UpstreamScenario(file: file.lastPathComponent, name: name, note: note,
                                                  reconcileCase: reconcileCase, expect: expect))
            }
        }
        return scenarios
    }
}

enum FixtureError: Error {
    case missing(String)
    case malformed(String)
}

@Suite("Upstream scenarios")
struct UpstreamScenarioTests {
    @Test("every fixture file holds scenarios")
    func fixturesPresent() throws {
        let scenarios = try UpstreamScenario.all()
        #expect(scenarios.count >= 50, "expected the translated upstream scenarios, found \(scenarios.count)")
    }

    @Test(arguments: try UpstreamScenario.all())
    func scenario(_ scenario: UpstreamScenario) throws {
        let input = try ReconcileCase(jsonValue: scenario.reconcileCase)
        let decision = HorizontalController.reconcile(input)
        let actual = try JSONParser.parse(decision.jsonString())
        let context = ("\(scenario.name) — \(scenario.note)\nexplanation: \(decision.explanation.joined(separator: " | "))\nconditions: \(decision.conditions.map { "\($0.type.rawValue)=\($0.statusText)/\($0.reason): \($0.message)" })")

        for entry in scenario.expect.entries {
            let (key, expected) = (entry.key, entry.value)
            switch key {
            case "desiredReplicas", "recommendation", "rescale", "reason", "currentMetrics", "history":
                let mismatch = JSONSubset.mismatch(expected: expected, actual: actual[key] ?? .null, path: key)
                #expect(mismatch == nil, "\(mismatch ?? "")\n\(context)")
            case "conditions", "conditionsSubset":
                guard case .array(let expectedConditions) = expected else { continue }
                let actualTriples = decision.conditions.map { [$0.type.rawValue, $0.statusText, $0.reason] }
                let expectedTriples = expectedConditions.map { condition -> [String] in
                    ["type", "status", "reason"].map { field in
                        if case .string(let text)? = condition[field] { return text }
                        return ""
                    }
                }
                if key == "conditions" {
                    #expect(actualTriples == expectedTriples, "\(context)")
                } else {
                    for triple in expectedTriples {
                        #expect(actualTriples.contains(triple), "missing condition \(triple)\n\(context)")
                    }
                }
            case "scalingActiveFalseReason":
                guard case .string(let reason) = expected else { continue }
                let scalingActive = decision.conditions.first { $0.type == .scalingActive }
                #expect(scalingActive?.status == false && scalingActive?.reason == reason,
                        "ScalingActive is \(scalingActive.map { "\($0.statusText)/\($0.reason)" } ?? "absent")\n\(context)")
            default:
                Issue.record("unknown expectation \"\(key)\" in \(scenario.name)")
            }
        }
    }
}

/// Compares an expected JSON value with an actual one: objects by the expected keys only,
/// arrays element by element (same length), numbers by value.
enum JSONSubset {
    static func mismatch(expected: JSONValue, actual: JSONValue, path: String) -> String? {
        switch (expected, actual) {
        case (.object(let expectedObject), .object(let actualObject)):
            for entry in expectedObject.entries {
                if let problem = mismatch(expected: entry.value, actual: actualObject[entry.key] ?? .null, path: "\(path).\(entry.key)") {
                    return problem
                }
            }
            return nil
        case (.array(let expectedElements), .array(let actualElements)):
            guard expectedElements.count == actualElements.count else {
                return "\(path): expected \(expectedElements.count) elements, found \(actualElements.count): \(render(actual))"
            }
            for (index, pair) in zip(expectedElements, actualElements).enumerated() {
                if let problem = mismatch(expected: pair.0, actual: pair.1, path: "\(path)[\(index)]") { return problem }
            }
            return nil
        case (.number(let expectedText), .number(let actualText)):
            return Double(expectedText) == Double(actualText) ? nil : "\(path): expected \(expectedText), found \(actualText)"
        default:
            return expected == actual ? nil : "\(path): expected \(render(expected)), found \(render(actual))"
        }
    }

    static func render(_ value: JSONValue) -> String {
        var writer = JSONWriter()
        writer.value(value)
        return writer.string
    }
}
