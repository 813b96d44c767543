import Foundation
import GanTensor

/// Softmax cross-entropy built from the autodiff's own primitives (max, exp, log, sum), so its
/// gradient — and its gradient of gradient — come from the existing rules.
public enum SoftmaxCrossEntropy {
    /// log softmax over the last axis, `[batch, classes] → [batch, classes]`:
    ///
    ///     log pᵢⱼ = zᵢⱼ − mᵢ − log Σₖ exp(zᵢₖ − mᵢ),   mᵢ = maxₖ zᵢₖ
    ///
    /// The shift m keeps exp from overflowing; the value does not depend on it, so it is
    /// detached (its exact gradient is zero). ∂/∂zᵢⱼ = ḡᵢⱼ − pᵢⱼ Σₖ ḡᵢₖ.
    public static func logSoftmax(_ logits: Tensor) -> Tensor {
        precondition(logits.rank == 2, "logSoftmax: needs [batch, classes], got \(logits.shape)")
        let shifted = logits - logits.max(alongAxes: [1], keepDims: true).detached()
        return shifted - shifted.exp().sum(alongAxes: [1], keepDims: true).log()
    }

    /// Mean cross-entropy −(1/B) Σᵢ log pᵢ,yᵢ of integer `labels` (`[batch]`, 0..<classes), as
    /// a scalar; PyTorch's `F.cross_entropy(logits, labels)`. ∂/∂z = (p − onehot(y)) / B.
    public static func loss(logits: Tensor, labels: [Int]) -> Tensor {
        let (batch, classes) = (logits.shape[0], logits.shape[1])
        precondition(labels.count == batch, "cross entropy: \(labels.count) labels for a batch of \(batch)")
        var oneHot = [Float](repeating: 0, count: batch * classes)
        for (i, label) in labels.enumerated() {
            precondition(label >= 0 && label < classes, "cross entropy: label \(label) outside 0..<\(classes)")
            oneHot[i * classes + label] = 1
        }
        let picked = (logSoftmax(logits) * Tensor(shape: [batch, classes], scalars: oneHot)).sum()
        return picked * (-1 / Float(batch))
    }

    /// Row-wise softmax probabilities in Double (no graph), `[count, classes]`.
    public static func probabilities(_ logits: SampleSet) -> [[Double]] {
        (0..<logits.count).map { i in
            let row = logits.row(i)
            let m = row.max() ?? 0
            let exps = row.map { Foundation.exp($0 - m) }
            let total = exps.reduce(0, +)
            return exps.map { $0 / total }
        }
    }
}
