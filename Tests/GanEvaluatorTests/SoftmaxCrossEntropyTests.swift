import Foundation
import GanEvaluator
import GanTensor
import GanTestSupport
import Testing

/// Log-softmax and cross-entropy built from max/exp/log/sum: values against the textbook
/// formula, gradients against finite differences at first and second order.
@Suite struct SoftmaxCrossEntropyTests {
    @Test func valuesMatchTheDefinitionEvenForHugeLogits() {
        let logits = Tensor(rows: [[1, 2, 3], [1000, 1001, 999], [-5, 0, 5]])
        let logProbabilities = SoftmaxCrossEntropy.logSoftmax(logits).scalars
        for (row, values) in [[1.0, 2, 3], [1000, 1001, 999], [-5, 0, 5]].enumerated() {
            let m = values.max()!
            let normaliser = log(values.reduce(0) { $0 + exp($1 - m) }) + m
            for k in 0..<3 {
                #expect(abs(Double(logProbabilities[row * 3 + k]) - (values[k] - normaliser)) < 1e-4)
            }
        }
        let loss = SoftmaxCrossEntropy.loss(logits: logits, labels: [2, 0, 1]).scalar
        let expected = -(Double(logProbabilities[2]) + Double(logProbabilities[3]) + Double(logProbabilities[7])) / 3
        #expect(abs(Double(loss) - expected) < 1e-5)
    }

    @Test func gradientsMatchFiniteDifferences() {
        var generator = PhiloxGenerator(seed: 4)
        let logits = Tensor.normal([5, 4], using: &generator)
        let first = TensorGradientCheck.firstOrder([logits]) { SoftmaxCrossEntropy.logSoftmax($0[0]) }
        #expect(first.passed, "\(first)")
        let second = TensorGradientCheck.secondOrder([logits]) { SoftmaxCrossEntropy.logSoftmax($0[0]) }
        #expect(second.passed, "\(second)")
        let lossCheck = TensorGradientCheck.firstOrder([logits]) { SoftmaxCrossEntropy.loss(logits: $0[0], labels: [0, 1, 2, 3, 0]) }
        #expect(lossCheck.passed, "\(lossCheck)")
        // ∂loss/∂z = (softmax − onehot) / B.
        let z = Tensor.normal([3, 3], using: &generator, requiresGradient: true)
        let gradient = gradients(of: SoftmaxCrossEntropy.loss(logits: z, labels: [1, 0, 2]), withRespectTo: [z])[0]!.scalars
        let p = SoftmaxCrossEntropy.logSoftmax(z.detached()).exp().scalars
        for (index, label) in [1, 0, 2].enumerated() {
            for k in 0..<3 {
                let expected = (p[index * 3 + k] - (k == label ? 1 : 0)) / 3
                #expect(abs(gradient[index * 3 + k] - expected) < 1e-6)
            }
        }
    }
}
