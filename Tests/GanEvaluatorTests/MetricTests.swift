import Foundation
import GanEvaluator
import GanTensor
import Testing

/// The metrics as pure functions: known values, the sanity properties of issue 6, and
/// invariance to sample order.
@Suite struct MetricTests {
    static let eightModes: [[Double]] = (0..<8).map { k in
        let angle = Double(k) * Double.pi / 4
        return [2 * cos(angle) / 1.414, 2 * sin(angle) / 1.414]
    }
    static let std = 0.02 / 1.414

    /// `count` points from the 8-Gaussian mixture (uniform mode), shifted by `shift`.
    static func mixture(_ count: Int, seed: UInt64, shift: (Double, Double) = (0, 0)) -> SampleSet {
        var generator = PhiloxGenerator(seed: seed)
        var values: [Float] = []
        for _ in 0..<count {
            let centre = eightModes[generator.nextIndex(below: 8)]
            values.append(Float(centre[0] + std * Double(generator.nextNormal()) + shift.0))
            values.append(Float(centre[1] + std * Double(generator.nextNormal()) + shift.1))
        }
        return SampleSet(values: values, count: count, features: 2)
    }

    static func shuffled(_ samples: SampleSet, seed: UInt64) -> SampleSet {
        var generator = PhiloxGenerator(seed: seed)
        return samples.rows(SampleSet.permutation(count: samples.count, using: &generator))
    }

    @Test func realSamplesCoverEveryModeAtTheGaussianRate() {
        let coverage = ModeCoverage.measure(Self.mixture(20_000, seed: 3), modes: Self.eightModes, standardDeviation: Self.std)
        #expect(coverage.modesCovered == 8)
        // P(‖z‖ < 3) for a 2-D standard normal is 1 − e^{−4.5} = 98.89%; binomial sd at n = 20,000 is 0.074%.
        let expected = 100 * (1 - exp(-4.5))
        #expect(abs(coverage.highQualityPercent - expected) < 0.35, "\(coverage.highQualityPercent)")
        #expect(coverage.reverseKL! < 0.002)
    }

    @Test func aGeneratorCollapsedToOnePointCoversOneMode() {
        let point = Self.eightModes[5].map(Float.init)
        let collapsed = SampleSet(values: Array((0..<500).flatMap { _ in point }), count: 500, features: 2)
        let coverage = ModeCoverage.measure(collapsed, modes: Self.eightModes, standardDeviation: Self.std)
        #expect(coverage.modesCovered == 1 && coverage.highQualityPercent == 100)
        #expect(abs(coverage.reverseKL! - log(8.0)) < 1e-12)
        // Between two modes: nothing is high quality, KL undefined.
        let between = SampleSet(values: Array(repeating: 0, count: 1000), count: 500, features: 2)
        let none = ModeCoverage.measure(between, modes: Self.eightModes, standardDeviation: Self.std)
        #expect(none.modesCovered == 0 && none.highQualityPercent == 0 && none.reverseKL == nil)
    }

    @Test func nonFiniteSamplesAreNeverHighQuality() {
        var samples = Self.mixture(100, seed: 4)
        samples.values[0] = .nan
        samples.values[3] = .infinity
        let coverage = ModeCoverage.measure(samples, modes: Self.eightModes, standardDeviation: Self.std)
        #expect(coverage.histogram.reduce(0, +) <= 98)
    }

    @Test func oneDimensionalWassersteinIsExactForUnequalSizes() {
        #expect(SlicedWasserstein.squaredWasserstein1D(sortedA: [0], sortedB: [1]) == 1)
        #expect(SlicedWasserstein.squaredWasserstein1D(sortedA: [0, 1], sortedB: [0, 0, 1, 1]) == 0)
        // Quantile functions 0|1 at 1/2 and 0|½|1 at 1/3, 2/3: (1/6)·¼ + (1/6)·¼ = 1/12.
        let w = SlicedWasserstein.squaredWasserstein1D(sortedA: [0, 1], sortedB: [0, 0.5, 1])!
        #expect(abs(w - 1.0 / 12) < 1e-12)
    }

    @Test func slicedWassersteinOfATranslationIsItsLengthOverRootTwo() {
        // Every projection moves by θ·v; the mean of (θ·v)² over the circle is ‖v‖²/2.
        var generator = PhiloxGenerator(seed: 9)
        let slicer = SlicedWasserstein(features: 2, projectionCount: 2048, using: &generator)
        let samples = Self.mixture(1000, seed: 5)
        let moved = SampleSet(values: zip(samples.values, (0..<samples.values.count)).map { $0 + ($1 % 2 == 0 ? 0.3 : 0.4) },
                              count: samples.count, features: 2)
        let distance = slicer.distance(samples, moved)!
        #expect(abs(distance - 0.5 / 2.0.squareRoot()) < 0.01, "\(distance)")
        #expect(slicer.distance(samples, samples)! < 1e-6)
    }

    @Test func energyDistanceMatchesItsDefinition() {
        let zeros = SampleSet(values: [0, 0], count: 2, features: 1)
        let threes = SampleSet(values: [3, 3], count: 2, features: 1)
        #expect(EnergyDistance.distance(zeros, threes) == 6)  // 2·3 − 0 − 0
        // Brute force on random 5-D sets (direct path) and 20-D sets (Gram path).
        for features in [5, 20] {
            var generator = PhiloxGenerator(seed: UInt64(features))
            let a = SampleSet(Tensor.normal([40, features], using: &generator))
            let b = SampleSet(Tensor.normal([30, features], mean: 0.5, using: &generator))
            func d(_ x: SampleSet, _ i: Int, _ y: SampleSet, _ j: Int) -> Double {
                zip(x.row(i), y.row(j)).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
            }
            var cross = 0.0, withinA = 0.0, withinB = 0.0
            for i in 0..<40 { for j in 0..<30 { cross += d(a, i, b, j) } }
            for i in 0..<40 { for j in 0..<40 where i != j { withinA += d(a, i, a, j) } }
            for i in 0..<30 { for j in 0..<30 where i != j { withinB += d(b, i, b, j) } }
            let expected = 2 * cross / 1200 - withinA / (40 * 39) - withinB / (30 * 29)
            let computed = EnergyDistance.distance(a, b)!
            #expect(abs(computed - expected) < 1e-4 * abs(expected) + 1e-5, "\(features) features: \(computed) vs \(expected)")
        }
    }

    /// Held-out real data scores near zero; a shifted copy scores larger than the data itself.
    @Test func aShiftedCopyIsFartherThanTheDataItself() {
        let reference = Self.mixture(2000, seed: 11)
        let real = Self.mixture(2500, seed: 12)
        let shifted = Self.mixture(2500, seed: 12, shift: (0.25, 0))
        var generator = PhiloxGenerator(seed: 1)
        let slicer = SlicedWasserstein(features: 2, projectionCount: 256, using: &generator)
        let realSW = slicer.distance(real, reference)!, shiftedSW = slicer.distance(shifted, reference)!
        let realEnergy = EnergyDistance.distance(real, reference)!, shiftedEnergy = EnergyDistance.distance(shifted, reference)!
        // SW₂ between finite samples of a mixture has a floor from the sampling noise of the mode
        // proportions (≈ 0.16 here); a shift by 0.25 adds about 0.25²/2 to SW₂².
        #expect(realSW < 0.2 && shiftedSW > 1.3 * realSW, "\(realSW) \(shiftedSW)")
        #expect(abs(realEnergy) < 0.005 && shiftedEnergy > 10 * abs(realEnergy), "\(realEnergy) \(shiftedEnergy)")
    }

    @Test func everyMetricIsInvariantToSampleOrder() {
        let samples = Self.mixture(700, seed: 21), reference = Self.mixture(500, seed: 22)
        let permuted = Self.shuffled(samples, seed: 5)
        #expect(permuted.values != samples.values, "the permutation must move something")
        var generator = PhiloxGenerator(seed: 1)
        let slicer = SlicedWasserstein(features: 2, projectionCount: 64, using: &generator)
        #expect(ModeCoverage.measure(samples, modes: Self.eightModes, standardDeviation: Self.std)
                == ModeCoverage.measure(permuted, modes: Self.eightModes, standardDeviation: Self.std))
        // Projections come from a BLAS product whose rounding may depend on a row's position: ulps.
        let sw = slicer.distance(samples, reference)!, permutedSW = slicer.distance(permuted, reference)!
        #expect(abs(sw - permutedSW) <= 1e-6 * sw)
        let energy = EnergyDistance.distance(samples, reference)!, permutedEnergy = EnergyDistance.distance(permuted, reference)!
        #expect(abs(energy - permutedEnergy) <= 1e-12 * max(1, abs(energy)))
        let fd = FrechetDistance.distance(GaussianMoments(samples), GaussianMoments(reference))!
        let permutedFD = FrechetDistance.distance(GaussianMoments(permuted), GaussianMoments(reference))!
        #expect(abs(fd - permutedFD) <= 1e-9 * max(1, fd))
    }

    @Test func frechetDistanceHasItsClosedFormForShiftsAndScalings() {
        // Correlated 6-D Gaussian samples: x = A z.
        var generator = PhiloxGenerator(seed: 8)
        let z = Tensor.normal([3000, 6], using: &generator)
        let mixing = Tensor.normal([6, 6], using: &generator)
        let a = SampleSet(Tensor.matmul(z, mixing))
        let moments = GaussianMoments(a)
        #expect(FrechetDistance.distance(moments, moments)! < 1e-8)
        // A shift by c: ‖c‖².
        let c: [Float] = [0.5, -1, 0, 2, 0.25, 1]
        let shifted = SampleSet(values: a.values.enumerated().map { $1 + c[$0 % 6] }, count: a.count, features: 6)
        let shiftDistance = FrechetDistance.distance(moments, GaussianMoments(shifted))!
        #expect(abs(shiftDistance - c.reduce(0) { $0 + Double($1 * $1) }) < 1e-6 * shiftDistance)
        // A scaling by k: (k − 1)² Tr Σ, which needs the matrix square root to be right.
        let k: Float = 1.7
        let scaled = SampleSet(values: a.values.map { $0 * k }, count: a.count, features: 6)
        let trace = (0..<6).reduce(0.0) { $0 + moments.covariance[$1 * 6 + $1] }
        let expected = Double((k - 1) * (k - 1)) * trace + moments.mean.reduce(0) { $0 + $1 * $1 } * Double((k - 1) * (k - 1))
        let scaleDistance = FrechetDistance.distance(moments, GaussianMoments(scaled))!
        #expect(abs(scaleDistance - expected) < 1e-4 * expected, "\(scaleDistance) vs \(expected)")
    }

    @Test func jacobiFindsTheEigenvaluesOfASymmetricMatrix() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        let eigen = SymmetricEigen([2, 1, 1, 2], dimension: 2)
        #expect(Set(eigen.values.map { ($0 * 1e9).rounded() / 1e9 }) == [1, 3])
        // V diag(λ) Vᵀ reconstructs a random symmetric matrix.
        var generator = PhiloxGenerator(seed: 2)
        let n = 12
        let r = Tensor.normal([n, n], using: &generator).scalars.map(Double.init)
        var symmetric = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { symmetric[i * n + j] = r[i * n + j] + r[j * n + i] } }
        let rebuilt = SymmetricEigen(symmetric, dimension: n).applying { $0 }
        #expect(zip(rebuilt, symmetric).allSatisfy { abs($0 - $1) < 1e-10 })
    }

    @Test func classifierScoreRunsFromOneToTheClassCount() {
        let confident = (0..<40).map { i in (0..<4).map { $0 == i % 4 ? 1.0 : 0.0 } }
        let score = ClassifierScore.measure(confident, referenceHistogram: [10, 10, 10, 10])
        #expect(abs(score.score - 4) < 1e-9 && score.classesCovered == 4 && abs(score.classReverseKL!) < 1e-12)
        let same = (0..<40).map { _ in [0.7, 0.1, 0.1, 0.1] }
        let collapsed = ClassifierScore.measure(same, referenceHistogram: [10, 10, 10, 10])
        #expect(abs(collapsed.score - 1) < 1e-9 && collapsed.classesCovered == 1 && abs(collapsed.classReverseKL! - log(4.0)) < 1e-12)
    }
}
