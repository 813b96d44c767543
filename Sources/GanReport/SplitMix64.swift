import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014) with Box–Muller normals: the report's own small
/// seeded generator for the noise of the samples it draws, so a report is the same every time
/// it is made. (It does not reproduce the trainer's noise stream; it does not need to.)
/// Normals use libm's `log`, `sqrt` and `cos`.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1): 53 random bits, never exactly 0.
    mutating func nextUniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1p-53
    }

    /// Standard normal by Box–Muller (the cosine branch).
    mutating func nextNormal() -> Double {
        let u = nextUniform(), v = nextUniform()
        return sqrt(-2 * log(u)) * cos(2 * Double.pi * v)
    }
}
