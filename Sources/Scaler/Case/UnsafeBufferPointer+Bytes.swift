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
