import Foundation
import GanRandom

/// The report's draws from ganpipe's SplitMix64, with Box–Muller normals, so a report is the
/// same every time it is made. (It does not reproduce the trainer's noise stream; it does not
/// need to.) Normals use libm's `log`, `sqrt` and `cos`.
extension SplitMix64 {
    /// Uniform in (0, 1): 53 random bits, never exactly 0.
    mutating func nextOpenUniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1p-53
    }

    /// Standard normal by Box–Muller (the cosine branch).
    mutating func nextBoxMullerNormal() -> Double {
        let u = nextOpenUniform(), v = nextOpenUniform()
        return sqrt(-2 * log(u)) * cos(2 * Double.pi * v)
    }
}
