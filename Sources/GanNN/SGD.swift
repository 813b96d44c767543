import GanTensor

/// Stochastic gradient descent with optional momentum, as PyTorch's `torch.optim.SGD`
/// (dampening 0, not Nesterov, no weight decay):
///
///     b ← g on the first step, else b ← μb + g;   p ← p − lr · b   (μ = 0: p ← p − lr · g)
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public private(set) var stepCount = 0
    private let buffers = BufferSet()

    public init(learningRate: Float = 1e-2, momentum: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public func step(_ parameters: [(path: String, tensor: Tensor)], gradients: [Tensor?]) {
        precondition(parameters.count == gradients.count, "SGD: \(parameters.count) parameters, \(gradients.count) gradients")
        stepCount += 1
        let (mu, lr) = (momentum, learningRate)
        for ((path, parameter), gradient) in zip(parameters, gradients) {
            guard let gradient else { continue }
            precondition(gradient.shape == parameter.shape, "SGD: gradient \(gradient.shape) for \(path) \(parameter.shape)")
            guard mu != 0 else {
                parameter.addScaled(gradient, scale: -lr)
                continue
            }
            let (buffer, isNew) = buffers.buffer(path, "momentum", count: parameter.count)
            gradient.withUnsafeBufferPointer { g in
                buffer.withUnsafeMutableBufferPointer { b in
                    parameter.withUnsafeMutableBufferPointer { p in
                        for i in 0..<p.count {
                            let bi = isNew ? g[i] : mu * b[i] + g[i]
                            b[i] = bi
                            p[i] -= lr * bi
                        }
                    }
                }
            }
        }
    }

    public func exportState() -> OptimizerState {
        OptimizerState(kind: "sgd", stepCount: stepCount, buffers: buffers.export())
    }

    public func importState(_ state: OptimizerState) throws(OptimizerStateError) {
        guard state.kind == "sgd" else { throw .wrongKind(expected: "sgd", found: state.kind) }
        stepCount = state.stepCount
        buffers.replace(with: state.buffers)
    }
}
