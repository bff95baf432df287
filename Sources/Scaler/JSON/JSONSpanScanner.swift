/// Finds the byte spans of a JSON object's top-level members without building anything, so a
/// caller can decode some members and recognise others by their bytes. It only delimits: a
/// span's contents are checked when someone parses them. Anything unusual (escaped keys,
/// unbalanced brackets) answers nil, and the caller takes the full parser's path, which names
/// the error precisely.
public enum JSONSpanScanner {
    public struct Member {
        /// The key's bytes between its quotes (never escaped: keys with escapes answer nil).
        public var key: Range<Int>
        public var value: Range<Int>
    }

    /// The members of the object filling `bytes` (surrounding whitespace allowed).
    public static func members(of bytes: UnsafeBufferPointer<UInt8>) -> [Member]? {
        var index = 0
        skipWhitespace(bytes, &index)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var members: [Member] = []
        members.reserveCapacity(4)
        skipWhitespace(bytes, &index)
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            skipWhitespace(bytes, &index)
            return index == bytes.count ? members : nil
        }
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let keyStart = index + 1
            var keyEnd = keyStart
            while keyEnd < bytes.count, bytes[keyEnd] != UInt8(ascii: "\"") {
                if bytes[keyEnd] == UInt8(ascii: "\\") { return nil }
                keyEnd += 1
            }
            guard keyEnd < bytes.count else { return nil }
            index = keyEnd + 1
            skipWhitespace(bytes, &index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipWhitespace(bytes, &index)
            let valueStart = index
            guard skipValue(bytes, &index) else { return nil }
            members.append(Member(key: keyStart..<keyEnd, value: valueStart..<index))
            skipWhitespace(bytes, &index)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace(bytes, &index)
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { return nil }
            index += 1
            skipWhitespace(bytes, &index)
            return index == bytes.count ? members : nil
        }
    }

    @inline(__always)
    private static func skipWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
            index += 1
        }
    }

    /// Moves past one value: a string, or a container by bracket depth (strings inside are
    /// skipped whole, so their brackets do not count), or a scalar up to the next delimiter.
    private static func skipValue(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> Bool {
        guard index < bytes.count else { return false }
        var depth = 0
        repeat {
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard index < bytes.count else { return false }
                index += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard depth > 0 else { return false }
                depth -= 1
                index += 1
            case UInt8(ascii: ","), UInt8(ascii: ":"), 0x20, 0x09, 0x0A, 0x0D:
                guard depth > 0 else { return false }
                index += 1
            default:
                // A scalar (number, true, false, null) or, inside a container, part of one.
                index += 1
                if depth == 0 {
                    while index < bytes.count {
                        switch bytes[index] {
                        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D: return true
                        default: index += 1
                        }
                    }
                    return true
                }
            }
        } while depth > 0
        return true
    }
}
