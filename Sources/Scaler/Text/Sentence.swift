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
            // Room for names and numbers at once: growing the buffer later costs a copy, and
            // a small allocation costs the same whatever its size.
            utf8.reserveCapacity(max(128, literalCapacity + interpolationCount * 32))
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
            utf8.append(UInt8(ascii: "."))
            utf8.append(UInt8(ascii: "0") + UInt8(fraction / 10))
            if fraction % 10 != 0 { utf8.append(UInt8(ascii: "0") + UInt8(fraction % 10)) }
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
            utf8.append(UInt8(ascii: "%"))
        }
    }
}
