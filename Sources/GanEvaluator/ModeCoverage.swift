import Foundation

/// Mode-collapse metrics for datasets whose modes are known (8gaussians, 25gaussians, ring,
/// grid), as defined by VEEGAN (Srivastava et al., arXiv 1705.07761, §5.1) and PacGAN (Lin et
/// al., arXiv 1712.04086, §5):
///
/// - each sample x is assigned its nearest mode k(x) = argminₖ ‖x − μₖ‖₂;
/// - x is **high quality** when ‖x − μₖ₍ₓ₎‖₂ < 3σ, σ the per-axis standard deviation of the
///   modes (isotropic Gaussians) — the Mahalanobis distance below 3, as PacGAN's code computes it;
/// - a mode is **covered** when at least one high-quality sample is nearest to it;
/// - the **reverse KL** is KL(p̂ ‖ u) = Σₖ p̂ₖ log(p̂ₖ · K) in nats, p̂ the histogram of the
///   high-quality samples over the K modes (normalised), u uniform. "Reverse" because the
///   model's distribution comes first: it stays finite when modes are missed (0 ≤ KL ≤ log K;
///   log K means everything fell in one mode), whereas KL(u ‖ p̂) would be infinite. Undefined
///   (nil) when no sample is high quality.
///
/// For real data in d dimensions the share of high-quality samples is P(χ²_d < 9): 98.89% in
/// 2-D (1 − e^{−4.5}), so no generator scores 100% in expectation on a finite sample.
/// Non-finite samples are never high quality. Invariant to the order of the samples.
public struct ModeCoverage: Equatable, Sendable {
    public var modeCount: Int
    public var modesCovered: Int
    /// 100 · (high-quality samples) / (all samples).
    public var highQualityPercent: Double
    public var reverseKL: Double?
    /// High-quality samples nearest each mode.
    public var histogram: [Int]

    /// Measures `samples` against `modes` (`[K][features]`) of standard deviation `standardDeviation`.
    public static func measure(_ samples: SampleSet, modes: [[Double]], standardDeviation: Double,
                               threshold: Double = 3) -> ModeCoverage {
        precondition(!modes.isEmpty && modes.allSatisfy { $0.count == samples.features },
                     "ModeCoverage: modes do not have \(samples.features) coordinates")
        let limit = threshold * standardDeviation
        let limitSquared = limit * limit
        var histogram = [Int](repeating: 0, count: modes.count)
        let features = samples.features
        let centres = modes.flatMap { $0 }
        samples.values.withUnsafeBufferPointer { x in
            centres.withUnsafeBufferPointer { mu in
                for i in 0..<samples.count {
                    var best = Double.infinity, bestMode = -1
                    for k in 0..<modes.count {
                        var squared = 0.0
                        for j in 0..<features {
                            let difference = Double(x[i * features + j]) - mu[k * features + j]
                            squared += difference * difference
                        }
                        if squared < best { best = squared; bestMode = k }
                    }
                    // NaN distances never compare below the limit: non-finite samples are not high quality.
                    if bestMode >= 0 && best < limitSquared { histogram[bestMode] += 1 }
                }
            }
        }
        let highQuality = histogram.reduce(0, +)
        var reverseKL: Double? = nil
        if highQuality > 0 {
            let total = Double(highQuality), k = Double(modes.count)
            reverseKL = histogram.reduce(0.0) { sum, n in
                guard n > 0 else { return sum }
                let p = Double(n) / total
                return sum + p * Foundation.log(p * k)
            }
        }
        return ModeCoverage(modeCount: modes.count, modesCovered: histogram.filter { $0 > 0 }.count,
                            highQualityPercent: samples.count == 0 ? 0 : 100 * Double(highQuality) / Double(samples.count),
                            reverseKL: reverseKL, histogram: histogram)
    }
}
