/// SplitMix64 (Steele, Lea, Flood 2014; Vigna's reference constants).
///
/// A tiny, fast, seedable generator so `random` balancing is reproducible in tests; `package`
/// so the framing fuzz target (Fuzz/jsonrpc) draws its chunk sizes from it too.
/// Not cryptographic; load balancing only needs a uniform spread.
///
/// Invariants:
/// - `state` advances by the golden-ratio increment on every call, so the period is 2^64.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) {
        state = seed
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
