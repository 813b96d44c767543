import GanTensor

/// A fully connected layer `y = x·Wᵀ + b`: `[batch, inputs] → [batch, outputs]`, with PyTorch's
/// `nn.Linear` layout (`weight: [outputs, inputs]`, `bias: [outputs]`) so weights export to
/// PyTorch unchanged.
public final class Linear: Module, NetworkLayer {
    public let weight: Tensor
    public let bias: Tensor
    /// Set for a spectrally normalised layer: the layer then uses W / σ(W).
    public var spectral: SpectralNormalization?

    public var inputCount: Int { weight.shape[1] }
    public var outputCount: Int { weight.shape[0] }

    /// PyTorch's default initialisation of `nn.Linear`: weight and bias uniform in
    /// `[−1/√inputs, 1/√inputs)` (Kaiming-uniform with a = √5 reduces to that bound). Weight
    /// first, then bias, row-major, from `generator`.
    public init(inputs: Int, outputs: Int, using generator: inout PhiloxGenerator) {
        precondition(inputs > 0 && outputs > 0, "Linear: sizes must be positive, got \(inputs)→\(outputs)")
        let bound = 1 / Float(inputs).squareRoot()
        weight = Tensor.uniform([outputs, inputs], low: -bound, high: bound, using: &generator, requiresGradient: true)
        bias = Tensor.uniform([outputs], low: -bound, high: bound, using: &generator, requiresGradient: true)
    }

    /// A layer with the given tensors (restoring weights, tests).
    public init(weight: Tensor, bias: Tensor) {
        precondition(weight.rank == 2 && bias.shape == [weight.shape[0]],
                     "Linear: weight \(weight.shape) and bias \(bias.shape) do not fit")
        self.weight = weight
        self.bias = bias
    }

    public var namedParameters: [(path: String, tensor: Tensor)] {
        [("weight", weight), ("bias", bias)]
    }

    public var namedBuffers: [(path: String, tensor: Tensor)] {
        spectral.map { [("weight_u", $0.u), ("weight_v", $0.v)] } ?? []
    }

    /// `[batch, inputs] → [batch, outputs]`; with `relu`, max(·, 0) of that in the same op.
    public func callAsFunction(_ x: Tensor, relu: Bool = false) -> Tensor {
        Tensor.linear(x, weight: spectral.map { $0.normalize(weight) } ?? weight, bias: bias, relu: relu)
    }

    public func forward(_ x: Tensor, mode: ForwardMode) -> Tensor { self(x) }
}
