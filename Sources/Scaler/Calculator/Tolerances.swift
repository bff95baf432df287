/// How far the usage ratio may stray from 1.0 before the controller acts, per direction
/// (`behavior.scaleUp.tolerance`, `behavior.scaleDown.tolerance`; the flag otherwise).
public struct Tolerances: Sendable, Equatable, CustomStringConvertible {
    public var scaleDown: Double
    public var scaleUp: Double

    public init(scaleDown: Double, scaleUp: Double) {
        self.scaleDown = scaleDown
        self.scaleUp = scaleUp
    }

    /// Upstream's `tolerancesForHpa`: the flag, overridden per direction by the behavior.
    public init(spec: HorizontalPodAutoscalerSpec, flag: Double) {
        self.scaleDown = spec.behavior?.scaleDown?.tolerance?.approximateDouble ?? flag
        self.scaleUp = spec.behavior?.scaleUp?.tolerance?.approximateDouble ?? flag
    }

    /// The ratio is close enough to 1.0 that no change is worth making.
    @inline(__always)
    public func isWithin(_ usageRatio: Double) -> Bool {
        (1.0 - scaleDown) <= usageRatio && usageRatio <= (1.0 + scaleUp)
    }

    public var description: String {
        let text: Sentence = "\(self)"
        return text.description
    }
}

extension Sentence.Interpolation {
    /// "±10%", or "-5%/+20%" when the directions differ.
    mutating func appendInterpolation(_ tolerances: Tolerances) {
        if tolerances.scaleDown == tolerances.scaleUp {
            appendLiteral("±")
            appendInterpolation(percent: tolerances.scaleUp)
        } else {
            appendLiteral("-")
            appendInterpolation(percent: tolerances.scaleDown)
            appendLiteral("/+")
            appendInterpolation(percent: tolerances.scaleUp)
        }
    }
}
