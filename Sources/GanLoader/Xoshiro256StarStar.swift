import Foundation
import GanRandom

/// The loader's own seedable random generator: xoshiro256** 1.0 (Blackman & Vigna, 2018,
/// https://prng.di.unimi.it/xoshiro256starstar.c), its 256-bit state filled from the seed by
/// SplitMix64 as its authors recommend. The loader cannot use the tensor library's generator,
/// and never uses `SystemRandomNumberGenerator`.
///
/// Determinism: the integer stream depends on the seed alone. `nextUniform()` is exact bit
/// arithmetic; `nextNormal()` uses Box–Muller and so depends on libm's `log`, `cos`, `sin`
/// (glibc's are the same on every x86-64 Debian 12 machine). Same seed, same libm → same bytes.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Equatable {
    /// The four state words; plain data, so a caller may save and restore a stream.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)
    /// The second normal of the last Box–Muller pair, handed out by the next call.
    private var spareNormal: Double?

    /// A generator seeded through SplitMix64 (so seeds 0, 1, 2 give unrelated streams).
    public init(seed: UInt64) {
        var splitMix = SplitMix64(seed: seed)
        state = (splitMix.next(), splitMix.next(), splitMix.next(), splitMix.next())
    }

    /// A generator with exactly this state (not all zero), e.g. for published test vectors.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
        self.state = state
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.state == rhs.state && lhs.spareNormal == rhs.spareNormal
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = (state.1 &* 5).rotatedLeft(by: 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = state.3.rotatedLeft(by: 45)
        return result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A standard normal N(0, 1) by Box–Muller: z₀ = √(−2 ln u₁)·cos 2πu₂,
    /// z₁ = √(−2 ln u₁)·sin 2πu₂, with u₁ ∈ (0, 1]. Pairs are used in order.
    public mutating func nextNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let u1 = 1 - nextUniform()
        let u2 = nextUniform()
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareNormal = radius * Foundation.sin(angle)
        return radius * Foundation.cos(angle)
    }

    /// Shuffles `values` in place (Fisher–Yates, from the end).
    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, nextIndex(below: i + 1))
        }
    }
}

extension UInt64 {
    func rotatedLeft(by count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
