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

        /// A signed integer (all of which fit an Int64).
        mutating func appendInterpolation(_ number: some FixedWidthInteger & SignedInteger) {
            DecimalText.append(Int64(number), to: &utf8)
        }

        /// Milli-units as plain decimal text for people ("1792.5", "0.25").
        mutating func appendInterpolation(milli: Int64) {
            DecimalText.append(milli: milli, to: &utf8)
        }
    }
}
