/// Writes compact JSON into a byte buffer. Built for the batch path: no intermediate tree.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// Bit n says whether the container at depth n already holds a value (so the next needs a
    /// comma). Invariant: depth < 64; deeper documents are not written by Tidepool.
    private var commaBits: UInt64 = 0
    private var depth = 0

    public init(reservingCapacity capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends a byte outside any JSON structure (a record separator), resetting the state.
    public mutating func appendRaw(_ byte: UInt8) {
        bytes.append(byte)
        commaBits = 0
        depth = 0
        pendingKey = false
    }

    @inline(__always) private var needsComma: Bool {
        get { commaBits & (1 << UInt64(depth)) != 0 }
        set {
            if newValue { commaBits |= 1 << UInt64(depth) } else { commaBits &= ~(1 << UInt64(depth)) }
        }
    }

    @inline(__always) private mutating func push() {
        depth += 1
        needsComma = false
    }

    @inline(__always) private mutating func pop() {
        depth -= 1
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    public mutating func beginObject() {
        beforeValue()
        bytes.append(UInt8(ascii: "{"))
        push()
    }

    public mutating func endObject() {
        pop()
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        beforeValue()
        bytes.append(UInt8(ascii: "["))
        push()
    }

    public mutating func endArray() {
        pop()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes a key; the next value call writes its value.
    public mutating func key(_ key: String) {
        separate()
        appendQuoted(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
        pendingKey = true
    }

    private var pendingKey = false
    /// The last whole-seconds timestamp's "YYYY-MM-DDT", by its day since the epoch.
    private var datePrefix = DatePrefix(day: 0)

    private mutating func beforeValue() {
        if pendingKey {
            pendingKey = false
            needsComma = true
        } else {
            separate()
        }
    }

    public mutating func value(_ text: String) {
        beforeValue()
        appendQuoted(text)
    }

    public mutating func value(_ number: Int64) {
        beforeValue()
        appendInteger(number)
    }

    public mutating func value(_ number: Int32) { value(Int64(number)) }
    public mutating func value(_ number: Int) { value(Int64(number)) }

    public mutating func value(_ flag: Bool) {
        beforeValue()
        if flag {
            bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        } else {
            bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        }
    }

    public mutating func valueNull() {
        beforeValue()
        bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
    }

    /// A number written from its already-formatted text.
    public mutating func rawNumber(_ text: String) {
        beforeValue()
        bytes.append(contentsOf: text.utf8)
    }

    /// A value that is already JSON text (a message's `id` or `result`, copied through as is).
    public mutating func rawValue(_ json: some Collection<UInt8>) {
        beforeValue()
        bytes.append(contentsOf: json)
    }

    public mutating func value(_ json: JSONValue) {
        switch json {
        case .null: valueNull()
        case .bool(let flag): value(flag)
        case .number(let text): rawNumber(text)
        case .string(let text): value(text)
        case .array(let elements):
            beginArray()
            for element in elements { value(element) }
            endArray()
        case .object(let object):
            beginObject()
            for entry in object.entries {
                key(entry.key)
                value(entry.value)
            }
            endObject()
        }
    }

    private mutating func appendInteger(_ number: Int64) {
        if number == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = number.magnitude
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[count] = UInt8(magnitude % 10) + 48
                magnitude /= 10
                count += 1
            }
            for position in stride(from: count - 1, through: 0, by: -1) {
                bytes.append(buffer[position])
            }
        }
    }

    /// Whether any byte is `"`, `\` or a control character; eight bytes at a time, with the
    /// classic "has a zero byte" and "has a byte less than n" word tests.
    private static func needsEscaping(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        if let base = buffer.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= buffer.count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                let found = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
                if found & highs != 0 { return true }
                index += 8
            }
        }
        while index < buffer.count {
            let byte = buffer[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return true }
            index += 1
        }
        return false
    }

    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        // Most strings need no escaping: copy them whole.
        let plain = text.withUTF8 { buffer in
            guard !Self.needsEscaping(buffer) else { return false }
            bytes.append(contentsOf: buffer)
            return true
        }
        if plain {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "\\"))
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension JSONWriter {
    /// Ends a JSON Lines record.
    public mutating func newline() {
        appendRaw(UInt8(ascii: "\n"))
    }
}

extension JSONWriter {
    /// A timestamp as an RFC 3339 string, written without building a String.
    public mutating func value(_ timestamp: Timestamp) {
        beforeValue()
        let nanoseconds = timestamp.nanosecondsSinceEpoch
        if nanoseconds >= 0, nanoseconds % 1_000_000_000 == 0 {
            // Whole seconds after 1970, the usual kind; the date part is remembered, since
            // the timestamps of one document mostly share their day.
            let seconds = nanoseconds / 1_000_000_000
            let day = seconds / 86_400
            if day != datePrefix.day {
                datePrefix = DatePrefix(day: day)
            }
            let secondOfDay = seconds % 86_400
            let hour = secondOfDay / 3600, minute = secondOfDay / 60 % 60, second = secondOfDay % 60
            withUnsafeBytes(of: datePrefix.text) { prefix in
                bytes.append(UInt8(ascii: "\""))
                bytes.append(contentsOf: prefix)
            }
            let time: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
                UInt8(48 + hour / 10), UInt8(48 + hour % 10), UInt8(ascii: ":"),
                UInt8(48 + minute / 10), UInt8(48 + minute % 10), UInt8(ascii: ":"),
                UInt8(48 + second / 10), UInt8(48 + second % 10), UInt8(ascii: "Z"), UInt8(ascii: "\""))
            withUnsafeBytes(of: time) { bytes.append(contentsOf: $0) }
            return
        }
        var text: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &text) { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            let length = timestamp.writeRFC3339(into: buffer)
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<length]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// A quantity in canonical form.
    public mutating func quantity(milli: Int64) {
        value(Quantity.canonical(milli: milli))
    }
}

/// "YYYY-MM-DDT" of one day since the Unix epoch (day ≥ 0).
struct DatePrefix {
    var day: Int64
    var text: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

    init(day: Int64) {
        self.day = day
        let (year, month, date) = CivilCalendar.civil(fromDays: day)
        text = (UInt8(48 + year / 1000 % 10), UInt8(48 + year / 100 % 10), UInt8(48 + year / 10 % 10), UInt8(48 + year % 10),
                UInt8(ascii: "-"), UInt8(48 + month / 10), UInt8(48 + month % 10), UInt8(ascii: "-"),
                UInt8(48 + date / 10), UInt8(48 + date % 10), UInt8(ascii: "T"))
    }
}
