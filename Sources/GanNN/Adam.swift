import CKernels
import Foundation
import GanTensor

/// Adam (Kingma & Ba, arXiv 1412.6980) exactly as PyTorch's `torch.optim.Adam` computes it
/// (no weight decay, no AMSGrad):
///
///     m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
///     p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
///
/// The bias corrections are computed in Double, the elementwise update in Float.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public private(set) var stepCount = 0
    private let buffers = BufferSet()

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public func step(_ parameters: [(path: String, tensor: Tensor)], gradients: [Tensor?]) {
        precondition(parameters.count == gradients.count, "Adam: \(parameters.count) parameters, \(gradients.count) gradients")
        stepCount += 1
        let correction1 = 1 - Foundation.pow(Double(beta1), Double(stepCount))
        let correction2 = 1 - Foundation.pow(Double(beta2), Double(stepCount))
        let stepSize = Float(Double(learningRate) / correction1)
        let rootCorrection2 = Float(correction2.squareRoot())
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        for ((path, parameter), gradient) in zip(parameters, gradients) {
            guard let gradient else { continue }
            precondition(gradient.shape == parameter.shape, "Adam: gradient \(gradient.shape) for \(path) \(parameter.shape)")
            let m = buffers.buffer(path, "m", count: parameter.count).tensor
            let v = buffers.buffer(path, "v", count: parameter.count).tensor
            gradient.withUnsafeBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        parameter.withUnsafeMutableBufferPointer { p in
                            Self.update(p, m, v, g, beta1: b1, beta2: b2, epsilon: eps, stepSize: stepSize,
                                        rootCorrection2: rootCorrection2)
                        }
                    }
                }
            }
        }
    }

    /// The elementwise update, in C (`CKernels`): vectorized square roots and divisions, the
    /// same IEEE operations in the same order as the formula above, so bit-identical to it.
    @inline(__always)
    static func update(_ p: UnsafeMutableBufferPointer<Float>, _ m: UnsafeMutableBufferPointer<Float>,
                       _ v: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>,
                       beta1 b1: Float, beta2 b2: Float, epsilon eps: Float, stepSize: Float, rootCorrection2: Float) {
        guard p.count > 0 else { return }
        ganpipe_adam_update(p.baseAddress!, m.baseAddress!, v.baseAddress!, g.baseAddress!, p.count,
                            b1, b2, 1 - b1, 1 - b2, eps, stepSize, rootCorrection2)
    }

    public func exportState() -> OptimizerState {
        OptimizerState(kind: "adam", stepCount: stepCount, buffers: buffers.export())
    }

    public func importState(_ state: OptimizerState) throws(OptimizerStateError) {
        guard state.kind == "adam" else { throw .wrongKind(expected: "adam", found: state.kind) }
        stepCount = state.stepCount
        buffers.replace(with: state.buffers)
    }
}
