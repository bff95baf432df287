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
              let podsMember = members.first(where: { line.bytes(in: $0.key, equal: "pods") }),
              members.filter({ line.bytes(in: $0.key, equal: "pods") }).count == 1
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
}
