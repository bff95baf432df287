/// Writes compact JSON into a byte buffer. Built for the batch path: no intermediate tree.
///
/// Not copyable: the writer owns its buffer and writes through a pointer into it, which two
/// copies would share. An `Array` behind the same pointer would cost a uniqueness check on
/// every append, and a decision takes a few hundred appends.
public struct JSONWriter: ~Copyable {
    /// The text so far is `buffer[..<count]`; the rest is room to write into.
    private var buffer: UnsafeMutableBufferPointer<UInt8>
    /// Bytes written.
    public private(set) var count = 0

    /// What was written.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(rebasing: buffer[..<count])) }

    /// What was written, for a writer no longer needed.
    public consuming func takeBytes() -> [UInt8] { bytes }

    public init(reservingCapacity capacity: Int = 1024) {
        buffer = .allocate(capacity: max(capacity, 64))
    }

    deinit { buffer.deallocate() }

    /// Makes room for `maximum` more bytes and lets `body` write at the end; `body` returns
    /// how many it wrote.
    @inline(__always)
    private mutating func append(atMost maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        if count + maximum > buffer.count { grow(to: count + maximum) }
        count += body(buffer.baseAddress! + count)
    }

    private mutating func grow(to needed: Int) {
        let larger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(needed, buffer.count * 2))
        _ = larger.initialize(from: buffer[..<count])
        buffer.deallocate()
        buffer = larger
    }

    @inline(__always)
    private mutating func append(_ byte: UInt8) {
        append(atMost: 1) {
            $0.pointee = byte
            return 1
        }
    }

    @inline(__always)
    private mutating func append(_ source: UnsafeRawBufferPointer) {
        guard let base = source.baseAddress, !source.isEmpty else { return }
        append(atMost: source.count) {
            $0.update(from: base.assumingMemoryBound(to: UInt8.self), count: source.count)
            return source.count
        }
    }

    @inline(__always)
    private mutating func append(_ source: UnsafeBufferPointer<UInt8>) {
        append(UnsafeRawBufferPointer(source))
    }

    /// Bit n says whether the container at depth n already holds a value (so the next needs a
    /// comma). Invariant: depth < 64; deeper documents are not written by Tidepool.
    private var commaBits: UInt64 = 0
    private var depth = 0

    public var string: String { String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self) }

    /// Appends a byte outside any JSON structure (a record separator), resetting the state.
    public mutating func appendRaw(_ byte: UInt8) {
        append(byte)
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
        if needsComma { append(UInt8(ascii: ",")) }
        needsComma = true
    }

    public mutating func beginObject() {
        beforeValue()
        append(UInt8(ascii: "{"))
        push()
    }

    public mutating func endObject() {
        pop()
        append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        beforeValue()
        append(UInt8(ascii: "["))
        push()
    }

    public mutating func endArray() {
        pop()
        append(UInt8(ascii: "]"))
    }

    /// Writes a key; the next value call writes its value.
    @_disfavoredOverload  // A literal key takes the StaticString overload below.
    public mutating func key(_ key: String) {
        let comma = needsComma
        appendQuoted(key, after: comma ? UInt8(ascii: ",") : nil, before: UInt8(ascii: ":"))
        needsComma = false
        pendingKey = true
    }

    /// Writes a key given as a literal. Literal keys are plain names that need no escaping,
    /// so the key, its quotes, the comma before it and the colon after it are one copy.
    public mutating func key(_ key: StaticString) {
        let name = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        assert(key.hasPointerRepresentation && !Self.needsEscaping(name), "a literal key is a plain name")
        appendPlainQuoted(name, after: needsComma ? UInt8(ascii: ",") : nil, before: UInt8(ascii: ":"))
        needsComma = false
        pendingKey = true
    }

    private var pendingKey = false
    /// The last timestamp's "YYYY-MM-DDT", by its day since the epoch.
    private var datePrefix = DatePrefix.none

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
            append(UnsafeRawBufferPointer(start: ("true" as StaticString).utf8Start, count: 4))
        } else {
            append(UnsafeRawBufferPointer(start: ("false" as StaticString).utf8Start, count: 5))
        }
    }

    public mutating func valueNull() {
        beforeValue()
        append(UnsafeRawBufferPointer(start: ("null" as StaticString).utf8Start, count: 4))
    }

    /// A number written from its already-formatted text.
    public mutating func rawNumber(_ text: String) {
        beforeValue()
        var text = text
        text.withUTF8 { append($0) }
    }

    /// A value that is already JSON text (a message's `id` or `result`, copied through as is).
    public mutating func rawValue(_ json: some Collection<UInt8>) {
        beforeValue()
        if json.withContiguousStorageIfAvailable({ append($0) }) == nil {
            Array(json).withUnsafeBufferPointer { append($0) }
        }
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
        append(atMost: DecimalText.maximumLength) { DecimalText.write(number, to: $0) }
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

    /// `text` in quotes, escaped; `after` is written before the opening quote and `before`
    /// after the closing one (a key's comma and colon).
    private mutating func appendQuoted(_ text: String, after leading: UInt8? = nil, before trailing: UInt8? = nil) {
        // Native strings lend their bytes without a copy (bridged ones, never made here, are
        // copied first).
        let lent: Void? = text.utf8.withContiguousStorageIfAvailable { appendQuoted(utf8: $0, after: leading, before: trailing) }
        if lent == nil { Array(text.utf8).withUnsafeBufferPointer { appendQuoted(utf8: $0, after: leading, before: trailing) } }
    }

    /// Text that needs no escaping, in quotes, with `leading` and `trailing` around them: one
    /// append.
    @inline(__always)
    private mutating func appendPlainQuoted(_ buffer: UnsafeBufferPointer<UInt8>, after leading: UInt8?, before trailing: UInt8?) {
        let extra = (leading == nil ? 0 : 1) + (trailing == nil ? 0 : 1)
        append(atMost: buffer.count + 2 + extra) { target in
            var position = 0
            if let leading {
                target[0] = leading
                position = 1
            }
            target[position] = UInt8(ascii: "\"")
            if let base = buffer.baseAddress { (target + position + 1).update(from: base, count: buffer.count) }
            position += buffer.count + 1
            target[position] = UInt8(ascii: "\"")
            if let trailing { target[position + 1] = trailing }
            return buffer.count + 2 + extra
        }
    }

    /// UTF-8 text in quotes, escaped. Text that needs no escaping, as most does, is written with
    /// its quotes, `leading` and `trailing` in one append.
    private mutating func appendQuoted(utf8 buffer: UnsafeBufferPointer<UInt8>, after leading: UInt8? = nil, before trailing: UInt8? = nil) {
        guard Self.needsEscaping(buffer) else {
            appendPlainQuoted(buffer, after: leading, before: trailing)
            return
        }
        if let leading { append(leading) }
        append(UInt8(ascii: "\""))
        for byte in buffer {
            switch byte {
            case UInt8(ascii: "\""): append(UInt8(ascii: "\\")); append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): append(UInt8(ascii: "\\")); append(UInt8(ascii: "\\"))
            case 0x0A: append(UInt8(ascii: "\\")); append(UInt8(ascii: "n"))
            case 0x0D: append(UInt8(ascii: "\\")); append(UInt8(ascii: "r"))
            case 0x09: append(UInt8(ascii: "\\")); append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                for escaped in [UInt8(ascii: "\\"), UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]] { append(escaped) }
            default: append(byte)
            }
        }
        append(UInt8(ascii: "\""))
        if let trailing { append(trailing) }
    }

    /// A string value given as UTF-8 bytes (escaped as a `String` would be).
    public mutating func value(utf8 text: [UInt8]) {
        beforeValue()
        text.withUnsafeBufferPointer { appendQuoted(utf8: $0) }
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
        var dates = datePrefix
        append(atMost: Timestamp.maximumRFC3339Length + 2) { target in
            target[0] = UInt8(ascii: "\"")
            let length = timestamp.writeRFC3339(
                into: UnsafeMutableBufferPointer(start: target + 1, count: Timestamp.maximumRFC3339Length), dates: &dates)
            target[length + 1] = UInt8(ascii: "\"")
            return length + 2
        }
        datePrefix = dates
    }

    /// `{"timestamp":"<timestamp>","<key>":<count>}` as the next value, in one append: a
    /// history entry, which a decision writes some forty times.
    public mutating func timedCount(_ timestamp: Timestamp, _ key: StaticString, _ count: Int64) {
        beforeValue()
        var dates = datePrefix
        let keyLength = key.utf8CodeUnitCount
        append(atMost: 16 + Timestamp.maximumRFC3339Length + keyLength + DecimalText.maximumLength) { target in
            var position = 0
            @inline(__always) func literal(_ text: StaticString) {
                (target + position).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
                position += text.utf8CodeUnitCount
            }
            literal("{\"timestamp\":\"")
            position += timestamp.writeRFC3339(
                into: UnsafeMutableBufferPointer(start: target + position, count: Timestamp.maximumRFC3339Length), dates: &dates)
            literal("\",\"")
            literal(key)
            literal("\":")
            position += DecimalText.write(count, to: target + position)
            literal("}")
            return position
        }
        datePrefix = dates
    }

    /// A quantity in canonical form, written in place.
    public mutating func quantity(milli: Int64) {
        beforeValue()
        append(atMost: Quantity.maximumCanonicalLength + 2) { target in
            target[0] = UInt8(ascii: "\"")
            let length = Quantity.writeCanonical(milli: milli, to: target + 1)
            target[length + 1] = UInt8(ascii: "\"")
            return length + 2
        }
    }
}
