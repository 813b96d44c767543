import Foundation

/// The mean and covariance of a set of feature vectors, in Double.
public struct GaussianMoments: Sendable, Equatable {
    public let mean: [Double]
    /// Row-major `[d, d]`, unbiased (divides by n − 1).
    public let covariance: [Double]
    public let dimension: Int
    public let count: Int

    /// Moments of the rows of `samples` (at least 2 rows).
    public init(_ samples: SampleSet) {
        precondition(samples.count >= 2, "GaussianMoments: needs at least 2 samples, got \(samples.count)")
        let n = samples.count, d = samples.features
        var mean = [Double](repeating: 0, count: d)
        var covariance = [Double](repeating: 0, count: d * d)
        samples.values.withUnsafeBufferPointer { x in
            for i in 0..<n { for j in 0..<d { mean[j] += Double(x[i * d + j]) } }
            for j in 0..<d { mean[j] /= Double(n) }
            var centred = [Double](repeating: 0, count: d)
            for i in 0..<n {
                for j in 0..<d { centred[j] = Double(x[i * d + j]) - mean[j] }
                for j in 0..<d {
                    let cj = centred[j]
                    if cj == 0 { continue }
                    for k in j..<d { covariance[j * d + k] += cj * centred[k] }
                }
            }
        }
        for j in 0..<d {
            for k in j..<d {
                let value = covariance[j * d + k] / Double(n - 1)
                covariance[j * d + k] = value
                covariance[k * d + j] = value
            }
        }
        self.mean = mean
        self.covariance = covariance
        self.dimension = d
        self.count = n
    }
}

/// The Fréchet (2-Wasserstein) distance between the Gaussians fitted to two feature sets — FID
/// (Heusel et al., arXiv 1706.08500) with the evaluator's own classifier in place of Inception:
///
///     FD = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½)
///
/// Tr (Σ₁^½ Σ₂ Σ₁^½)^½ = Tr (Σ₁Σ₂)^½ is the sum of the square roots of the eigenvalues of the
/// symmetric PSD matrix Σ₁^½ Σ₂ Σ₁^½ (Jacobi, negative round-off clamped to 0), which avoids
/// the non-symmetric square root `scipy.linalg.sqrtm` takes. Like FID, the value is biased
/// upward at finite sample counts (the bias shrinks like 1/n): compare values at equal n only.
public enum FrechetDistance {
    public static func distance(_ a: GaussianMoments, _ b: GaussianMoments) -> Double? {
        precondition(a.dimension == b.dimension, "FrechetDistance: dimensions \(a.dimension) and \(b.dimension)")
        let d = a.dimension
        guard (a.mean + b.mean + a.covariance + b.covariance).allSatisfy(\.isFinite) else { return nil }
        var meanTerm = 0.0
        for j in 0..<d { let difference = a.mean[j] - b.mean[j]; meanTerm += difference * difference }
        let rootA = SymmetricEigen(a.covariance, dimension: d).applying { Swift.max($0, 0).squareRoot() }
        // M = √Σ₁ · Σ₂ · √Σ₁, symmetrised against round-off.
        let product = multiply(multiply(rootA, b.covariance, d), rootA, d)
        var symmetric = product
        for i in 0..<d { for j in 0..<d { symmetric[i * d + j] = 0.5 * (product[i * d + j] + product[j * d + i]) } }
        let traceRoot = SymmetricEigen(symmetric, dimension: d).values.reduce(0) { $0 + Swift.max($1, 0).squareRoot() }
        var trace = 0.0
        for j in 0..<d { trace += a.covariance[j * d + j] + b.covariance[j * d + j] }
        let value = meanTerm + trace - 2 * traceRoot
        return value.isFinite ? value : nil
    }

    static func multiply(_ x: [Double], _ y: [Double], _ d: Int) -> [Double] {
        var result = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for k in 0..<d {
                let xik = x[i * d + k]
                if xik == 0 { continue }
                for j in 0..<d { result[i * d + j] += xik * y[k * d + j] }
            }
        }
        return result
    }
}
