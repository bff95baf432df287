import FuzzDriver

/// What the fuzz targets share: the hand-over to libFuzzer, line positions for checking
/// errors, and a failure that names what broke.

/// Runs libFuzzer on the target's `LLVMFuzzerTestOneInput`. Each target calls this from its
/// `@_cdecl("<module>_main")`, the entry point SwiftPM's link names (see Fuzz/Driver).
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    tidepool_fuzz_run(argc, argv)
}

/// A broken invariant: a finding, reported as a crash so libFuzzer keeps the input.
public func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError("invariant broken: \(message())", file: file, line: line) }
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
