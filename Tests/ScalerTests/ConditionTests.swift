import Scaler
import Testing

@Suite("Conditions carried from the previous status")
struct ConditionTests {
    static func decide(previous: String) throws -> Decision {
        let text = """
            {"now": "2026-11-20T12:00:00Z",
             "hpa": {"spec": {"maxReplicas": 10, "metrics": [{"type": "External", "external": {"metric": {"name": "q"}, "target": {"type": "AverageValue", "averageValue": "1"}}}]},
                     "status": {"conditions": \(previous)}},
             "scale": {"specReplicas": 2},
             "metrics": [{"values": ["2"]}]}
            """
        return HorizontalController.reconcile(try ReconcileCase(json: text))
    }

    @Test("the order of a previous status is kept and new types are appended")
    func orderKept() throws {
        let decision = try Self.decide(previous: """
            [{"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas", "lastTransitionTime": "2026-11-20T11:00:00Z"},
             {"type": "Example", "status": "Unknown", "reason": "Kept"}]
            """)
        #expect(decision.conditions.map(\.type.rawValue) == ["ScalingLimited", "Example", "AbleToScale", "ScalingActive"])
        // ScalingLimited went True -> False: its transition time moves to now.
        #expect(decision.conditions[0].status == .false)
        #expect(decision.conditions[0].lastTransitionTime == Timestamp(rfc3339: "2026-11-20T12:00:00Z"))
        // A type the controller does not set survives untouched, Unknown status included.
        #expect(decision.conditions[1].status == .unknown)
        #expect(decision.conditions[1].reason == "Kept")
    }

    @Test("an unchanged status keeps its transition time")
    func transitionTimeKept() throws {
        let decision = try Self.decide(previous: """
            [{"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale", "lastTransitionTime": "2026-11-20T10:00:00Z"}]
            """)
        #expect(decision.conditions[0].type == .ableToScale)
        #expect(decision.conditions[0].lastTransitionTime == Timestamp(rfc3339: "2026-11-20T10:00:00Z"))
    }

    @Test("a condition status other than True, False or Unknown is malformed")
    func badStatus() {
        #expect(throws: CaseError.self) { try Self.decide(previous: #"[{"type": "AbleToScale", "status": "yes"}]"#) }
    }
}
