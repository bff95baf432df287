/// The scale history a reconcile leaves (`Decision.history`): the case's history and this
/// reconcile's writes. Upstream edits its in-memory lists in place; a reconcile writes at most
/// one entry to each list, so a decision keeps the case's arrays and those writes, and copies
/// no history array. `history` applies the writes when asked; the JSON writer writes them as
/// it goes.
struct EditedHistory: Sendable {
    var recommendations: EditedEntries<TimestampedRecommendation>
    var scaleUpEvents: EditedEntries<ScaleEvent>
    var scaleDownEvents: EditedEntries<ScaleEvent>

    /// With upstream's `recordInitialRecommendation`: a history that never saw this HPA starts
    /// with `initial`, (currentReplicas, now).
    init(_ history: ScaleHistory, initial: TimestampedRecommendation) {
        recommendations = EditedEntries(history.recommendations ?? [initial])
        scaleUpEvents = EditedEntries(history.scaleUpEvents)
        scaleDownEvents = EditedEntries(history.scaleDownEvents)
    }

    var history: ScaleHistory {
        ScaleHistory(recommendations: recommendations.entries, scaleUpEvents: scaleUpEvents.entries,
                     scaleDownEvents: scaleDownEvents.entries)
    }
}

/// One list of history entries after a reconcile: the case's entries, with at most one entry
/// written over a slot or appended.
///
/// Invariant: `written.position <= base.count`; equal means appended.
struct EditedEntries<Entry: Sendable>: Sendable {
    /// The entries as the case gave them (what the reconcile reads).
    let base: [Entry]
    private(set) var written: (position: Int, entry: Entry)?

    init(_ base: [Entry]) {
        self.base = base
    }

    /// Writes `entry` over the entry at `position`, or appends it when `position` is nil.
    mutating func write(_ entry: Entry, replacing position: Int?) {
        precondition(written == nil, "a reconcile writes each history list once")
        precondition(position.map { base.indices.contains($0) } ?? true, "a written entry replaces an existing one")
        written = (position ?? base.count, entry)
    }

    var entries: [Entry] {
        guard let written else { return base }
        var entries = base
        if written.position < entries.count {
            entries[written.position] = written.entry
        } else {
            entries.append(written.entry)
        }
        return entries
    }

    /// Calls `body` with each of `entries` in order, without building the array.
    func forEach(_ body: (Entry) -> Void) {
        guard let written else {
            for entry in base { body(entry) }
            return
        }
        for (position, entry) in base.enumerated() {
            body(position == written.position ? written.entry : entry)
        }
        if written.position == base.count { body(written.entry) }
    }
}
