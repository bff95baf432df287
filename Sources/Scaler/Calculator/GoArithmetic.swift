/// Go's conversions where the Swift ones would trap, so results match upstream bit for bit.
///
/// Go converts an out-of-range or NaN float to an integer without complaint; on amd64 the
/// result is the "integer indefinite" value (the minimum of the 64-bit type), and a conversion
/// to int32 takes the low 32 bits of that. Upstream reaches these paths only with degenerate
/// input (a zero divisor), and Tidepool reproduces what it would do rather than crash.
enum GoArithmetic {
    static func int64(_ value: Double) -> Int64 {
        guard value.isFinite, value >= -9.223372036854775808e18, value < 9.223372036854775808e18 else {
            return Int64.min
        }
        return Int64(value)
    }

    static func int32(_ value: Double) -> Int32 {
        Int32(truncatingIfNeeded: int64(value))
    }

    /// `int32(math.Ceil(x))`.
    static func ceilInt32(_ value: Double) -> Int32 {
        int32(value.rounded(.up))
    }
}
