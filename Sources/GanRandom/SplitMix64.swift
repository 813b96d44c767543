/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014; reference code by Vigna, prng.di.unimi.it/splitmix64.c).
///
/// ganpipe's one SplitMix64: it turns a user's seed (often a small integer like 1, 2, 3) into a
/// well-mixed Philox key (GanTensor) or xoshiro256** state (GanLoader), so neighbouring seeds
/// give unrelated streams, and draws the report's own small samples. Its state is one UInt64.
///
///     state += 0x9E3779B97F4A7C15
///     z = state
///     z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
///     z = (z ^ (z >> 27)) * 0x94D049BB133111EB
///     return z ^ (z >> 31)
///
/// Published vector: seed 1234567 gives 6457827717110365317, 3203168211198807973,
/// 9817491932198370423, 4593380528125082431, 16408922859458223821 (checked in a test).
public struct SplitMix64: RandomNumberGenerator, Codable, Hashable, Sendable {
    /// The whole state: the next call adds the golden-ratio increment to it.
    public var state: UInt64

    /// Starts the sequence at `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
