import GanTensor

/// PyTorch's `nn.BatchNorm1d`/`nn.BatchNorm2d`: per channel (axis 1), over the batch and every
/// spatial position. Training uses the batch's mean and biased variance and moves the running
/// statistics toward them (momentum 0.1, the running variance unbiased); inference uses the
/// running statistics. Written in tensor ops, so it differentiates twice.
public final class BatchNorm: NetworkLayer {
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Tensor
    public let runningVariance: Tensor
    public let momentum: Float
    public let epsilon: Float

    public init(channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, initialisation: Initialisation = .torchDefault,
                using generator: inout PhiloxGenerator) {
        precondition(channels > 0, "BatchNorm: channels must be positive, got \(channels)")
        weight = initialisation == .dcgan
            ? Tensor.normal([channels], mean: 1, standardDeviation: 0.02, using: &generator, requiresGradient: true)
            : Tensor(shape: [channels], scalars: [Float](repeating: 1, count: channels), requiresGradient: true)
        bias = Tensor(shape: [channels], scalars: [Float](repeating: 0, count: channels), requiresGradient: true)
        runningMean = Tensor(shape: [channels], scalars: [Float](repeating: 0, count: channels))
        runningVariance = Tensor(shape: [channels], scalars: [Float](repeating: 1, count: channels))
        (self.momentum, self.epsilon) = (momentum, epsilon)
    }

    public var namedParameters: [(path: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
    public var namedBuffers: [(path: String, tensor: Tensor)] { [("running_mean", runningMean), ("running_var", runningVariance)] }

    public func forward(_ x: Tensor, mode: ForwardMode) -> Tensor {
        let channels = weight.count
        precondition(x.rank >= 2 && x.shape[1] == channels, "BatchNorm: input \(x.shape) does not have \(channels) channels")
        let axes = [0] + Array(2..<x.rank)
        let perChannel = [1, channels] + [Int](repeating: 1, count: x.rank - 2)
        let normalized: Tensor
        switch mode {
        case .training:
            let mean = x.mean(alongAxes: axes, keepDims: true)
            let centered = x - mean
            let variance = (centered * centered).mean(alongAxes: axes, keepDims: true)
            normalized = centered / (variance + epsilon).sqrt()
            let count = Float(x.count / channels)
            GradientMode.withGradientsDisabled {
                runningMean.assign(runningMean * (1 - momentum) + mean.detached().reshaped([channels]) * momentum)
                let unbiased = variance.detached().reshaped([channels]) * (count / Swift.max(count - 1, 1))
                runningVariance.assign(runningVariance * (1 - momentum) + unbiased * momentum)
            }
        case .inference:
            normalized = (x - runningMean.reshaped(perChannel)) / (runningVariance.reshaped(perChannel) + epsilon).sqrt()
        }
        return normalized * weight.reshaped(perChannel) + bias.reshaped(perChannel)
    }
}

/// PyTorch's `nn.LayerNorm(sample shape)`: each sample normalised over all its values, then an
/// elementwise scale and shift of the sample's shape. No batch statistics, so each sample's
/// output depends on that sample alone — what the per-sample gradient penalty needs (the
/// WGAN-GP paper's advice for critics).
public final class LayerNorm: NetworkLayer {
    public let weight: Tensor
    public let bias: Tensor
    public let epsilon: Float

    public init(sampleShape: [Int], epsilon: Float = 1e-5) {
        let count = sampleShape.reduce(1, *)
        precondition(count > 0, "LayerNorm: empty sample shape \(sampleShape)")
        weight = Tensor(shape: sampleShape, scalars: [Float](repeating: 1, count: count), requiresGradient: true)
        bias = Tensor(shape: sampleShape, scalars: [Float](repeating: 0, count: count), requiresGradient: true)
        self.epsilon = epsilon
    }

    public var namedParameters: [(path: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }

    public func forward(_ x: Tensor, mode: ForwardMode) -> Tensor {
        precondition(Array(x.shape.dropFirst()) == weight.shape, "LayerNorm: input \(x.shape) is not [N] + \(weight.shape)")
        let axes = Array(1..<x.rank)
        let centered = x - x.mean(alongAxes: axes, keepDims: true)
        let variance = (centered * centered).mean(alongAxes: axes, keepDims: true)
        return centered / (variance + epsilon).sqrt() * weight.reshaped([1] + weight.shape) + bias.reshaped([1] + bias.shape)
    }
}
