import GanTensor

/// The sliced Wasserstein-2 distance (Rabin et al. 2011; Bonneel et al. 2015; Deshpande et al.,
/// arXiv 1803.11188) between two empirical distributions P̂ (n points) and Q̂ (m points):
///
///     SW₂(P̂, Q̂) = ( (1/L) Σₗ W₂²(θₗ#P̂, θₗ#Q̂) )^½
///
/// θ₁…θ_L are unit directions drawn uniformly on the sphere (normalised standard normal vectors
/// from the evaluator's seed); θ#P̂ is the 1-D projection. W₂² between two 1-D empirical
/// measures is computed **exactly** from their quantile functions, which are step functions:
/// ∫₀¹ (F⁻¹(t) − G⁻¹(t))² dt, summed over the merged breakpoints {i/n} ∪ {j/m} — so n ≠ m is
/// fine and no interpolation is involved. Units are those of the samples (a distance, not a
/// squared one). Invariant to sample order; 0 for identical sets.
public struct SlicedWasserstein: Sendable {
    /// `[L, features]`, each row a unit vector.
    public let directions: [Float]
    public let projectionCount: Int
    public let features: Int

    public init(features: Int, projectionCount: Int, using generator: inout PhiloxGenerator) {
        precondition(features >= 1 && projectionCount >= 1, "SlicedWasserstein: empty shape")
        var values = [Float](repeating: 0, count: projectionCount * features)
        for l in 0..<projectionCount {
            var norm = 0.0
            var row = [Double](repeating: 0, count: features)
            repeat {
                for j in 0..<features { row[j] = Double(generator.nextNormal()) }
                norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            } while norm < 1e-12
            for j in 0..<features { values[l * features + j] = Float(row[j] / norm) }
        }
        self.directions = values
        self.projectionCount = projectionCount
        self.features = features
    }

    /// The projections of `samples` on every direction, each sorted ascending: `[L][count]`.
    /// Projections of a fixed reference can be computed once and reused.
    public func sortedProjections(_ samples: SampleSet) -> [[Float]] {
        precondition(samples.features == features, "SlicedWasserstein: \(samples.features) features, expected \(features)")
        guard samples.count > 0 else { return Array(repeating: [], count: projectionCount) }
        // [L, features] · [count, features]ᵀ → [L, count]: row l holds every sample's projection on θₗ.
        let projected = GradientMode.withGradientsDisabled {
            Tensor.matmul(Tensor(shape: [projectionCount, features], scalars: directions), samples.tensor, transposeB: true)
        }
        let all = projected.scalars
        return (0..<projectionCount).map { l in
            all[(l * samples.count)..<((l + 1) * samples.count)].sorted()
        }
    }

    /// SW₂ from sorted projections of the two sets; nil if either is empty or non-finite.
    public static func distance(_ a: [[Float]], _ b: [[Float]]) -> Double? {
        precondition(a.count == b.count, "SlicedWasserstein: \(a.count) and \(b.count) projections")
        guard !a.isEmpty else { return nil }
        var total = 0.0
        for (x, y) in zip(a, b) {
            guard let w = squaredWasserstein1D(sortedA: x, sortedB: y) else { return nil }
            total += w
        }
        return (total / Double(a.count)).squareRoot()
    }

    /// SW₂ between two sample sets.
    public func distance(_ a: SampleSet, _ b: SampleSet) -> Double? {
        Self.distance(sortedProjections(a), sortedProjections(b))
    }

    /// W₂² between the empirical measures of two sorted 1-D samples (weights 1/n and 1/m),
    /// exact: the quantile functions are step functions with breakpoints i/n and j/m.
    public static func squaredWasserstein1D(sortedA a: [Float], sortedB b: [Float]) -> Double? {
        let n = a.count, m = b.count
        guard n > 0 && m > 0 else { return nil }
        var i = 0, j = 0
        var level = 0.0, total = 0.0
        let dn = Double(n), dm = Double(m)
        while i < n && j < m {
            // Next breakpoints compared exactly in integers: (i+1)/n vs (j+1)/m.
            let left = (i + 1) * m, right = (j + 1) * n
            let next = left <= right ? Double(i + 1) / dn : Double(j + 1) / dm
            let difference = Double(a[i]) - Double(b[j])
            total += (next - level) * difference * difference
            level = next
            if left <= right { i += 1 }
            if right <= left { j += 1 }
        }
        return total.isFinite ? total : nil
    }
}
