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

    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        // Most strings need no escaping: copy them whole.
        let plain = text.withUTF8 { buffer in
            for byte in buffer where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
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
        value(timestamp.rfc3339)
    }

    /// A quantity in canonical form.
    public mutating func quantity(milli: Int64) {
        value(Quantity.canonical(milli: milli))
    }
}
