/// Decodes recording lines one after another. A recording repeats the same pods line after
/// line (they change only when the deployment does), so when a line's `pods` bytes equal the
/// previous line's, their decoded form is reused instead of parsed again. The rest of the line
/// is decoded as `Observation(jsonValue:)` would, with the same errors.
///
/// Invariant: `previousPods` is the decoding of exactly `previousPodsBytes`.
public struct ObservationLineDecoder {
    private var previousPodsBytes: [UInt8] = []
    private var previousPods: [Pod] = []

    public init() {}

    public mutating func decode(_ line: UnsafeBufferPointer<UInt8>) throws -> Observation {
        guard let members = JSONSpanScanner.members(of: line),
              let podsMember = members.first(where: { Self.keyEquals(line, $0.key, "pods") }),
              members.filter({ Self.keyEquals(line, $0.key, "pods") }).count == 1
        else {
            return try Observation(jsonValue: try JSONParser.parse(line))
        }
        let podsBytes = UnsafeBufferPointer(rebasing: line[podsMember.value])
        let pods: [Pod]
        if podsBytes.equalBytes(previousPodsBytes) {
            pods = previousPods
        } else {
            // Parse errors are reported by the full parser, with the line's own positions.
            guard let podsValue = try? JSONParser.parse(podsBytes) else {
                return try Observation(jsonValue: try JSONParser.parse(line))
            }
            pods = try at("pods") { () throws(CaseError) in try CaseDecoding.pods(podsValue) }
            previousPodsBytes = Array(podsBytes)
            previousPods = pods
        }
        var entries: [JSONObject.Entry] = []
        entries.reserveCapacity(members.count - 1)
        for member in members where member.key != podsMember.key {
            let key = String(decoding: UnsafeBufferPointer(rebasing: line[member.key]), as: UTF8.self)
            guard let value = try? JSONParser.parse(UnsafeBufferPointer(rebasing: line[member.value])) else {
                return try Observation(jsonValue: try JSONParser.parse(line))
            }
            entries.append(JSONObject.Entry(key, value))
        }
        return try Observation(jsonValue: .object(JSONObject(entries)), decodedPods: pods)
    }

    private static func keyEquals(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ key: StaticString) -> Bool {
        range.count == key.utf8CodeUnitCount
            && UnsafeBufferPointer(rebasing: line[range]).elementsEqual(UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Byte equality eight bytes at a time: the decoders compare kilobyte-long spans of
    /// consecutive lines (a recording's pods, a batch's hpa) on every line.
    func equalBytes(_ other: [UInt8]) -> Bool {
        guard count == other.count else { return false }
        return other.withUnsafeBufferPointer { other in
            let left = UnsafeRawBufferPointer(self)
            let right = UnsafeRawBufferPointer(other)
            var index = 0
            while index + 8 <= left.count {
                if left.loadUnaligned(fromByteOffset: index, as: UInt64.self) != right.loadUnaligned(fromByteOffset: index, as: UInt64.self) {
                    return false
                }
                index += 8
            }
            while index < left.count {
                if left[index] != right[index] { return false }
                index += 1
            }
            return true
        }
    }
}
