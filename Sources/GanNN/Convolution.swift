import GanTensor

/// How fresh weights of a layer are drawn.
public enum Initialisation: String, Codable, Sendable {
    /// PyTorch's defaults: weight and bias uniform in ±1/√fan_in (Kaiming-uniform with a = √5),
    /// fan_in from the weight's second axis times the kernel area (so, as in PyTorch, the
    /// output channels for a transposed convolution).
    case torchDefault = "torch-default"
    /// DCGAN (Radford et al. 2016): weights normal with standard deviation 0.02, biases 0;
    /// normalisation scales normal around 1 with standard deviation 0.02.
    case dcgan
}

/// PyTorch's `nn.Conv2d`: `[N, C, H, W] → [N, O, Ho, Wo]`, weight `[O, C, kh, kw]`, bias `[O]`.
public final class Conv2d: NetworkLayer {
    public let weight: Tensor
    public let bias: Tensor
    public let stride: Int, padding: Int
    public var spectral: SpectralNormalization?

    public init(inputs: Int, outputs: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                initialisation: Initialisation = .torchDefault, using generator: inout PhiloxGenerator) {
        precondition(inputs > 0 && outputs > 0 && kernel > 0 && stride > 0 && padding >= 0,
                     "Conv2d: \(inputs)→\(outputs), kernel \(kernel), stride \(stride), padding \(padding)")
        (weight, bias) = drawWeights([outputs, inputs, kernel, kernel], fanIn: inputs * kernel * kernel, outputs: outputs,
                                     initialisation: initialisation, using: &generator)
        (self.stride, self.padding) = (stride, padding)
    }

    public init(weight: Tensor, bias: Tensor, stride: Int, padding: Int) {
        precondition(weight.rank == 4 && bias.shape == [weight.shape[0]], "Conv2d: weight \(weight.shape), bias \(bias.shape)")
        (self.weight, self.bias, self.stride, self.padding) = (weight, bias, stride, padding)
    }

    public var namedParameters: [(path: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
    public var namedBuffers: [(path: String, tensor: Tensor)] { spectral.map { [("weight_u", $0.u), ("weight_v", $0.v)] } ?? [] }

    public func forward(_ x: Tensor, mode: ForwardMode) -> Tensor {
        self(x)
    }

    /// The convolution; with `relu`, max(·, 0) of it in the same op.
    public func callAsFunction(_ x: Tensor, relu: Bool = false) -> Tensor {
        Tensor.conv2d(x, weight: spectral.map { $0.normalize(weight) } ?? weight, bias: bias, stride: stride, padding: padding, relu: relu)
    }
}

/// PyTorch's `nn.ConvTranspose2d`: `[N, C, H, W] → [N, O, (H − 1)·s − 2p + k + output padding, …]`,
/// weight `[C, O, kh, kw]`, bias `[O]`.
public final class ConvTranspose2d: NetworkLayer {
    public let weight: Tensor
    public let bias: Tensor
    public let stride: Int, padding: Int, outputPadding: Int
    public var spectral: SpectralNormalization?

    public init(inputs: Int, outputs: Int, kernel: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
                initialisation: Initialisation = .torchDefault, using generator: inout PhiloxGenerator) {
        precondition(inputs > 0 && outputs > 0 && kernel > 0 && stride > 0 && padding >= 0 && outputPadding >= 0,
                     "ConvTranspose2d: \(inputs)→\(outputs), kernel \(kernel), stride \(stride), padding \(padding)")
        (weight, bias) = drawWeights([inputs, outputs, kernel, kernel], fanIn: outputs * kernel * kernel, outputs: outputs,
                                     initialisation: initialisation, using: &generator)
        (self.stride, self.padding, self.outputPadding) = (stride, padding, outputPadding)
    }

    public init(weight: Tensor, bias: Tensor, stride: Int, padding: Int, outputPadding: Int) {
        precondition(weight.rank == 4 && bias.shape == [weight.shape[1]], "ConvTranspose2d: weight \(weight.shape), bias \(bias.shape)")
        (self.weight, self.bias, self.stride, self.padding, self.outputPadding) = (weight, bias, stride, padding, outputPadding)
    }

    public var namedParameters: [(path: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
    public var namedBuffers: [(path: String, tensor: Tensor)] { spectral.map { [("weight_u", $0.u), ("weight_v", $0.v)] } ?? [] }

    public func forward(_ x: Tensor, mode: ForwardMode) -> Tensor {
        Tensor.convTranspose2d(x, weight: spectral.map { $0.normalize(weight) } ?? weight, bias: bias, stride: stride,
                               padding: padding, outputPadding: outputPadding)
    }
}

/// Weight then bias, in PyTorch's order.
func drawWeights(_ shape: [Int], fanIn: Int, outputs: Int, initialisation: Initialisation,
                 using generator: inout PhiloxGenerator) -> (weight: Tensor, bias: Tensor) {
    switch initialisation {
    case .torchDefault:
        let bound = 1 / Float(fanIn).squareRoot()
        return (Tensor.uniform(shape, low: -bound, high: bound, using: &generator, requiresGradient: true),
                Tensor.uniform([outputs], low: -bound, high: bound, using: &generator, requiresGradient: true))
    case .dcgan:
        return (Tensor.normal(shape, standardDeviation: 0.02, using: &generator, requiresGradient: true),
                Tensor(shape: [outputs], scalars: [Float](repeating: 0, count: outputs), requiresGradient: true))
    }
}
