import FuzzSupport
import Scaler
import TidepoolMetrics

/// The exposition parser (`tidepool scrape`, the scraper, `{scrape: ...}` metric sources) on
/// arbitrary bytes, in both formats. Thrown `ExpositionError`s are expected; a crash, a trap,
/// a hang or an ASan report is a finding, and so is a broken invariant:
/// - an error's line and column point into the input, and so does every sample's line;
/// - the streaming parser and the collecting `Exposition` agree (same samples, same error);
/// - whatever parses, written back as text format, parses to the same samples.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let lines = LineTable(input)
    for format in [ExpositionFormat.prometheusText, .openMetrics] {
        exercise(input, format: format, lines: lines)
    }
    return 0
}

@_cdecl("fuzz_exposition_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv)
}

private func exercise(_ input: UnsafeBufferPointer<UInt8>, format: ExpositionFormat, lines: LineTable) {
    var streamed: [Sample] = []
    var streamError: ExpositionError?
    do {
        try ExpositionParser.parse(input, format: format, onMetadata: { metadata in
            switch metadata {
            case .help(let name, let text): _ = (name.utf8.count, text.utf8.count)
            case .type(let name, let type): _ = (name.utf8.count, type.rawValue)
            case .unit(let name, let unit): _ = (name.utf8.count, unit.utf8.count)
            }
        }, onSample: { view in
            check(view.line >= 1 && view.line <= lines.lineCount, "\(format): sample on line \(view.line) of \(lines.lineCount)")
            // Every accessor, as the scraper and `tidepool scrape` use them.
            _ = view.nameBytes.count
            for index in 0..<view.labelCount {
                _ = (view.labelNameBytes(at: index).count, view.labelValueBytes(at: index).count)
            }
            _ = view.label("le")
            _ = SampleOutput.tableLine(view)
            var writer = JSONWriter(reservingCapacity: 128)
            SampleOutput.writeJSONLine(view, to: &writer)
            streamed.append(view.sample)
        })
    } catch let error as ExpositionError {
        streamError = error
        check(lines.contains(line: error.line, column: error.column),
              "\(format): error at line \(error.line), column \(error.column) outside the input (\(lines.lineCount) lines): \(error)")
        check(!error.message.isEmpty, "\(format): an error without a message")
    } catch {
        check(false, "\(format): not an ExpositionError: \(error)")
    }

    let bytes = Array(input)
    do {
        let collected = try Exposition(parsing: bytes, format: format)
        check(streamError == nil, "\(format): Exposition accepted what the streaming parser rejected (\(streamError!))")
        check(collected.samples == streamed, "\(format): Exposition and the streaming parser disagree")
        _ = Exposition.detectFormat(bytes)
    } catch {
        check(error == streamError, "\(format): Exposition's error \(error) is not the streaming parser's \(String(describing: streamError))")
    }
    guard streamError == nil, !streamed.isEmpty else { return }

    // Round trip: the samples written as text format read back the same (exemplars aside).
    let text = streamed.map(textLine).joined()
    let again: [Sample]
    do {
        again = try Exposition(parsing: Array(text.utf8), format: .prometheusText).samples
    } catch {
        check(false, "\(format): the samples written back do not parse: \(error)\n\(text)")
        return
    }
    let expected = streamed.map { sample -> Sample in
        var sample = sample
        sample.exemplar = nil
        return sample
    }
    check(again == expected, "\(format): the samples written back read differently:\n\(text)")
}

/// One sample in the text format, names quoted when they are not legacy names.
private func textLine(_ sample: Sample) -> String {
    var labels = sample.labels.map { "\(labelName($0.name))=\"\(SampleOutput.escaped($0.value))\"" }
    var line: String
    if isLegacyName(sample.name, colon: true) {
        line = sample.name
    } else {
        line = ""
        labels.insert("\"\(SampleOutput.escaped(sample.name))\"", at: 0)
    }
    if !labels.isEmpty { line += "{" + labels.joined(separator: ",") + "}" }
    let value = sample.value
    line += " " + (value.isNaN ? "NaN" : value.isInfinite ? (value > 0 ? "+Inf" : "-Inf") : "\(value)")
    if let timestamp = sample.timestampMilliseconds { line += " \(timestamp)" }
    return line + "\n"
}

private func labelName(_ name: String) -> String {
    isLegacyName(name, colon: false) ? name : "\"\(SampleOutput.escaped(name))\""
}

private func isLegacyName(_ name: String, colon: Bool) -> Bool {
    guard let first = name.utf8.first else { return false }
    func letter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_") || (colon && byte == UInt8(ascii: ":")) }
    return letter(first) && name.utf8.dropFirst().allSatisfy { letter($0) || ($0 >= 48 && $0 <= 57) }
}
