/// Text for people (an explanation's sentence, a condition's message, a rescale reason), built
/// by interpolation straight into UTF-8 bytes.
///
/// The batch writes such text for every decision. Built as `String`s, piece by piece, the
/// explanation alone cost as much as writing the rest of the decision; a sentence's literals
/// here are static bytes and its numbers are written as digits, into one buffer.
///
/// ```swift
/// let sentence: Sentence = "Scaling from \(current) to \(replicas: desired)."
/// ```
struct Sentence: ExpressibleByStringInterpolation, CustomStringConvertible, Sendable {
    private(set) var utf8: [UInt8]

    init(stringLiteral literal: StaticString) {
        utf8 = Array(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    init(stringInterpolation: Interpolation) {
        utf8 = stringInterpolation.bytes
    }

    var description: String { String(decoding: utf8, as: UTF8.self) }

    static func += (sentence: inout Sentence, more: Sentence) {
        sentence.utf8.append(contentsOf: more.utf8)
    }

    static func + (sentence: Sentence, more: Sentence) -> Sentence {
        var joined = sentence
        joined += more
        return joined
    }

    struct Interpolation: StringInterpolationProtocol {
        /// The first `headCount` bytes, held in the value itself: nearly every sentence fits,
        /// and a copy into it costs far less than an array's append (a uniqueness and capacity
        /// check and a call per piece, some twenty pieces a sentence). A SIMD value is used as
        /// 256 plain bytes: `InlineArray` would need macOS 26.
        private var head = SIMD32<UInt64>()
        private var headCount = 0
        /// What comes after a full `head`.
        private var rest: [UInt8] = []

        init(literalCapacity: Int, interpolationCount: Int) {}

        /// The text so far, in one array.
        fileprivate var bytes: [UInt8] {
            var bytes = withUnsafeBytes(of: head) { Array($0.prefix(headCount)) }
            bytes.append(contentsOf: rest)
            return bytes
        }

        private mutating func append(_ source: UnsafeRawBufferPointer) {
            guard rest.isEmpty, headCount + source.count <= MemoryLayout.size(ofValue: head) else {
                rest.append(contentsOf: source)
                return
            }
            let offset = headCount
            withUnsafeMutableBytes(of: &head) { head in
                (head.baseAddress! + offset).copyMemory(from: source.baseAddress!, byteCount: source.count)
            }
            headCount += source.count
        }

        private mutating func append(_ byte: UInt8) {
            withUnsafeBytes(of: byte) { append($0) }
        }

        mutating func appendLiteral(_ literal: StaticString) {
            append(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        }

        mutating func appendInterpolation(_ literal: StaticString) {
            appendLiteral(literal)
        }

        mutating func appendInterpolation(_ text: String) {
            var text = text
            text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
        }

        mutating func appendInterpolation(_ sentence: Sentence) {
            sentence.utf8.withUnsafeBytes { append($0) }
        }

        /// A signed integer (all of which fit an Int64).
        mutating func appendInterpolation(_ number: some FixedWidthInteger & SignedInteger) {
            var digits = SIMD4<UInt64>()  // 32 bytes of scratch on the stack
            withUnsafeMutableBytes(of: &digits) { digits in
                let target = digits.baseAddress!.assumingMemoryBound(to: UInt8.self)
                append(UnsafeRawBufferPointer(start: target, count: DecimalText.write(Int64(number), to: target)))
            }
        }

        /// Milli-units as plain decimal text for people ("1792.5", "0.25").
        mutating func appendInterpolation(milli: Int64) {
            var text = SIMD4<UInt64>()  // 32 bytes of scratch on the stack
            withUnsafeMutableBytes(of: &text) { text in
                let target = text.baseAddress!.assumingMemoryBound(to: UInt8.self)
                append(UnsafeRawBufferPointer(start: target, count: DecimalText.write(milli: milli, to: target)))
            }
        }

        /// "1 replica", "3 replicas".
        mutating func appendInterpolation(replicas count: Int32) {
            if count == 1 {
                appendLiteral("1 replica")
            } else {
                appendInterpolation(count)
                appendLiteral(" replicas")
            }
        }

        /// `value` rounded to hundredths, as Swift prints that Double ("1.11", "1.1", "2.0").
        mutating func appendInterpolation(hundredths value: Double) {
            let scaled = (value * 100).rounded()
            // Below 10^12 hundredths the shortest text that reads back as `scaled / 100` is
            // the decimal itself, trailing zeros dropped, which is what Swift prints; beyond
            // (and for negatives, never seen here) Swift's own text is used.
            guard scaled >= 0, scaled < 1e12 else {
                appendInterpolation("\(scaled / 100)")
                return
            }
            let hundredths = Int64(scaled)
            appendInterpolation(hundredths / 100)
            let fraction = hundredths % 100
            append(UInt8(ascii: "."))
            append(UInt8(ascii: "0") + UInt8(fraction / 10))
            if fraction % 10 != 0 { append(UInt8(ascii: "0") + UInt8(fraction % 10)) }
        }

        /// A fraction as a percentage: whole ("10%") when it is one, else as Swift prints the
        /// Double ("2.5%").
        mutating func appendInterpolation(percent fraction: Double) {
            let value = fraction * 100
            if value == value.rounded(), value.magnitude < 1e15 {
                appendInterpolation(Int64(value))
            } else {
                appendInterpolation("\(value)")
            }
            append(UInt8(ascii: "%"))
        }
    }
}
