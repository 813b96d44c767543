import GanTensor

/// The energy distance of Székely & Rizzo ("Energy statistics", 2013) between the
/// distributions of X (generated, n points) and Y (real, m points):
///
///     E(X, Y) = 2·E‖X − Y‖ − E‖X − X′‖ − E‖Y − Y′‖
///
/// estimated with U-statistics: the cross term averages all n·m pairs, each within term all
/// ordered pairs i ≠ j (divides by n(n−1)), so the estimate is unbiased and may fall slightly
/// below 0 when the distributions are equal. E is the square of a metric on distributions
/// (E = 0 iff they are equal); it equals the MMD² of the kernel k(x, y) = −‖x − y‖ (no
/// bandwidth to choose). Units: those of the samples. O((n + m)²·d): pairwise distances in
/// Double for d ≤ 16, else ‖x‖² + ‖y‖² − 2x·y with a BLAS product in blocks.
public enum EnergyDistance {
    /// E from the three mean distances.
    public static func combine(cross: Double, withinA: Double, withinB: Double) -> Double {
        2 * cross - withinA - withinB
    }

    /// E between `a` and `b`; nil if either has fewer than 2 rows or a value is non-finite.
    public static func distance(_ a: SampleSet, _ b: SampleSet) -> Double? {
        guard let withinA = meanWithinDistance(a), let withinB = meanWithinDistance(b), let cross = meanDistance(a, b) else { return nil }
        return combine(cross: cross, withinA: withinA, withinB: withinB)
    }

    /// The mean Euclidean distance over all n·m pairs of rows of `a` and `b`; nil if a set is
    /// empty or a distance is not finite.
    public static func meanDistance(_ a: SampleSet, _ b: SampleSet) -> Double? {
        mean(a, b, within: false)
    }

    /// The mean Euclidean distance over the n(n−1) ordered pairs i ≠ j of rows of `a`; nil for
    /// fewer than 2 rows or a non-finite distance.
    public static func meanWithinDistance(_ a: SampleSet) -> Double? {
        mean(a, a, within: true)
    }

    static func mean(_ a: SampleSet, _ b: SampleSet, within: Bool) -> Double? {
        precondition(a.features == b.features, "EnergyDistance: \(a.features) and \(b.features) features")
        let pairs = within ? Double(a.count) * Double(a.count - 1) : Double(a.count) * Double(b.count)
        guard pairs > 0 else { return nil }
        let sum = a.features <= 16 ? directSum(a, b, within: within) : gramSum(a, b, within: within)
        let mean = sum / pairs
        return mean.isFinite ? mean : nil
    }

    /// Σ ‖aᵢ − bⱼ‖ in Double, excluding i = j when `within`.
    static func directSum(_ a: SampleSet, _ b: SampleSet, within: Bool) -> Double {
        let d = a.features
        var total = 0.0
        a.values.withUnsafeBufferPointer { x in
            b.values.withUnsafeBufferPointer { y in
                for i in 0..<a.count {
                    var row = 0.0
                    // Within a set, Σ over i ≠ j = 2 Σ over i < j.
                    let start = within ? i + 1 : 0
                    if start >= b.count { continue }
                    for j in start..<b.count {
                        var squared = 0.0
                        for k in 0..<d {
                            let difference = Double(x[i * d + k]) - Double(y[j * d + k])
                            squared += difference * difference
                        }
                        row += squared.squareRoot()
                    }
                    total += row
                }
            }
        }
        return within ? 2 * total : total
    }

    /// Σ ‖aᵢ − bⱼ‖ through Gram blocks (Float products, Double sums), excluding i = j when `within`.
    static func gramSum(_ a: SampleSet, _ b: SampleSet, within: Bool) -> Double {
        let d = a.features
        let blockRows = 256
        let bTensor = b.tensor
        let bNorms = squaredNorms(b)
        var total = 0.0
        GradientMode.withGradientsDisabled {
            var start = 0
            while start < a.count {
                let end = min(start + blockRows, a.count)
                let block = Tensor(shape: [end - start, d], scalars: Array(a.values[(start * d)..<(end * d)]))
                let products = Tensor.matmul(block, bTensor, transposeB: true).scalars
                let aNorms = squaredNorms(SampleSet(values: block.scalars, count: end - start, features: d))
                products.withUnsafeBufferPointer { p in
                    for r in 0..<(end - start) {
                        var row = 0.0
                        for j in 0..<b.count {
                            if within && j == start + r { continue }
                            let squared = aNorms[r] + bNorms[j] - 2 * Double(p[r * b.count + j])
                            row += Swift.max(squared, 0).squareRoot()
                        }
                        total += row
                    }
                }
                start = end
            }
        }
        return total
    }

    static func squaredNorms(_ a: SampleSet) -> [Double] {
        let d = a.features
        return a.values.withUnsafeBufferPointer { x in
            (0..<a.count).map { i in
                var sum = 0.0
                for k in 0..<d { let v = Double(x[i * d + k]); sum += v * v }
                return sum
            }
        }
    }
}
