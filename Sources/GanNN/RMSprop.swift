import CKernels
import GanTensor

/// RMSprop as PyTorch's `torch.optim.RMSprop` computes it (not centered, no momentum, no
/// weight decay); the WGAN paper's optimizer (arXiv 1701.07875):
///
///     v ← αv + (1−α)g²,  p ← p − lr · g / (√v + ε)
public final class RMSprop: Optimizer {
    public var learningRate: Float
    public let alpha: Float
    public let epsilon: Float
    public private(set) var stepCount = 0
    private let buffers = BufferSet()

    public init(learningRate: Float = 1e-2, alpha: Float = 0.99, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
    }

    public func step(_ parameters: [(path: String, tensor: Tensor)], gradients: [Tensor?]) {
        precondition(parameters.count == gradients.count, "RMSprop: \(parameters.count) parameters, \(gradients.count) gradients")
        stepCount += 1
        let (a, eps, lr) = (alpha, epsilon, learningRate)
        for ((path, parameter), gradient) in zip(parameters, gradients) {
            guard let gradient else { continue }
            precondition(gradient.shape == parameter.shape, "RMSprop: gradient \(gradient.shape) for \(path) \(parameter.shape)")
            let v = buffers.buffer(path, "square_average", count: parameter.count).tensor
            gradient.withUnsafeBufferPointer { g in
                v.withUnsafeMutableBufferPointer { v in
                    parameter.withUnsafeMutableBufferPointer { p in
                        guard p.count > 0 else { return }
                        // v ← αv + (1−α)g², p ← p − lr·(g / (√v + ε)), vectorized in C (CKernels).
                        ganpipe_rmsprop_update(p.baseAddress!, v.baseAddress!, g.baseAddress!, p.count, a, 1 - a, lr, eps)
                    }
                }
            }
        }
    }

    public func exportState() -> OptimizerState {
        OptimizerState(kind: "rmsprop", stepCount: stepCount, buffers: buffers.export())
    }

    public func importState(_ state: OptimizerState) throws(OptimizerStateError) {
        guard state.kind == "rmsprop" else { throw .wrongKind(expected: "rmsprop", found: state.kind) }
        stepCount = state.stepCount
        buffers.replace(with: state.buffers)
    }
}
