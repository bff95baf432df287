/// Text and numbers as they go into the chart's SVG.
///
/// Formatting is done by hand rather than with Foundation's formatters so that the output does
/// not depend on the machine's locale and is identical on every platform.
enum ChartFormatting {
    /// Text for an XML text node or a quoted attribute value.
    ///
    /// Control characters that XML 1.0 forbids even when escaped become spaces, so a label from
    /// an arbitrary file name can never make the document malformed.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                let forbidden = scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value)
                result.unicodeScalars.append(forbidden ? " " : scalar)
            }
        }
        return result
    }

    /// A pixel coordinate with one decimal, the trailing ".0" dropped: a tenth of a pixel is
    /// below what any renderer shows, and short numbers keep long series small.
    static func coordinate(_ value: Double) -> String {
        // A coordinate far outside the image would only come from a degenerate scale; clamping
        // keeps the conversion to an integer from trapping.
        let clamped = value.isFinite ? min(max(value, -1e7), 1e7) : 0
        let tenths = Int((clamped * 10).rounded())
        let whole = tenths / 10
        let fraction = abs(tenths % 10)
        if fraction == 0 { return String(whole) }
        return (tenths < 0 && whole == 0 ? "-" : "") + "\(whole).\(fraction)"
    }

    /// `value` with exactly `decimals` digits after the point, without "-0".
    static func decimal(_ value: Double, decimals: Int) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "\(value)" }
        let places = max(0, min(decimals, 6))
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((abs(value) * Double(scale)).rounded())
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard places > 0 else { return sign + String(scaled) }
        let fraction = String(scaled % scale)
        return sign + "\(scaled / scale)." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// A rough width of `text` in a sans-serif face, for laying out legends and labels without
    /// font metrics. It errs wide so that neighbouring labels never touch.
    static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
        var ems = 0.0
        for character in text {
            switch character {
            case "i", "l", "j", "t", "f", "r", ".", ",", ":", ";", "|", "!", "'", "I", "(", ")", "[", "]", " ":
                ems += 0.33
            case "m", "w", "M", "W", "@", "%":
                ems += 0.88
            case "0"..."9":
                ems += 0.62
            default:
                ems += character.isUppercase ? 0.72 : 0.6
            }
        }
        return ems * fontSize
    }

    static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : String(value)
    }
}
