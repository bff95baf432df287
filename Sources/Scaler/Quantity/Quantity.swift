/// A Kubernetes resource quantity ("500m", "1Gi", "1k", "2.5", "1e3").
///
/// The algorithm works in milli-units, as upstream's `Quantity.MilliValue()` does:
/// `ceil(q * 1000)` rounded away from zero, here saturating at the ends of `Int64`
/// where upstream would overflow.
///
/// ```swift
/// let cpu = try Quantity(parsing: "500m")
/// cpu.milliValue                   // 500
/// Quantity.canonical(milli: 1500)  // "1500m"
/// ```
public struct Quantity: Sendable, Hashable, CustomStringConvertible {
    /// `ceil(value * 1000)`, away from zero, saturated to `Int64`.
    public let milliValue: Int64
    /// The value as upstream's `AsApproximateFloat64` computes it (used for tolerances).
    public let approximateDouble: Double

    public init(milli: Int64) {
        self.milliValue = milli
        self.approximateDouble = Double(milli) / 1000
    }

    init(_ parsed: QuantityParser.Parsed) {
        self.milliValue = parsed.milli
        self.approximateDouble = parsed.approximate
    }

    /// The canonical text of this quantity, as `resource.NewMilliQuantity(v, DecimalSI).String()`.
    public var description: String { Quantity.canonical(milli: milliValue) }

    /// Plain decimal text for people: 1792500 milli is "1792.5", 250 milli is "0.25".
    public static func decimal(milli: Int64) -> String {
        String(unsafeUninitializedCapacity: DecimalText.maximumMilliLength) { DecimalText.write(milli: milli, to: $0.baseAddress!) }
    }

    /// Parses Kubernetes quantity text: a signed decimal number with an optional binary
    /// suffix (Ki..Ei), decimal suffix (n, u, m, k, M, G, T, P, E) or exponent (e3, E-2).
    public init(parsing text: String) throws(QuantityError) {
        var text = text
        let parsed = try text.withUTF8 { bytes in
            Result { () throws(QuantityError) in try QuantityParser.parse(bytes) }
        }.get()
        self.init(parsed)
    }

    /// Formats milli-units the way upstream's DecimalSI canonical form does: the mantissa
    /// loses its trailing zeros, the exponent is brought to a multiple of three, and the
    /// exponent is named by its SI suffix ("1500m", "10", "5k").
    public static func canonical(milli: Int64) -> String {
        String(unsafeUninitializedCapacity: maximumCanonicalLength) { writeCanonical(milli: milli, to: $0.baseAddress!) }
    }

    /// The longest canonical text: a signed 64-bit mantissa and the longest suffix.
    static let maximumCanonicalLength = DecimalText.maximumLength + 3

    /// Writes `canonical(milli:)` at `target` (room for `maximumCanonicalLength` bytes) and
    /// returns its length: the JSON writer puts quantities in place without a String.
    static func writeCanonical(milli: Int64, to target: UnsafeMutablePointer<UInt8>) -> Int {
        if milli == 0 {
            target[0] = UInt8(ascii: "0")
            return 1
        }
        var amount = milli
        var exponent = -3
        while amount % 10 == 0 {
            amount /= 10
            exponent += 1
        }
        switch exponent % 3 {
        case 1, -2:
            amount *= 10
            exponent -= 1
        case 2, -1:
            amount *= 100
            exponent -= 2
        default:
            break
        }
        var length = DecimalText.write(amount, to: target)
        @inline(__always) func suffix(_ byte: UInt8) {
            target[length] = byte
            length += 1
        }
        switch exponent {
        case -3: suffix(UInt8(ascii: "m"))
        case 0: break
        case 3: suffix(UInt8(ascii: "k"))
        case 6: suffix(UInt8(ascii: "M"))
        case 9: suffix(UInt8(ascii: "G"))
        case 12: suffix(UInt8(ascii: "T"))
        case 15: suffix(UInt8(ascii: "P"))
        case 18: suffix(UInt8(ascii: "E"))
        default:
            // Not reached from 64-bit milli-units (the exponent stays within -3...15); kept as
            // upstream names any other power.
            suffix(UInt8(ascii: "e"))
            length += DecimalText.write(Int64(exponent), to: target + length)
        }
        return length
    }
}

/// Why a text is not a quantity.
public struct QuantityError: Error, Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public var description: String { "\"\(text)\" is not a quantity" }
}

/// Byte-level quantity parser. Kept apart so `Quantity` reads as a value type.
enum QuantityParser {
    struct Parsed {
        var milli: Int64
        var approximate: Double
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(QuantityError) -> Parsed {
        let fail = { QuantityError(text: String(decoding: bytes, as: UTF8.self)) }
        var index = 0
        let count = bytes.count
        var negative = false
        if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        // Mantissa digits, the decimal point folded into a power of ten.
        var small: UInt64 = 0
        var mantissa: UInt128 = 0
        var exponent10 = 0
        var digitCount = 0
        var droppedNonZero = false
        var sawPoint = false
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                if sawPoint { throw fail() }
                sawPoint = true
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digitCount += 1
                if digitCount <= 18 {
                    // Up to 18 digits fit 64 bits; most quantities never need more.
                    small = small &* 10 &+ UInt64(byte &- 48)
                    if sawPoint { exponent10 -= 1 }
                    if digitCount == 18 { mantissa = UInt128(small) }
                    index += 1
                    continue
                }
                let digit = UInt128(byte - UInt8(ascii: "0"))
                if mantissa < UInt128(10_000_000_000_000_000_000) * 1_000_000_000_000_000 {
                    mantissa = mantissa * 10 + digit
                    if sawPoint { exponent10 -= 1 }
                } else {
                    // Beyond 37 significant digits: keep the magnitude, remember the remainder.
                    if digit != 0 { droppedNonZero = true }
                    if !sawPoint { exponent10 += 1 }
                }
            } else {
                break
            }
            index += 1
        }
        if digitCount == 0 { throw fail() }

        // Suffix.
        var exponent2 = 0
        let rest = count - index
        if rest > 0 {
            let first = bytes[index]
            if rest == 2 && bytes[index + 1] == UInt8(ascii: "i") {
                switch first {
                case UInt8(ascii: "K"): exponent2 = 10
                case UInt8(ascii: "M"): exponent2 = 20
                case UInt8(ascii: "G"): exponent2 = 30
                case UInt8(ascii: "T"): exponent2 = 40
                case UInt8(ascii: "P"): exponent2 = 50
                case UInt8(ascii: "E"): exponent2 = 60
                default: throw fail()
                }
            } else if first == UInt8(ascii: "e") || first == UInt8(ascii: "E"), rest > 1 {
                var position = index + 1
                var exponentNegative = false
                if bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                    exponentNegative = bytes[position] == UInt8(ascii: "-")
                    position += 1
                }
                if position >= count { throw fail() }
                var value = 0
                while position < count {
                    let byte = bytes[position]
                    guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { throw fail() }
                    value = min(value * 10 + Int(byte - UInt8(ascii: "0")), 10_000)
                    position += 1
                }
                exponent10 += exponentNegative ? -value : value
            } else if rest == 1 {
                switch first {
                case UInt8(ascii: "n"): exponent10 -= 9
                case UInt8(ascii: "u"): exponent10 -= 6
                case UInt8(ascii: "m"): exponent10 -= 3
                case UInt8(ascii: "k"): exponent10 += 3
                case UInt8(ascii: "M"): exponent10 += 6
                case UInt8(ascii: "G"): exponent10 += 9
                case UInt8(ascii: "T"): exponent10 += 12
                case UInt8(ascii: "P"): exponent10 += 15
                case UInt8(ascii: "E"): exponent10 += 18
                default: throw fail()
                }
            } else {
                throw fail()
            }
        }

        if digitCount < 18 { mantissa = UInt128(small) }
        // Common case: a mantissa and scale that fit 64 bits, computed without UInt128.
        if digitCount <= 18, let fast = fastPath(small: small, exponent10: exponent10, exponent2: exponent2, negative: negative, inexact: droppedNonZero) {
            return fast
        }
        let approximate = approximateValue(mantissa: mantissa, exponent10: exponent10, exponent2: exponent2, negative: negative)
        let magnitude = milliMagnitude(mantissa: mantissa, exponent10: exponent10 + 3, exponent2: exponent2, inexact: droppedNonZero)
        let milli: Int64
        if negative {
            milli = magnitude > UInt128(Int64.max) ? Int64.min : -Int64(magnitude)
        } else {
            milli = magnitude > UInt128(Int64.max) ? Int64.max : Int64(magnitude)
        }
        return Parsed(milli: milli, approximate: approximate)
    }

    private static let powersOfTen: [UInt64] = (0...18).map { exponent in
        var value: UInt64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    @inline(__always)
    private static func fastPath(small mantissa: UInt64, exponent10: Int, exponent2: Int, negative: Bool, inexact: Bool) -> Parsed? {
        guard !inexact, mantissa <= UInt64(1) << 53, exponent10 >= -12, exponent10 <= 12,
              exponent2 == 0 || (exponent10 == 0 && mantissa.leadingZeroBitCount > exponent2 + 11)
        else { return nil }
        // A binary suffix only scales an integer here (upstream keeps "1.5Gi" exact too).
        let small = mantissa << exponent2
        let scale = exponent10 + 3
        var magnitude: UInt64
        if scale >= 0 {
            let (product, overflow) = small.multipliedReportingOverflow(by: powersOfTen[scale])
            guard !overflow, product <= UInt64(Int64.max) else { return nil }
            magnitude = product
        } else {
            let divisor = powersOfTen[-scale]
            magnitude = small / divisor
            if small % divisor != 0 { magnitude += 1 }
        }
        // Upstream stores the value rounded up to nano precision, then multiplies by Pow10.
        var stored = small
        var storedExponent = exponent10
        if storedExponent < -9 {
            let divisor = powersOfTen[-9 - storedExponent]
            stored = stored / divisor + (stored % divisor == 0 ? 0 : 1)
            storedExponent = -9
        }
        let approximate = Double(stored) * goPow10(storedExponent)
        let signed = Int64(magnitude)
        return Parsed(milli: negative ? -signed : signed, approximate: negative ? -approximate : approximate)
    }

    /// `mantissa * 10^exponent10 * 2^exponent2`, rounded up (away from zero), saturating.
    private static func milliMagnitude(mantissa: UInt128, exponent10: Int, exponent2: Int, inexact: Bool) -> UInt128 {
        let saturated = UInt128.max
        var value = mantissa
        if value == 0 { return 0 }
        for _ in 0..<exponent2 {
            if value > saturated / 2 { return saturated }
            value *= 2
        }
        if exponent10 >= 0 {
            for _ in 0..<exponent10 {
                if value > saturated / 10 { return saturated }
                value *= 10
            }
            return value
        }
        var remainderSeen = inexact
        for _ in 0..<(-exponent10) {
            if value == 0 { break }
            if value % 10 != 0 { remainderSeen = true }
            value /= 10
        }
        return remainderSeen ? value + 1 : value
    }

    /// As upstream's `AsApproximateFloat64` of the value `ParseQuantity` stores: rounded up
    /// to nano precision, and a binary-suffixed value capped at 2^63-1.
    private static func approximateValue(mantissa: UInt128, exponent10: Int, exponent2: Int, negative: Bool) -> Double {
        var unscaled = mantissa
        var exponent = exponent10
        if exponent < -9 {
            var remainder = false
            for _ in 0..<(-9 - exponent) {
                if unscaled % 10 != 0 { remainder = true }
                unscaled /= 10
            }
            if remainder { unscaled += 1 }
            exponent = -9
        }
        var base = Double(unscaled)
        if exponent2 > 0 { base *= Double(sign: .plus, exponent: exponent2, significand: 1) }
        var result = exponent == 0 ? base : base * goPow10(exponent)
        if exponent2 > 0 { result = min(result, Double(Int64.max)) }
        return negative ? -result : result
    }
}

/// Go's `math.Pow10`: correctly rounded powers from tables of literals.
func goPow10(_ exponent: Int) -> Double {
    if exponent == 0 { return 1 }
    if exponent > 0 {
        if exponent > 308 { return .infinity }
        return pow10PositiveBy32[exponent / 32] * pow10Table[exponent % 32]
    }
    if exponent < -323 { return 0 }
    return pow10NegativeBy32[-exponent / 32] / pow10Table[-exponent % 32]
}

private let pow10Table: [Double] = [
    1e00, 1e01, 1e02, 1e03, 1e04, 1e05, 1e06, 1e07, 1e08, 1e09,
    1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29,
    1e30, 1e31,
]
private let pow10PositiveBy32: [Double] = [1e00, 1e32, 1e64, 1e96, 1e128, 1e160, 1e192, 1e224, 1e256, 1e288]
private let pow10NegativeBy32: [Double] = [1e-00, 1e-32, 1e-64, 1e-96, 1e-128, 1e-160, 1e-192, 1e-224, 1e-256, 1e-288, Double(bitPattern: 0x7E8)]  // the last is 1e-320, a subnormal
