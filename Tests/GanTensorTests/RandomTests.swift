import Foundation
import GanTensor
import Testing

/// The generators reproduce their published vectors, their state round-trips exactly through
/// Codable, streams are independent, and draws have the advertised distributions.
struct RandomTests {
    /// Random123 `kat_vectors`, the three philox4x32 10-round lines (counter, key → output).
    @Test func philoxMatchesPublishedVectors() {
        let zero = PhiloxGenerator.block(counter: (0, 0, 0, 0), key: (0, 0))
        #expect([zero.0, zero.1, zero.2, zero.3] == [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
        let ones = PhiloxGenerator.block(counter: (.max, .max, .max, .max), key: (.max, .max))
        #expect([ones.0, ones.1, ones.2, ones.3] == [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
        let pi = PhiloxGenerator.block(counter: (0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344),
                                       key: (0xa409_3822, 0x299f_31d0))
        #expect([pi.0, pi.1, pi.2, pi.3] == [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
    }

    @Test func nextUsesBlocksLowWordFirst() {
        var generator = PhiloxGenerator(key: 0, stream: 0, position: 0)
        #expect(generator.next() == 0xe169_c58d_6627_e8d5)
        #expect(generator.next() == 0x9b00_dbd8_bc57_ac4c)
    }

    @Test func splitMix64MatchesPublishedVector() {
        var generator = SplitMix64(seed: 1_234_567)
        let expected: [UInt64] = [6_457_827_717_110_365_317, 3_203_168_211_198_807_973,
                                  9_817_491_932_198_370_423, 4_593_380_528_125_082_431,
                                  16_408_922_859_458_223_821]
        #expect((0..<5).map { _ in generator.next() } == expected)
    }

    @Test func stateRoundTripsThroughCodable() throws {
        var generator = PhiloxGenerator(seed: 42, stream: 3)
        for _ in 0..<7 { _ = generator.next() }   // odd position: mid-block
        let data = try JSONEncoder().encode(generator)
        var restored = try JSONDecoder().decode(PhiloxGenerator.self, from: data)
        #expect(restored == generator)
        #expect((0..<100).map { _ in restored.next() } == (0..<100).map { _ in generator.next() })
        let restoredFromFields = PhiloxGenerator(key: generator.key, stream: generator.stream, position: generator.position)
        #expect(restoredFromFields == generator)
    }

    @Test func sameSeedSameBitsAndStreamsDiffer() {
        var a = PhiloxGenerator(seed: 7), b = PhiloxGenerator(seed: 7)
        let noise = a.stream(1), sampling = a.stream(2)
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
        var n = noise, s = sampling, c = PhiloxGenerator(seed: 8)
        let first = (0..<4).map { _ in n.next() }
        #expect(first != (0..<4).map { _ in s.next() })
        #expect(first != (0..<4).map { _ in c.next() })
        #expect(noise.key == a.key && noise.stream == 1)
    }

    @Test func uniformFloatsAreExactAndInRange() {
        var generator = PhiloxGenerator(seed: 1)
        var copy = generator
        let u = generator.nextUniformFloat()
        #expect(u == Float(copy.next() >> 40) * 0x1p-24)
        let t = Tensor.uniform([10_000], low: -2, high: 3, using: &generator)
        let values = t.scalars
        #expect(values.allSatisfy { $0 >= -2 && $0 < 3 })
        let mean = values.reduce(0, +) / Float(values.count)
        #expect(Swift.abs(mean - 0.5) < 0.05)
    }

    @Test func normalsHaveUnitMomentsAndAreReproducible() {
        var generator = PhiloxGenerator(seed: 2024)
        let t = Tensor.normal([100_001], mean: 1, standardDeviation: 2, using: &generator)
        let values = t.scalars.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        #expect(Swift.abs(mean - 1) < 0.03)
        #expect(Swift.abs(variance.squareRoot() - 2) < 0.03)
        let within1 = values.filter { Swift.abs($0 - 1) < 2 }.count
        #expect(Swift.abs(Double(within1) / Double(values.count) - 0.6827) < 0.01)
        var again = PhiloxGenerator(seed: 2024)
        #expect(Tensor.normal([100_001], mean: 1, standardDeviation: 2, using: &again).scalars == t.scalars)
        #expect(generator == again)
    }

    @Test func indicesAreUnbiasedAndInRange() {
        var generator = PhiloxGenerator(seed: 5)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[generator.nextIndex(below: 6)] += 1 }
        #expect(counts.allSatisfy { Swift.abs($0 - 10_000) < 400 })
    }
}
