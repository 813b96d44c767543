import Foundation
import GanTensor

/// Simple anomaly detectors fitted to the same training data as a GAN, so its scores can be
/// judged against them (`ganpipe score --normal-class`): the PCA reconstruction error (the
/// squared distance to the principal subspace that holds `variance` of the training variance,
/// at most `maxComponents` directions) and the mean Euclidean distance to the `k` nearest
/// training samples.
public struct AnomalyBaselines {
    public let training: SampleSet
    let mean: [Double]
    /// Principal directions, each `features` long, largest variance first.
    let components: [[Double]]

    public init(training: SampleSet, variance: Double = 0.9, maxComponents: Int = 64) {
        self.training = training
        let (n, d) = (training.count, training.features)
        var mean = [Double](repeating: 0, count: d)
        for row in 0..<n { for j in 0..<d { mean[j] += Double(training.values[row * d + j]) } }
        mean = mean.map { $0 / Double(max(n, 1)) }
        // Covariance through BLAS: Xcᵀ·Xc / (n − 1).
        let centred = Tensor(shape: [n, d], scalars: (0..<(n * d)).map { Float(Double(training.values[$0]) - mean[$0 % d]) })
        let covariance = GradientMode.withGradientsDisabled { centred.matmul(centred, transposeSelf: true) }.scalars.map { Double($0) / Double(max(n - 1, 1)) }
        let eigen = SymmetricEigen(covariance, dimension: d)
        let order = (0..<d).sorted { eigen.values[$0] > eigen.values[$1] }
        let total = max(eigen.values.reduce(0) { $0 + max($1, 0) }, 1e-30)
        var kept: [[Double]] = [], explained = 0.0
        for index in order where kept.count < maxComponents && explained < variance * total && kept.count < d - 1 {
            kept.append((0..<d).map { eigen.vectors[$0 * d + index] })
            explained += max(eigen.values[index], 0)
        }
        self.mean = mean
        self.components = kept
    }

    /// ‖x − μ − P Pᵀ (x − μ)‖² per sample.
    public func pcaScores(_ samples: SampleSet) -> [Float] {
        let d = samples.features
        return (0..<samples.count).map { row in
            let centred = (0..<d).map { Double(samples.values[row * d + $0]) - mean[$0] }
            var residual = centred
            for component in components {
                let projection = zip(centred, component).reduce(0) { $0 + $1.0 * $1.1 }
                for j in 0..<d { residual[j] -= projection * component[j] }
            }
            return Float(residual.reduce(0) { $0 + $1 * $1 })
        }
    }

    /// The mean distance to the `k` nearest training samples, per sample.
    public func nearestNeighbourScores(_ samples: SampleSet, k: Int = 5, batchSize: Int = 256) -> [Float] {
        let (n, d) = (training.count, training.features)
        let k = min(k, n)
        let reference = Tensor(shape: [n, d], scalars: training.values)
        let referenceNorms = (0..<n).map { row in (0..<d).reduce(Float(0)) { $0 + training.values[row * d + $1] * training.values[row * d + $1] } }
        var scores: [Float] = []
        var start = 0
        while start < samples.count {
            let end = min(start + batchSize, samples.count)
            let batch = Array(samples.values[(start * d)..<(end * d)])
            let products = GradientMode.withGradientsDisabled { Tensor(shape: [end - start, d], scalars: batch).matmul(reference, transposeOther: true) }.scalars
            for row in 0..<(end - start) {
                let norm = (0..<d).reduce(Float(0)) { $0 + batch[row * d + $1] * batch[row * d + $1] }
                let distances = (0..<n).map { max(norm + referenceNorms[$0] - 2 * products[row * n + $0], 0).squareRoot() }
                scores.append(distances.sorted().prefix(k).reduce(0, +) / Float(k))
            }
            start = end
        }
        return scores
    }

    /// The area under the ROC curve of `scores` for telling `anomalous` samples from the others
    /// (higher score = more anomalous): the probability that an anomalous sample outscores a
    /// normal one, ties counting half (Mann–Whitney U). nil without both kinds.
    public static func auroc(_ scores: [Float], anomalous: [Bool]) -> Double? {
        let positives = anomalous.filter { $0 }.count, negatives = anomalous.count - positives
        guard positives > 0, negatives > 0, scores.count == anomalous.count else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0, index = 0
        while index < order.count {
            var end = index
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[index]] { end += 1 }
            let rank = Double(index + end) / 2 + 1
            for position in index...end where anomalous[order[position]] { rankSum += rank }
            index = end + 1
        }
        return (rankSum - Double(positives * (positives + 1)) / 2) / Double(positives * negatives)
    }
}
