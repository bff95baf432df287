import FuzzDriver

/// What the fuzz targets share: the hand-over to libFuzzer, input-derived chunking, line
/// positions for checking errors, and a failure that names what broke.

/// Runs libFuzzer on the target's `LLVMFuzzerTestOneInput`. Each target calls this from its
/// `@_cdecl("<module>_main")`, the entry point SwiftPM's link names (see Fuzz/Driver).
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    tidepool_fuzz_run(argc, argv)
}

/// A broken invariant: a finding, reported as a crash so libFuzzer keeps the input.
public func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError("invariant broken: \(message())", file: file, line: line) }
}

/// FNV-1a of the input: a seed that changes with every mutation, so the same input always
/// splits the same way (a crash reproduces) while different inputs split differently.
public func seed(of bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return hash
}

/// SplitMix64 (Vigna's constants): the chunk sizes.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// `count` bytes cut into consecutive ranges of 1 to `maximum` bytes (some empty ones too,
/// as a read can return nothing), the sizes drawn from `seed`.
public func chunks(count: Int, seed: UInt64, maximum: Int) -> [Range<Int>] {
    var generator = SplitMix64(seed: seed)
    var ranges: [Range<Int>] = []
    var start = 0
    while start < count {
        let draw = Int(generator.next() % UInt64(maximum + 1))
        let end = min(count, start + draw)
        ranges.append(start..<end)
        start = end
    }
    return ranges
}

/// Where the lines of an input start, to check that an error's line and column lie inside it.
public struct LineTable {
    /// The offset of each line's first byte; a final line without a newline counts.
    public let starts: [Int]
    public let count: Int

    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        var starts = [0]
        for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "\n") { starts.append(index + 1) }
        self.starts = starts
        count = bytes.count
    }

    public var lineCount: Int { starts.count }

    /// The bytes of 1-based `line` without its newline.
    public func length(ofLine line: Int) -> Int {
        let end = line < starts.count ? starts[line] - 1 : count
        return end - starts[line - 1]
    }

    /// A 1-based line and column that point into the input: at a byte of the line, or just past
    /// its last one (the newline, or the end of the input).
    public func contains(line: Int, column: Int) -> Bool {
        line >= 1 && line <= lineCount && column >= 1 && column <= length(ofLine: line) + 1
    }
}
