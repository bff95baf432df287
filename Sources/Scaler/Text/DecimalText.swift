/// Decimal digits written as UTF-8, shared by the JSON writer, sentences and `Quantity.decimal`.
enum DecimalText {
    /// The longest text `write` makes: "-9223372036854775808".
    static let maximumLength = 20

    /// Writes `number` (a minus sign when negative, then its digits) at `target`, which has
    /// room for `maximumLength` bytes; returns how many it wrote.
    @inline(__always)
    static func write(_ number: Int64, to target: UnsafeMutablePointer<UInt8>) -> Int {
        var magnitude = number.magnitude
        var length = number < 0 ? 2 : 1
        var rest = magnitude / 10
        while rest > 0 {
            length += 1
            rest /= 10
        }
        if number < 0 { target[0] = UInt8(ascii: "-") }
        var position = length
        repeat {
            position -= 1
            target[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        return length
    }

    /// The longest text `write(milli:to:)` makes: "-9223372036854775.808".
    static let maximumMilliLength = 21

    /// Writes milli-units at `target` (room for `maximumMilliLength` bytes), whole part, then
    /// the fraction's digits without trailing zeros: 1792500 is "1792.5". Returns the length.
    static func write(milli: Int64, to target: UnsafeMutablePointer<UInt8>) -> Int {
        var length = 0
        if milli < 0 {
            target[0] = UInt8(ascii: "-")
            length = 1
        }
        let magnitude = milli.magnitude
        // The whole part of Int64.min's magnitude still fits an Int64.
        length += write(Int64(magnitude / 1000), to: target + length)
        var fraction = magnitude % 1000
        guard fraction != 0 else { return length }
        target[length] = UInt8(ascii: ".")
        length += 1
        var divisor: UInt64 = 100
        while fraction != 0 {
            target[length] = UInt8(ascii: "0") + UInt8(fraction / divisor)
            length += 1
            fraction %= divisor
            divisor /= 10
        }
        return length
    }
}
