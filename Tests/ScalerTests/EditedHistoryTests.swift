@testable import Scaler
import Testing

/// A decision keeps the case's history lists and its one write to each; these check that
/// reading them back (as arrays, entry by entry, or as JSON) gives what editing a copy gives.
@Suite("Edited history")
struct EditedHistoryTests {
    static func event(_ second: Int64, _ change: Int32) -> ScaleEvent {
        ScaleEvent(timestamp: Timestamp(secondsSinceEpoch: 1_790_000_000 + second), change: change)
    }

    /// What upstream does to its slice: overwrite the slot, or append.
    static func expected(_ base: [ScaleEvent], _ entry: ScaleEvent, replacing position: Int?) -> [ScaleEvent] {
        var copy = base
        if let position { copy[position] = entry } else { copy.append(entry) }
        return copy
    }

    @Test("every write position, on lists of every length up to six")
    func everyPosition() {
        for length in 0...6 {
            let base = (0..<length).map { Self.event(Int64($0) * 15, Int32($0 + 1)) }
            let written = Self.event(600, 9)
            for position in [nil] + base.indices.map(Optional.some) {
                var edited = EditedEntries(base)
                edited.write(written, replacing: position)
                var visited: [ScaleEvent] = []
                edited.forEach { visited.append($0) }
                let want = Self.expected(base, written, replacing: position)
                #expect(edited.entries == want, "length \(length), position \(String(describing: position))")
                #expect(visited == want, "length \(length), position \(String(describing: position))")
                #expect(edited.base == base, "the case's list is left as it was")
            }
            var untouched = EditedEntries(base)
            var visited: [ScaleEvent] = []
            untouched.forEach { visited.append($0) }
            #expect(untouched.entries == base && visited == base)
            untouched.write(written, replacing: nil)
            #expect(untouched.entries.count == length + 1)
        }
    }

    @Test("a history never seen starts with the initial recommendation; a seen one keeps its own")
    func initialRecommendation() {
        let initial = TimestampedRecommendation(timestamp: Timestamp(secondsSinceEpoch: 1_790_000_000), replicas: 3)
        #expect(EditedHistory(ScaleHistory(), initial: initial).history.recommendations == [initial])
        let seen = ScaleHistory(recommendations: [], scaleUpEvents: [Self.event(0, 2)])
        let edited = EditedHistory(seen, initial: initial)
        #expect(edited.history == seen)
    }

    @Test("the JSON written from the edits is the JSON of the edited history")
    func jsonMatches() {
        let recommendations = (0..<5).map {
            TimestampedRecommendation(timestamp: Timestamp(secondsSinceEpoch: 1_790_000_000 + Int64($0) * 30), replicas: Int32($0 + 2))
        }
        let base = ScaleHistory(recommendations: recommendations, scaleUpEvents: [Self.event(10, 2), Self.event(40, 1)],
                                scaleDownEvents: [])
        let now = TimestampedRecommendation(timestamp: Timestamp(secondsSinceEpoch: 1_790_000_900), replicas: 7)
        for recommendationSlot in [nil, 0, 4] {
            for upSlot in [nil, 1] {
                var edited = EditedHistory(base, initial: now)
                edited.recommendations.write(now, replacing: recommendationSlot)
                edited.scaleUpEvents.write(Self.event(900, 3), replacing: upSlot)
                edited.scaleDownEvents.write(Self.event(901, 1), replacing: nil)
                var direct = JSONWriter()
                edited.write(to: &direct)
                var viaArrays = JSONWriter()
                edited.history.write(to: &viaArrays)
                let directText = String(decoding: direct.takeBytes(), as: UTF8.self)
                let viaArraysText = String(decoding: viaArrays.takeBytes(), as: UTF8.self)
                #expect(directText == viaArraysText)
                #expect(directText.contains("\"replicas\":7"))
            }
        }
    }
}
