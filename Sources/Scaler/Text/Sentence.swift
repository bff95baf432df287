/// Text for people (an explanation's sentence, a condition's message, a rescale reason), built
/// by interpolation straight into UTF-8 bytes.
///
/// The batch writes such text for every decision. Built as `String`s, piece by piece, the
/// explanation alone cost as much as writing the rest of the decision; a sentence's literals
/// here are static bytes and its numbers are written as digits, into one buffer.
///
/// ```swift
/// let sentence: Sentence = "Scaling from \(current) to \(replicas(desired))."
/// ```
struct Sentence: ExpressibleByStringInterpolation, CustomStringConvertible, Sendable {
    private(set) var utf8: [UInt8]

    init(stringLiteral literal: StaticString) {
        utf8 = Array(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    init(stringInterpolation: Interpolation) {
        utf8 = stringInterpolation.utf8
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
        fileprivate var utf8: [UInt8] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            utf8.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        mutating func appendLiteral(_ literal: StaticString) {
            utf8.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        }

        mutating func appendInterpolation(_ literal: StaticString) {
            appendLiteral(literal)
        }

        mutating func appendInterpolation(_ text: String) {
            var text = text
            text.withUTF8 { utf8.append(contentsOf: $0) }
        }

        mutating func appendInterpolation(_ sentence: Sentence) {
            utf8.append(contentsOf: sentence.utf8)
        }

        mutating func appendInterpolation(_ number: some FixedWidthInteger) {
            DecimalText.append(Int64(number), to: &utf8)
        }

        /// Milli-units as plain decimal text for people ("1792.5", "0.25").
        mutating func appendInterpolation(milli: Int64) {
            DecimalText.append(milli: milli, to: &utf8)
        }
    }
}

/// Decimal digits appended to UTF-8 bytes, shared by sentences and `Quantity.decimal`.
enum DecimalText {
    static func append(_ number: Int64, to bytes: inout [UInt8]) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(of: number.magnitude, to: &bytes)
    }

    /// Whole part, then the fraction's digits without trailing zeros: 1792500 is "1792.5".
    static func append(milli: Int64, to bytes: inout [UInt8]) {
        if milli < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = milli.magnitude
        appendDigits(of: magnitude / 1000, to: &bytes)
        var fraction = magnitude % 1000
        guard fraction != 0 else { return }
        bytes.append(UInt8(ascii: "."))
        var divisor: UInt64 = 100
        while fraction != 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }

    private static func appendDigits(of magnitude: UInt64, to bytes: inout [UInt8]) {
        // Digits from the right end of a 20-byte scratch (UInt64.max has 20), then copied once.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { scratch in
            var start = 20
            var rest = magnitude
            repeat {
                start -= 1
                scratch[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            bytes.append(contentsOf: scratch[start..<20])
        }
    }
}
