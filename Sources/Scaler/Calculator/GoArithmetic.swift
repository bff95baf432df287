/// Go's conversions where the Swift ones would trap, so results match upstream bit for bit.
///
/// Go converts an out-of-range or NaN float to an integer without complaint; on amd64 the
/// result is the "integer indefinite" value, the minimum of the target type (CVTTSD2SQ for
/// int64, CVTTSD2SL for int32). Upstream reaches these paths only with degenerate input (a
/// zero divisor, an overflowing proposal), and Tidepool reproduces what it would do rather
/// than crash.
enum GoArithmetic {
    static func int64(_ value: Double) -> Int64 {
        guard value.isFinite, value >= -9.223372036854775808e18, value < 9.223372036854775808e18 else {
            return Int64.min
        }
        return Int64(value)
    }

    static func int32(_ value: Double) -> Int32 {
        guard value.isFinite, value > -2_147_483_649.0, value < 2_147_483_648.0 else {
            return Int32.min
        }
        return Int32(value)
    }

    /// `int32(math.Ceil(x))`.
    static func ceilInt32(_ value: Double) -> Int32 {
        int32(value.rounded(.up))
    }
}
