import GanLoader
import Testing

/// The loader's xoshiro256** against its reference and the properties the generators rely on.
@Suite struct RandomGeneratorTests {
    @Test func matchesTheReferenceImplementation() {
        // xoshiro256starstar.c with s = {1, 2, 3, 4}: the first outputs are 11520, 0, 1509978240.
        var random = Xoshiro256StarStar(state: (1, 2, 3, 4))
        #expect(random.next() == 11520)
        #expect(random.next() == 0)
        #expect(random.next() == 1_509_978_240)
        #expect(random.next() == 1_215_971_899_390_074_240)
    }

    @Test func seedingGoesThroughSplitMix64() {
        // SplitMix64 from 0 yields 0xE220A8397B1DCDAF first (Vigna's splitmix64.c).
        let random = Xoshiro256StarStar(seed: 0)
        #expect(random.state.0 == 0xE220_A839_7B1D_CDAF)
        #expect(Xoshiro256StarStar(seed: 1).state != Xoshiro256StarStar(seed: 2).state)
    }

    @Test func sameSeedSameStream() {
        var a = Xoshiro256StarStar(seed: 42), b = Xoshiro256StarStar(seed: 42)
        for _ in 0..<1000 {
            #expect(a.next() == b.next())
        }
        #expect(a.nextNormal() == b.nextNormal())
    }

    @Test func uniformsIndicesAndNormalsHaveTheRightMoments() {
        var random = Xoshiro256StarStar(seed: 7)
        let count = 200_000
        var sum = 0.0, sumSquares = 0.0, uniformSum = 0.0
        var buckets = [Int](repeating: 0, count: 10)
        for _ in 0..<count {
            let z = random.nextNormal()
            sum += z
            sumSquares += z * z
            let u = random.nextUniform()
            #expect(u >= 0 && u < 1)
            uniformSum += u
            buckets[random.nextIndex(below: 10)] += 1
        }
        let mean = sum / Double(count)
        #expect(abs(mean) < 0.01)
        #expect(abs(sumSquares / Double(count) - mean * mean - 1) < 0.02)
        #expect(abs(uniformSum / Double(count) - 0.5) < 0.005)
        #expect(buckets.allSatisfy { abs($0 - count / 10) < count / 100 })
    }

    @Test func shuffleIsAPermutationAndDeterministic() {
        var a = Xoshiro256StarStar(seed: 3), b = Xoshiro256StarStar(seed: 3)
        var first = Array(0..<100), second = Array(0..<100)
        a.shuffle(&first)
        b.shuffle(&second)
        #expect(first == second)
        #expect(first != Array(0..<100))
        #expect(first.sorted() == Array(0..<100))
    }
}
