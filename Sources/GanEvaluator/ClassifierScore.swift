import Foundation

/// Scores of generated images read through the dataset's classifier.
///
/// - **Classifier score** — the Inception Score (Salimans et al., arXiv 1606.03498) with the
///   dataset's own classifier: exp( (1/n) Σᵢ KL(p(y|xᵢ) ‖ p̂(y)) ), p̂(y) = (1/n) Σᵢ p(y|xᵢ).
///   Between 1 (every sample gets the same label distribution) and the number of classes
///   (confident and balanced). Computed on one split of all n samples (not the 10-split mean
///   of the original), in nats inside the exp.
/// - **Classes covered** — classes that are the arg-max prediction of at least one sample (the
///   stacked-MNIST mode count of VEEGAN/PacGAN with the classes as modes).
/// - **Class reverse KL** — KL(ĥ ‖ q) in nats, ĥ the histogram of arg-max predictions and q the
///   label histogram of the held-out real data (uniform for balanced datasets).
public struct ClassifierScore: Equatable, Sendable {
    public var score: Double
    public var classesCovered: Int
    public var classCount: Int
    public var classReverseKL: Double?
    /// Share of samples whose prediction is the true label, when labels are known (real data).
    public var accuracy: Double?

    /// Scores the softmax probabilities `probabilities` (`[n][classes]`) against the label
    /// histogram `referenceHistogram` (counts per class of the real held-out data).
    public static func measure(_ probabilities: [[Double]], referenceHistogram: [Int], labels: [Int]? = nil) -> ClassifierScore {
        let classes = referenceHistogram.count
        let n = probabilities.count
        var marginal = [Double](repeating: 0, count: classes)
        var predicted = [Int](repeating: 0, count: classes)
        var correct = 0
        for (i, p) in probabilities.enumerated() {
            for k in 0..<classes { marginal[k] += p[k] / Double(n) }
            var best = 0
            for k in 1..<classes where p[k] > p[best] { best = k }
            predicted[best] += 1
            if let labels, labels[i] == best { correct += 1 }
        }
        var meanKL = 0.0
        for p in probabilities {
            var kl = 0.0
            for k in 0..<classes where p[k] > 0 { kl += p[k] * Foundation.log(p[k] / marginal[k]) }
            meanKL += kl / Double(n)
        }
        let referenceTotal = Double(referenceHistogram.reduce(0, +))
        var reverse: Double? = 0
        for k in 0..<classes where predicted[k] > 0 {
            let h = Double(predicted[k]) / Double(n)
            let q = Double(referenceHistogram[k]) / referenceTotal
            if q == 0 { reverse = nil; break }
            reverse! += h * Foundation.log(h / q)
        }
        return ClassifierScore(score: Foundation.exp(meanKL), classesCovered: predicted.filter { $0 > 0 }.count,
                               classCount: classes, classReverseKL: n == 0 ? nil : reverse,
                               accuracy: labels.map { _ in Double(correct) / Double(Swift.max(n, 1)) })
    }
}
