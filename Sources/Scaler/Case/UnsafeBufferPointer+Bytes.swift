/// Comparisons the line decoders make on the bytes of a line, in place.
extension UnsafeBufferPointer<UInt8> {
    /// Byte equality a word at a time: the decoders compare kilobyte-long spans of
    /// consecutive lines (a recording's pods, a batch's hpa) on every line.
    func equalBytes(_ other: [UInt8]) -> Bool {
        other.withUnsafeBufferPointer { equalBytes($0) }
    }

    func equalBytes(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        let left = UnsafeRawBufferPointer(self)
        let right = UnsafeRawBufferPointer(other)
        var index = 0
        // Four words a round, their differences or-ed together: one branch per 32 bytes.
        while index + 32 <= left.count {
            @inline(__always) func difference(_ offset: Int) -> UInt64 {
                left.loadUnaligned(fromByteOffset: index + offset, as: UInt64.self)
                    ^ right.loadUnaligned(fromByteOffset: index + offset, as: UInt64.self)
            }
            if difference(0) | difference(8) | difference(16) | difference(24) != 0 { return false }
            index += 32
        }
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

    /// Whether the bytes at `range` are `text`'s UTF-8.
    @inline(__always)
    func bytes(in range: Range<Int>, equal text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { UnsafeBufferPointer(rebasing: self[range]).equalBytes($0) } ?? false
    }

    /// Whether the bytes at `range` are `word`: a JSON key read in place.
    @inline(__always)
    func bytes(in range: Range<Int>, equal word: StaticString) -> Bool {
        guard range.count == word.utf8CodeUnitCount else { return false }
        let start = word.utf8Start
        for offset in 0..<range.count where self[range.lowerBound + offset] != start[offset] { return false }
        return true
    }
}

/// A short literal (1 to 16 bytes) the line decoders look for at a position, compared with one
/// or two word loads instead of byte by byte: the members of a history entry or a pod sample,
/// which a batch line holds dozens of.
struct BytePattern: Sendable {
    /// The first eight bytes (fewer, zero-padded, for a shorter pattern), as memory holds them.
    private var head: UInt64 = 0
    /// Which bits of a loaded word `head` covers.
    private var headMask: UInt64 = 0
    /// The last eight bytes, for a pattern longer than eight.
    private var tail: UInt64 = 0
    let count: Int

    init(_ text: StaticString) {
        self.init(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition((1...16).contains(bytes.count), "a byte pattern is 1 to 16 bytes")
        count = bytes.count
        withUnsafeMutableBytes(of: &head) { head in
            for offset in 0..<min(count, 8) { head[offset] = bytes[offset] }
        }
        withUnsafeMutableBytes(of: &headMask) { mask in
            for offset in 0..<min(count, 8) { mask[offset] = 0xFF }
        }
        if count > 8 {
            withUnsafeMutableBytes(of: &tail) { tail in
                for offset in 0..<8 { tail[offset] = bytes[count - 8 + offset] }
            }
        }
    }

    /// Whether `bytes` hold the pattern at `index`.
    @inline(__always)
    func isPrefix(of bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        // A word load needs eight bytes in the buffer; near its end, byte by byte.
        guard index + max(count, 8) <= bytes.count else { return isPrefixByBytes(of: bytes, at: index) }
        let start = UnsafeRawPointer(bytes.baseAddress! + index)
        guard start.loadUnaligned(as: UInt64.self) & headMask == head else { return false }
        return count <= 8 || start.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == tail
    }

    private func isPrefixByBytes(of bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index + count <= bytes.count else { return false }
        return withUnsafeBytes(of: head) { head in
            withUnsafeBytes(of: tail) { tail in
                (0..<count).allSatisfy { offset in
                    bytes[index + offset] == (offset < 8 ? head[offset] : tail[offset - (count - 8)])
                }
            }
        }
    }
}
