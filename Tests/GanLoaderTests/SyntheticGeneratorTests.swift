import GanLoader
import Testing

/// The toy distributions: determinism, the reference parameters, and metadata that lets the
/// evaluator count modes.
@Suite struct SyntheticGeneratorTests {
    func generate(_ kind: SyntheticKind, count: Int = 20_000, seed: UInt64 = 1) throws -> DatasetContent {
        try SyntheticGenerator(kind: kind, count: count, seed: seed).generate()
    }

    @Test(arguments: SyntheticKind.allCases)
    func sameSeedGivesTheSameBytes(kind: SyntheticKind) throws {
        let a = try generate(kind, count: 5000, seed: 9), b = try generate(kind, count: 5000, seed: 9)
        #expect(a.samples.bytes == b.samples.bytes)
        #expect(a.labels?.bytes == b.labels?.bytes)
        #expect(a.metadata == b.metadata)
        #expect(try generate(kind, count: 5000, seed: 10).samples.bytes != a.samples.bytes)
        #expect(a.samples.shape == [5000, 2] && a.samples.elementType == .float32)
        #expect(a.testCount == 500 && a.trainCount == 4500)
        #expect(a.samples.floatValues().allSatisfy { $0.isFinite })
    }

    /// Every sample sits within 5 std of its labelled mode, the empirical std matches the stored
    /// one, and the centres are where the reference puts them.
    @Test(arguments: [SyntheticKind.eightGaussians, .twentyFiveGaussians, .ring, .grid])
    func samplesClusterAroundTheStoredModes(kind: SyntheticKind) throws {
        let content = try generate(kind)
        let modes = try #require(content.metadata.modes)
        let std = try #require(content.metadata.modeStd)
        let labels = try #require(content.labels).integerValues()
        let values = content.samples.floatValues()
        var sumSquares = 0.0
        var counts = [Int](repeating: 0, count: modes.count)
        for i in 0..<content.sampleCount {
            let mode = modes[Int(labels[i])]
            let dx = Double(values[2 * i]) - mode[0], dy = Double(values[2 * i + 1]) - mode[1]
            #expect(dx * dx + dy * dy < 25 * 2 * std * std, "sample \(i) far from mode \(labels[i])")
            sumSquares += dx * dx + dy * dy
            counts[Int(labels[i])] += 1
        }
        let measured = (sumSquares / Double(2 * content.sampleCount)).squareRoot()
        #expect(abs(measured / std - 1) < 0.03, "std \(measured) vs stored \(std)")
        let expected = content.sampleCount / modes.count
        #expect(counts.allSatisfy { abs($0 - expected) < expected / 5 }, "\(counts)")
        if kind == .twentyFiveGaussians {
            #expect(counts.max()! - counts.min()! <= 1, "25gaussians gives every mode the same count")
        }
    }

    @Test func referenceParameters() throws {
        let eight = try generate(.eightGaussians).metadata
        #expect(eight.modes?.count == 8)
        #expect(abs((eight.modeStd ?? 0) - 0.02 / 1.414) < 1e-12)
        #expect(eight.modes?.contains { abs($0[0] - 2 / 1.414) < 1e-12 && $0[1] == 0 } == true)
        let twentyFive = try generate(.twentyFiveGaussians).metadata
        #expect(twentyFive.modes?.count == 25)
        #expect(abs((twentyFive.modeStd ?? 0) - 0.05 / 2.828) < 1e-12)
        #expect(twentyFive.modes?.contains { abs($0[0] + 4 / 2.828) < 1e-12 && abs($0[1] - 4 / 2.828) < 1e-12 } == true)
        let ring = try generate(.ring).metadata
        #expect(ring.modeStd == 0.01 && ring.modes?.allSatisfy { abs($0[0] * $0[0] + $0[1] * $0[1] - 1) < 1e-12 } == true)
        let grid = try generate(.grid).metadata
        #expect(grid.modeStd == 0.05 && grid.modes?.contains([4, -4]) == true)
        #expect(grid.generator == "grid" && grid.split == "generated")
    }

    @Test func swissrollFollowsSklearnScaledBySevenAndAHalf() throws {
        let content = try generate(.swissroll)
        #expect(content.labels == nil && content.metadata.modes == nil)
        let values = content.samples.floatValues()
        // t ∈ [1.5π, 4.5π]: the radius √(x²+y²)·7.5 ≈ t stays in [1.5π − 1, 4.5π + 1] with noise 0.25.
        for i in 0..<content.sampleCount {
            let radius = (Double(values[2 * i]) * Double(values[2 * i]) + Double(values[2 * i + 1]) * Double(values[2 * i + 1])).squareRoot() * 7.5
            #expect(radius > 1.5 * Double.pi - 1.2 && radius < 4.5 * Double.pi + 1.2)
        }
        #expect(content.metadata.parameters?["divisor"] == 7.5 && content.metadata.parameters?["std"] == 0.25)
    }

    @Test func refusesBadCountsAndFractions() {
        #expect(throws: LoaderError.self) { try SyntheticGenerator(kind: .ring, count: 0, seed: 1) }
        #expect(throws: LoaderError.self) { try SyntheticGenerator(kind: .ring, count: 10, seed: 1, testFraction: 1) }
        #expect(throws: LoaderError.self) { try SyntheticGenerator(kind: .ring, count: 10, seed: 1, testFraction: -0.1) }
        #expect(throws: LoaderError.self) { try SyntheticGenerator(kind: .ring, count: 10, seed: 1, testFraction: .nan) }
    }
}
