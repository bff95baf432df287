/// Decodes reconcile cases line after line, as `tidepool evaluate --batch` reads them.
///
/// Most lines take a fast path that reads the case straight from its bytes, with no JSON
/// tree in between ([`CaseByteReader`](x-source-tag://CaseByteReader)). That path knows the
/// common shape only; anything else (escapes, non-ASCII text, unknown or repeated keys, any
/// error) sends the line down the tree path, `ReconcileCase(jsonBytes:)`, which is the authority
/// on what a case means and names every error. So both paths answer the same case, or the
/// tree path's error.
///
/// Consecutive lines of a batch often repeat their `hpa` and `pods` byte for byte (one
/// autoscaler and one set of pods asked many what-ifs), so each is decoded once and reused while
/// its bytes repeat, as recordings reuse their pods (`ObservationLineDecoder`).
public struct ReconcileCaseLineDecoder: Sendable {
    private var repeated = RepeatedMembers()

    public init() {}

    public mutating func decode(_ line: UnsafeBufferPointer<UInt8>) throws(CaseError) -> ReconcileCase {
        var reader = CaseByteReader(bytes: line)
        if let reconcileCase = try? reader.readCase(repeated: &repeated) {
            return reconcileCase
        }
        return try ReconcileCase(jsonBytes: line)
    }
}

/// Members decoded from earlier lines, with the exact bytes they were decoded from.
///
/// Invariant: each `value` is the decoding of exactly its `bytes`, a whole JSON value (so the
/// same bytes anywhere are the same value, ending at the same place).
struct RepeatedMembers: Sendable {
    struct Remembered<Value: Sendable>: Sendable {
        var bytes: [UInt8]
        var value: Value
    }

    var hpa: Remembered<DecodedHPA>?
    var pods: Remembered<(pods: [Pod], tables: PodTables, names: PodNameBytes)>?
    /// The request totals for the remembered hpa and pods; dropped whenever either is
    /// decoded anew.
    var requests: [RequestTotals?]?
}

/// The pods' names as the bytes a sample's key holds, one after another: the reader compares a
/// key with its pod's name in place.
struct PodNameBytes: Sendable {
    private(set) var bytes: [UInt8] = []
    /// Where each name ends in `bytes`.
    private var ends: [Int] = []

    init(_ pods: [Pod]) {
        ends.reserveCapacity(pods.count)
        for pod in pods {
            bytes.append(contentsOf: pod.name.utf8)
            ends.append(bytes.count)
        }
    }

    func range(of position: Int) -> Range<Int> {
        (position == 0 ? 0 : ends[position - 1])..<ends[position]
    }
}

/// Pods no two of which share a name, with their names' bytes.
struct PodsNamedApart {
    var pods: [Pod]
    var names: PodNameBytes
}

struct DecodedHPA: Sendable {
    var metadata: ObjectMeta
    var spec: HorizontalPodAutoscalerSpec
    var conditions: [HorizontalPodAutoscalerCondition]
}

/// The fast path: one case read from its bytes in a single pass. It accepts a subset of what
/// `ReconcileCase(jsonValue:)` accepts, decodes it the same way (the same quantity, timestamp
/// and duration parsers on the same bytes, the same defaults), and throws `Unusual` for
/// everything else, including everything the tree path would reject.
/// - Tag: CaseByteReader
struct CaseByteReader: ~Copyable {
    /// Not an error to report: the line needs the tree path.
    struct Unusual: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var timestamps = TimestampMemo()
    /// A sample's timestamp when it gives none: the case's `now` once read (it usually comes
    /// first), else the placeholder resolved after the whole case is read.
    private var sampleTimestampDefault = PodSample.timestampOfNow

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: The case

    mutating func readCase(repeated: inout RepeatedMembers) throws(Unusual) -> ReconcileCase {
        var now: Timestamp?
        // Whether the hpa was read: it is then `repeated.hpa`, read from there (a local copy
        // of it cost a copy and a destroy of the whole spec a line).
        var hpaRead = false
        var scale: Scale?
        var pods: [Pod] = []
        var metrics: [MetricObservation] = []
        var history = ScaleHistory()
        var options = ControllerOptions()
        var seen = KeySet()
        // Whether this case's pods are the remembered ones (the request totals remembered with
        // them are dropped below as soon as the hpa or the pods are decoded anew).
        var podsRemembered = false
        var first = true
        try beginObject()
        while let key = try nextKey(&first) {
            // Null is absent; the required members are checked below.
            let isNull = try skipNull()
            switch key.count {
            case 3 where matches(key, "now"):
                try seen.insert(0)
                if !isNull {
                    let time = try timestamp()
                    now = time
                    sampleTimestampDefault = time
                }
            case 3 where matches(key, "hpa"):
                try seen.insert(1)
                // Required: the tree path names a null one.
                guard !isNull else { throw Unusual() }
                if !skipRepeat(of: repeated.hpa?.bytes) {
                    repeated.requests = nil
                    let start = index
                    // The tree path's own reader: the hpa is small and has many shapes.
                    guard let decoded = try? CaseDecoding.hpa(try treeValue()) else { throw Unusual() }
                    repeated.hpa = .init(bytes: Array(bytes[start..<index]),
                                         value: DecodedHPA(metadata: decoded.0, spec: decoded.1, conditions: decoded.2))
                }
                hpaRead = true
            case 5 where matches(key, "scale"):
                try seen.insert(2)
                if !isNull { scale = try readScale() }
            case 4 where matches(key, "pods"):
                try seen.insert(3)
                guard !isNull else { break }
                if skipRepeat(of: repeated.pods?.bytes) {
                    pods = repeated.pods!.value.pods
                } else {
                    repeated.requests = nil
                    let start = index
                    pods = try readPods()
                    repeated.pods = .init(bytes: Array(bytes[start..<index]), value: (pods, PodTables(pods), PodNameBytes(pods)))
                }
                podsRemembered = true
            case 7 where matches(key, "metrics"):
                try seen.insert(4)
                // Pods named apart, when read before the metrics, let samples in pod order take
                // their names.
                let podsNamedApart = podsRemembered && repeated.pods!.value.tables.namesAreUnique
                    ? PodsNamedApart(pods: pods, names: repeated.pods!.value.names) : nil
                if !isNull { metrics = try readObservations(podsNamedApart: podsNamedApart) }
            case 7 where matches(key, "history"):
                try seen.insert(5)
                if !isNull { history = try readHistory() }
            case 10 where matches(key, "controller"):
                try seen.insert(6)
                if !isNull {
                    guard let decoded = try? CaseDecoding.controllerOptions(try treeValue()) else { throw Unusual() }
                    options = decoded
                }
            default:
                throw Unusual()
            }
        }
        skipWhitespace()
        guard index == bytes.count, let now, hpaRead, let scale, metrics.count <= repeated.hpa!.value.spec.metrics.count else {
            throw Unusual()
        }
        let reconcileCase = ReconcileCase(
            now: now, metadata: repeated.hpa!.value.metadata, spec: repeated.hpa!.value.spec,
            previousConditions: repeated.hpa!.value.conditions, scale: scale, pods: pods,
            podTables: podsRemembered ? repeated.pods!.value.tables : PodTables(pods),
            requests: podsRemembered ? repeated.requests : nil,
            metrics: CaseDecoding.resolvingSampleTimestamps(metrics, now: now), history: history, options: options)
        if podsRemembered { repeated.requests = reconcileCase.prepared.requests }
        return reconcileCase
    }

    // MARK: Members

    private mutating func readScale() throws(Unusual) -> Scale {
        var specReplicas: Int32?
        var statusReplicas: Int32?
        var seen = KeySet()
        var first = true
        try beginObject()
        while let key = try nextKey(&first) {
            if key.count == 12, matches(key, "specReplicas") {
                try seen.insert(0)
                if try !skipNull() { specReplicas = try nonNegativeInt32() }
            } else if key.count == 14, matches(key, "statusReplicas") {
                try seen.insert(1)
                if try !skipNull() { statusReplicas = try nonNegativeInt32() }
            } else {
                throw Unusual()
            }
        }
        guard let specReplicas else { throw Unusual() }
        return Scale(specReplicas: specReplicas, statusReplicas: statusReplicas ?? specReplicas)
    }

    private mutating func readPods() throws(Unusual) -> [Pod] {
        // Growing an array of pods one by one would copy them several times; most lists are short.
        var pods: [Pod] = []
        pods.reserveCapacity(16)
        var first = true
        try beginArray()
        while try nextElement(&first) {
            pods.append(try readPod())
        }
        // Names are unique (the tree path names the repeated one).
        if pods.count <= 16 {
            for position in pods.indices.dropFirst() {
                for earlier in 0..<position where pods[earlier].name == pods[position].name { throw Unusual() }
            }
        } else if Set(pods.lazy.map(\.name)).count != pods.count {
            throw Unusual()
        }
        return pods
    }

    private mutating func readPod() throws(Unusual) -> Pod {
        var name: String?
        var pod = Pod(name: "", ready: nil)
        var seen = KeySet()
        var first = true
        try beginObject()
        while let key = try nextKey(&first) {
            let isNull = try skipNull()
            switch key.count {
            case 4 where matches(key, "name"):
                try seen.insert(0)
                if !isNull { name = try string() }
            case 5 where matches(key, "phase"):
                try seen.insert(1)
                if !isNull { pod.phase = try phase() }
            case 7 where matches(key, "deleted"):
                try seen.insert(2)
                if !isNull { pod.deleted = try bool() }
            case 9 where matches(key, "startTime"):
                try seen.insert(3)
                if !isNull { pod.startTime = try timestamp() }
            case 5 where matches(key, "ready"):
                try seen.insert(4)
                if !isNull { pod.ready = try bool() }
            case 19 where matches(key, "readyTransitionTime"):
                try seen.insert(5)
                if !isNull { pod.readyTransitionTime = try timestamp() }
            case 10 where matches(key, "containers"):
                try seen.insert(6)
                if !isNull { pod.containers = try readContainers() }
            case 14 where matches(key, "initContainers"):
                try seen.insert(7)
                if !isNull { pod.initContainers = try readContainers() }
            default:
                throw Unusual()
            }
        }
        guard let name else { throw Unusual() }
        pod.name = name
        return pod
    }

    private mutating func readContainers() throws(Unusual) -> [Container] {
        var containers: [Container] = []
        var first = true
        try beginArray()
        while try nextElement(&first) {
            var container = Container(name: "")
            var seen = KeySet()
            var firstKey = true
            try beginObject()
            while let key = try nextKey(&firstKey) {
                let isNull = try skipNull()
                if key.count == 4, matches(key, "name") {
                    try seen.insert(0)
                    if !isNull { container.name = try string() }
                } else if key.count == 8, matches(key, "requests") {
                    try seen.insert(1)
                    if !isNull { container.requests = try readRequests() }
                } else if key.count == 13, matches(key, "restartPolicy") {
                    try seen.insert(2)
                    if !isNull { container.restartPolicy = try string() }
                } else {
                    throw Unusual()
                }
            }
            containers.append(container)
        }
        return containers
    }

    private mutating func readRequests() throws(Unusual) -> [String: Int64] {
        // Room for cpu, memory and a little more without growing.
        var requests = [String: Int64](minimumCapacity: 4)
        var first = true
        try beginObject()
        while let key = try nextKey(&first) {
            // A repeated resource keeps its last value, as the tree path's assignment does.
            requests[text(key)] = try quantity().milliValue
        }
        return requests
    }

    private mutating func readObservations(podsNamedApart pods: PodsNamedApart?) throws(Unusual) -> [MetricObservation] {
        var observations: [MetricObservation] = []
        observations.reserveCapacity(4)
        var first = true
        try beginArray()
        while try nextElement(&first) {
            observations.append(try readObservation(podsNamedApart: pods))
        }
        return observations
    }

    private static let nothingObserved = MetricObservation.error("no value was observed for this metric")

    private mutating func readObservation(podsNamedApart pods: PodsNamedApart?) throws(Unusual) -> MetricObservation {
        if try skipNull() { return Self.nothingObserved }
        var observation: MetricObservation?
        var first = true
        try beginObject()
        while let key = try nextKey(&first) {
            // Exactly one member, never null.
            guard observation == nil, try !skipNull() else { throw Unusual() }
            switch key.count {
            case 9 where matches(key, "podValues"): observation = .podValues(try readPodValues(podsNamedApart: pods))
            case 5 where matches(key, "value"): observation = .value(try quantity())
            case 6 where matches(key, "values"): observation = .values(try readQuantities())
            case 5 where matches(key, "error"): observation = .error(try string())
            default: throw Unusual()
            }
        }
        return observation ?? Self.nothingObserved
    }

    private mutating func readQuantities() throws(Unusual) -> [Quantity] {
        var quantities: [Quantity] = []
        var first = true
        try beginArray()
        while try nextElement(&first) {
            quantities.append(try quantity())
        }
        return quantities
    }

    private mutating func readPodValues(podsNamedApart named: PodsNamedApart?) throws(Unusual) -> [PodValue] {
        var samples: [PodValue] = []
        samples.reserveCapacity(named?.pods.count ?? 16)
        // While the samples name the pods in their order, each name is its pod's own String
        // and, the pods being named apart, differs from those before it: nothing to make or
        // search, and the key is compared with the name's bytes where it stands.
        var inPodOrder = named != nil
        var first = true
        try beginObject()
        while true {
            let position = samples.count
            if inPodOrder, let named, position < named.pods.count, skipKey(naming: position, in: named.names, first: first) {
                first = false
                samples.append(PodValue(named.pods[position].name, try readSample()))
                continue
            }
            guard let key = try nextKey(&first) else { break }
            inPodOrder = false
            let pod = text(key)
            // A pod named twice is the tree path's error to report.
            for earlier in samples where earlier.pod == pod { throw Unusual() }
            samples.append(PodValue(pod, try readSample()))
        }
        return samples
    }

    private mutating func readSample() throws(Unusual) -> PodSample {
        if let sample = try usualSample() { return sample }
        var value: Int64?
        var sample = PodSample(milliValue: 0, timestamp: sampleTimestampDefault)
        var seen = KeySet()
        var first = true
        try beginObject()
        while let key = try nextKey(&first) {
            let isNull = try skipNull()
            switch key.count {
            case 5 where matches(key, "value"):
                try seen.insert(0)
                if !isNull { value = try milliValue() }
            case 9 where matches(key, "timestamp"):
                try seen.insert(1)
                if !isNull { sample.timestamp = try timestamp() }
            case 6 where matches(key, "window"):
                try seen.insert(2)
                if !isNull { sample.window = try duration() }
            default:
                throw Unusual()
            }
        }
        guard let value else { throw Unusual() }
        sample.milliValue = value
        return sample
    }

    private mutating func readHistory() throws(Unusual) -> ScaleHistory {
        var history = ScaleHistory()
        var seen = KeySet()
        var first = true
        try beginObject()
        while let key = try nextKey(&first) {
            let isNull = try skipNull()
            switch key.count {
            case 15 where matches(key, "recommendations"):
                try seen.insert(0)
                if !isNull {
                    history.recommendations = try readTimedCounts(countKey: "replicas", Usual.replicas, TimestampedRecommendation.init)
                }
            case 13 where matches(key, "scaleUpEvents"):
                try seen.insert(1)
                if !isNull { history.scaleUpEvents = try readTimedCounts(countKey: "change", Usual.change, ScaleEvent.init) }
            case 15 where matches(key, "scaleDownEvents"):
                try seen.insert(2)
                if !isNull { history.scaleDownEvents = try readTimedCounts(countKey: "change", Usual.change, ScaleEvent.init) }
            default:
                throw Unusual()
            }
        }
        return history
    }

    /// `[{"timestamp": ..., countKey: n}]`, both members required, `n` not negative.
    /// `countMember` is the count's member as the usual entry writes it (`,"<countKey>":`).
    private mutating func readTimedCounts<Entry>(
        countKey: StaticString, _ countMember: BytePattern, _ makeEntry: (Timestamp, Int32) -> Entry
    ) throws(Unusual) -> [Entry] {
        var entries: [Entry] = []
        entries.reserveCapacity(32)
        var first = true
        try beginArray()
        while try nextElement(&first) {
            if let (timestamp, count) = try usualTimedCount(countMember) {
                entries.append(makeEntry(timestamp, count))
                continue
            }
            var timestamp: Timestamp?
            var count: Int32?
            var seen = KeySet()
            var firstKey = true
            try beginObject()
            while let key = try nextKey(&firstKey) {
                if key.count == 9, matches(key, "timestamp") {
                    try seen.insert(0)
                    if try !skipNull() { timestamp = try self.timestamp() }
                } else if key.count == countKey.utf8CodeUnitCount, matches(key, countKey) {
                    try seen.insert(1)
                    if try !skipNull() { count = try nonNegativeInt32() }
                } else {
                    throw Unusual()
                }
            }
            guard let timestamp, let count else { throw Unusual() }
            entries.append(makeEntry(timestamp, count))
        }
        return entries
    }

    /// The usual entry, `{"timestamp":"…","<countKey>":n}` in that order and written compactly,
    /// read without the general member loop; nil, with the reader back where it was, for any
    /// other shape. A value it cannot read is `Unusual`, as the member loop would find it.
    private mutating func usualTimedCount(_ countMember: BytePattern) throws(Unusual) -> (Timestamp, Int32)? {
        try rewinding { (reader) throws(Unusual) in
            guard reader.skip(Usual.timestamp), reader.isAtString else { return nil }
            let timestamp = try reader.timestamp()
            guard reader.skip(countMember), reader.index < reader.bytes.count, reader.isDigit(reader.bytes[reader.index]) else {
                return nil
            }
            let count = try reader.nonNegativeInt32()
            guard reader.skip(UInt8(ascii: "}")) else { return nil }
            return (timestamp, count)
        }
    }

    /// The usual pod sample, `{"value":"…"}` with `"timestamp":"…"` and then `"window":"…"`
    /// after the value when given, written compactly; nil, with the reader back where it was,
    /// for any other shape (nulls, numbers, spaces, another order: the member loop's to read).
    private mutating func usualSample() throws(Unusual) -> PodSample? {
        try rewinding { (reader) throws(Unusual) in
            guard reader.skip(Usual.value), reader.isAtString else { return nil }
            var sample = PodSample(milliValue: try reader.milliValue(), timestamp: reader.sampleTimestampDefault)
            if reader.skip(Usual.sampleTimestamp) {
                guard reader.isAtString else { return nil }
                sample.timestamp = try reader.timestamp()
            }
            if reader.skip(Usual.window) {
                guard reader.isAtString else { return nil }
                sample.window = try reader.duration()
            }
            guard reader.skip(UInt8(ascii: "}")) else { return nil }
            return sample
        }
    }

    /// What `read` reads, or nil with the reader back where it was: the usual shapes give up
    /// at their first unexpected byte and leave the rest to the general loops.
    @inline(__always)
    private mutating func rewinding<Value, Failure: Error>(
        _ read: (inout CaseByteReader) throws(Failure) -> Value?
    ) throws(Failure) -> Value? {
        let start = index
        if let value = try read(&self) { return value }
        index = start
        return nil
    }

    /// The members of the usual shapes, as compact JSON writes them.
    private enum Usual {
        static let timestamp = BytePattern("{\"timestamp\":")
        static let replicas = BytePattern(",\"replicas\":")
        static let change = BytePattern(",\"change\":")
        static let value = BytePattern("{\"value\":")
        static let sampleTimestamp = BytePattern(",\"timestamp\":")
        static let window = BytePattern(",\"window\":")
    }

    /// Steps over `pattern` when the bytes ahead are exactly it.
    @inline(__always)
    private mutating func skip(_ pattern: BytePattern) -> Bool {
        guard pattern.isPrefix(of: bytes, at: index) else { return false }
        index += pattern.count
        return true
    }

    /// Steps over `byte` when it is next.
    @inline(__always)
    private mutating func skip(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Steps over the next key of the open object when it is, written compactly, the name at
    /// `position` in `names` (`"name":`, after a comma unless `first`); false, with the reader
    /// where it was, for anything else. The names were read by this reader, so they hold no
    /// quote or escape: equal bytes are the same key.
    private mutating func skipKey(naming position: Int, in names: PodNameBytes, first: Bool) -> Bool {
        rewinding { reader in
            reader.skipWhitespace()
            guard first || reader.skip(UInt8(ascii: ",")) else { return nil }
            let name = names.range(of: position)
            let start = reader.index
            let end = start + name.count + 3
            guard end <= reader.bytes.count, reader.bytes[start] == UInt8(ascii: "\""),
                  reader.bytes[end - 2] == UInt8(ascii: "\""), reader.bytes[end - 1] == UInt8(ascii: ":"),
                  names.bytes.withUnsafeBufferPointer({ names in
                      UnsafeBufferPointer(rebasing: reader.bytes[(start + 1)..<(end - 2)]).equalBytes(UnsafeBufferPointer(rebasing: names[name]))
                  })
            else { return nil }
            reader.index = end
            return true
        } ?? false
    }

    /// Whether a string starts here.
    private var isAtString: Bool { index < bytes.count && bytes[index] == UInt8(ascii: "\"") }

    // MARK: Scalars

    /// A string's bytes between its quotes: printable ASCII without escapes, else `Unusual`.
    private mutating func stringRange() throws(Unusual) -> Range<Int> {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Unusual() }
        index += 1
        let start = index
        // Eight bytes at a time until one of them is a quote, a backslash, a control character
        // or non-ASCII. The lowest flagged byte is exact, and only a quote ends the string.
        let base = UnsafeRawPointer(bytes.baseAddress!)
        while index + 8 <= bytes.count {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let special = Self.specialBytes(word)
            if special != 0 {
                index += special.trailingZeroBitCount >> 3
                guard bytes[index] == UInt8(ascii: "\"") else { throw Unusual() }
                index += 1
                return start..<(index - 1)
            }
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<(index - 1)
            }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { throw Unusual() }
            index += 1
        }
        throw Unusual()
    }

    /// The high bit of each byte of `word` (little-endian) that is `"`, `\`, below 0x20 or
    /// above 0x7F, by the classic "has a zero byte" and "has a byte less than n" tests (n ≤ 128).
    /// Those tests may also flag a byte above a flagged one (a borrow carries upward), never
    /// below: zero means none, and the lowest flag is exact.
    @inline(__always)
    private static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let quote = zeroBytes(word ^ (ones &* 0x22))
        let backslash = zeroBytes(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs
        return quote | backslash | control | (word & highs)
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    private mutating func string() throws(Unusual) -> String {
        text(try stringRange())
    }

    private mutating func timestamp() throws(Unusual) -> Timestamp {
        // The usual text, twenty bytes between quotes, read without scanning for the closing
        // quote first: what the memo's strict reader accepts holds no quote, escape or
        // control byte.
        if index + 22 <= bytes.count, bytes[index] == UInt8(ascii: "\""), bytes[index + 21] == UInt8(ascii: "\""),
           let timestamp = timestamps.parseWholeSecondsUTC(UnsafeBufferPointer(rebasing: bytes[(index + 1)..<(index + 21)])) {
            index += 22
            return timestamp
        }
        let range = try stringRange()
        guard let timestamp = timestamps.parse(UnsafeBufferPointer(rebasing: bytes[range])) else { throw Unusual() }
        return timestamp
    }

    private mutating func duration() throws(Unusual) -> TimeSpan {
        let range = try stringRange()
        if let seconds = TimeSpan.wholeSeconds(UnsafeBufferPointer(rebasing: bytes[range])) { return .seconds(seconds) }
        guard let span = TimeSpan(goText: text(range)) else { throw Unusual() }
        return span
    }

    /// A quantity string, or a JSON number read as the quantity of its text.
    private mutating func quantity() throws(Unusual) -> Quantity {
        let range = index < bytes.count && bytes[index] == UInt8(ascii: "\"") ? try stringRange() : try numberRange()
        guard let parsed = try? QuantityParser.parse(UnsafeBufferPointer(rebasing: bytes[range])) else { throw Unusual() }
        return Quantity(parsed)
    }

    /// A quantity's milli-value, as `quantity().milliValue`: the usual "<digits>" and
    /// "<digits>m" (up to 15 digits, so nothing overflows) are read directly, anything else by
    /// the quantity parser.
    private mutating func milliValue() throws(Unusual) -> Int64 {
        let quoted = index < bytes.count && bytes[index] == UInt8(ascii: "\"")
        let range = quoted ? try stringRange() : try numberRange()
        var value: Int64 = 0
        var position = range.lowerBound
        while position < range.upperBound, position - range.lowerBound < 16, isDigit(bytes[position]) {
            value = value * 10 + Int64(bytes[position] &- 48)
            position += 1
        }
        let digits = position - range.lowerBound
        if digits > 0 && digits <= 15 {
            if position == range.upperBound { return value * 1000 }
            if quoted && position + 1 == range.upperBound && bytes[position] == UInt8(ascii: "m") { return value }
        }
        guard let parsed = try? QuantityParser.parse(UnsafeBufferPointer(rebasing: bytes[range])) else { throw Unusual() }
        return parsed.milli
    }

    /// A JSON number, by RFC 8259's grammar.
    private mutating func numberRange() throws(Unusual) -> Range<Int> {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw Unusual() }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw Unusual() }
            skipDigits()
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw Unusual() }
            skipDigits()
        }
        return start..<index
    }

    /// An integer in `0...Int32.max` written without fraction or exponent (`Int32(text)` of the
    /// tree path reads nothing else as a non-negative count).
    private mutating func nonNegativeInt32() throws(Unusual) -> Int32 {
        // The usual count: one to nine digits without a leading zero, and nothing after them
        // that continues a number.
        var usual: Int32 = 0
        var position = index
        while position < bytes.count, position - index < 10, isDigit(bytes[position]) {
            usual = usual &* 10 &+ Int32(bytes[position] &- 48)
            position += 1
        }
        let digits = position - index
        if digits > 0, digits < 10, digits == 1 || bytes[index] != UInt8(ascii: "0"),
           position == bytes.count || (bytes[position] != UInt8(ascii: ".") && bytes[position] | 0x20 != UInt8(ascii: "e")) {
            index = position
            return usual
        }
        let range = try numberRange()
        var value: Int64 = 0
        for position in range {
            let digit = bytes[position] &- 48
            guard digit < 10, value <= Int64(Int32.max) else { throw Unusual() }
            value = value * 10 + Int64(digit)
        }
        guard value <= Int64(Int32.max) else { throw Unusual() }
        return Int32(value)
    }

    private mutating func bool() throws(Unusual) -> Bool {
        if try literal("true") { return true }
        if try literal("false") { return false }
        throw Unusual()
    }

    private mutating func phase() throws(Unusual) -> Pod.Phase {
        let range = try stringRange()
        switch range.count {
        case 7 where matches(range, "Running"): return .running
        case 7 where matches(range, "Pending"): return .pending
        case 6 where matches(range, "Failed"): return .failed
        case 9 where matches(range, "Succeeded"): return .succeeded
        case 7 where matches(range, "Unknown"): return .unknown
        default: throw Unusual()
        }
    }

    /// A member this reader leaves to the full parser.
    private mutating func treeValue() throws(Unusual) -> JSONValue {
        guard let value = try? JSONParser.parseValue(in: bytes, at: &index) else { throw Unusual() }
        return value
    }

    /// Moves past `remembered` if the bytes at the reader's position repeat it.
    private mutating func skipRepeat(of remembered: [UInt8]?) -> Bool {
        guard let remembered else { return false }
        let end = index + remembered.count
        guard end <= bytes.count, UnsafeBufferPointer(rebasing: bytes[index..<end]).equalBytes(remembered) else { return false }
        index = end
        return true
    }

    // MARK: Structure

    private mutating func beginObject() throws(Unusual) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw Unusual() }
        index += 1
    }

    private mutating func beginArray() throws(Unusual) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { throw Unusual() }
        index += 1
    }

    /// The next key of the open object (the reader then stands on its value), or nil after the
    /// closing brace.
    private mutating func nextKey(_ first: inout Bool) throws(Unusual) -> Range<Int>? {
        skipWhitespace()
        guard index < bytes.count else { throw Unusual() }
        if bytes[index] == UInt8(ascii: "}") {
            index += 1
            return nil
        }
        if !first {
            guard bytes[index] == UInt8(ascii: ",") else { throw Unusual() }
            index += 1
            skipWhitespace()
        }
        first = false
        let key = try stringRange()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw Unusual() }
        index += 1
        skipWhitespace()
        return key
    }

    /// Whether the open array has another element (the reader then stands on it).
    private mutating func nextElement(_ first: inout Bool) throws(Unusual) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw Unusual() }
        if bytes[index] == UInt8(ascii: "]") {
            index += 1
            return false
        }
        if !first {
            guard bytes[index] == UInt8(ascii: ",") else { throw Unusual() }
            index += 1
            skipWhitespace()
        }
        first = false
        return true
    }

    private mutating func skipNull() throws(Unusual) -> Bool {
        try literal("null")
    }

    /// Consumes `word` if it is next; a word that starts the same way but differs is `Unusual`.
    private mutating func literal(_ word: StaticString) throws(Unusual) -> Bool {
        guard index < bytes.count, bytes[index] == word.utf8Start[0] else { return false }
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count, matches(index..<(index + count), word) else { throw Unusual() }
        index += count
        return true
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        // JSON's four whitespace bytes as bits of one word: one shift and test per byte.
        let whitespace: UInt64 = 1 << 0x20 | 1 << 0x09 | 1 << 0x0A | 1 << 0x0D
        while index < bytes.count {
            let byte = bytes[index]
            guard byte <= 0x20, whitespace & (1 << UInt64(byte)) != 0 else { return }
            index += 1
        }
    }

    @inline(__always)
    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte &- 48 < 10 }

    @inline(__always)
    private func matches(_ range: Range<Int>, _ word: StaticString) -> Bool {
        bytes.bytes(in: range, equal: word)
    }
}

/// The members an object has shown so far, by position in its reader's list: a repeated one
/// is `Unusual` (the tree path would read the first).
private struct KeySet {
    private var bits: UInt16 = 0

    mutating func insert(_ position: Int) throws(CaseByteReader.Unusual) {
        let bit = UInt16(1) << position
        guard bits & bit == 0 else { throw CaseByteReader.Unusual() }
        bits |= bit
    }

}
