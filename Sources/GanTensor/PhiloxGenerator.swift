import Foundation
@_exported import GanRandom

/// Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror & Shaw, "Parallel random
/// numbers: as easy as 1, 2, 3" (SC 2011) — the generator behind Random123, cuRAND and JAX.
///
/// A block is ten rounds of a keyed bijection on a 128-bit counter; each round multiplies two
/// words by 0xD2511F53 and 0xCD9E8D57, xors the high halves with the other words and the key,
/// and the key is bumped by (0x9E3779B9, 0xBB67AE85) between rounds. It reproduces Random123's
/// published `kat_vectors` (checked in a test).
///
/// How ganpipe uses it: the 64-bit key comes from `SplitMix64(seed).next()`; counter words 0–1
/// hold the block index and words 2–3 hold the **stream** id, so `stream(k)` gives independent,
/// non-overlapping sequences under one seed (noise, data sampling, interpolation α) — each
/// stream has 2⁶⁴ blocks. A block gives 128 bits = two `next()` outputs: words 0,1 then 2,3
/// (low word first).
///
/// The state is plain data (`key`, `stream`, `position`): `Codable`, restorable exactly from a
/// checkpoint, and the same seed gives the same bits on any machine; only `nextNormal` and
/// `fillNormal` also depend on glibc's `log`, `cos`, `sin` (Box–Muller, see below).
public struct PhiloxGenerator: RandomNumberGenerator, Codable, Hashable, Sendable {
    /// The 64-bit Philox key (words: low, high).
    public let key: UInt64
    /// The stream id, counter words 2–3.
    public let stream: UInt64
    /// Number of 64-bit outputs already drawn from this stream (block = position / 2).
    public private(set) var position: UInt64

    /// Generator for `seed`, stream `stream` (0 by default), at the start of its sequence.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var mixer = SplitMix64(seed: seed)
        self.init(key: mixer.next(), stream: stream, position: 0)
    }

    /// Generator at an exact state (restoring a checkpoint).
    public init(key: UInt64, stream: UInt64, position: UInt64) {
        self.key = key
        self.stream = stream
        self.position = position
    }

    /// An independent generator with the same key and another stream id, at its start.
    /// Streams never overlap: they differ in counter words 2–3.
    public func stream(_ id: UInt64) -> PhiloxGenerator {
        PhiloxGenerator(key: key, stream: id, position: 0)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let block = PhiloxGenerator.block(
            counter: (UInt32(truncatingIfNeeded: position >> 1), UInt32(truncatingIfNeeded: position >> 33),
                      UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32)),
            key: (UInt32(truncatingIfNeeded: key), UInt32(truncatingIfNeeded: key >> 32)))
        let high = position & 1 == 1
        position &+= 1
        return high ? UInt64(block.2) | UInt64(block.3) << 32 : UInt64(block.0) | UInt64(block.1) << 32
    }

    /// Uniform in [0, 1) with 24 random bits: `Float(next() >> 40) · 2⁻²⁴` (exact, no rounding).
    public mutating func nextUniformFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Uniform in [0, 1) with 53 random bits: `Double(next() >> 11) · 2⁻⁵³`.
    public mutating func nextUniformDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// One standard normal draw: the cosine half of a Box–Muller pair (the sine half is
    /// discarded so the state stays plain data). Uses two `next()` outputs.
    public mutating func nextNormal() -> Float {
        normalPair().0
    }

    /// Fills `buffer` with `mean + standardDeviation · z`, z standard normal, made pairwise by
    /// Box–Muller in Double: u₁ = (⌊next()/2¹¹⌋ + 1)·2⁻⁵³ ∈ (0, 1], u₂ = ⌊next()/2¹¹⌋·2⁻⁵³,
    /// r = √(−2 ln u₁), z₀ = r cos 2πu₂, z₁ = r sin 2πu₂, then rounded to Float. Element 2i gets
    /// z₀ and 2i+1 gets z₁ of pair i; an odd last element uses z₀. Bits depend on glibc's
    /// `log`/`cos`/`sin` (stable across x86-64 machines with the same glibc).
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>,
                                    mean: Float = 0, standardDeviation: Float = 1) {
        var i = 0
        while i < buffer.count {
            let (z0, z1) = normalPair()
            buffer[i] = mean + standardDeviation * z0
            if i + 1 < buffer.count { buffer[i + 1] = mean + standardDeviation * z1 }
            i += 2
        }
    }

    private mutating func normalPair() -> (Float, Float) {
        let u1 = (Double(next() >> 11) + 1) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        return (Float(radius * Foundation.cos(angle)), Float(radius * Foundation.sin(angle)))
    }

    /// One Philox4x32-10 block: ten rounds on `counter` under `key` (exposed for the published
    /// test vectors).
    public static func block(counter: (UInt32, UInt32, UInt32, UInt32),
                             key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var c = counter
        var k = key
        for round in 0..<10 {
            if round > 0 {
                k.0 &+= 0x9E37_79B9
                k.1 &+= 0xBB67_AE85
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c.0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c.2)
            c = (UInt32(truncatingIfNeeded: p1 >> 32) ^ c.1 ^ k.0, UInt32(truncatingIfNeeded: p1),
                 UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k.1, UInt32(truncatingIfNeeded: p0))
        }
        return c
    }
}

