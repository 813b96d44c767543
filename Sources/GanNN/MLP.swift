import GanTensor

/// A multilayer perceptron in PyTorch's `nn.Sequential` layout: `Linear, activation, Linear,
/// activation, …, Linear[, output activation]`. Linear layers sit at even indices, so their
/// parameters are `layers.0.weight`, `layers.2.weight`, … exactly as a PyTorch port names them.
///
/// `[batch, inputs] → [batch, outputs]`; `hiddenLayers` layers of `width` units.
public final class MLP: Module {
    public let linears: [Linear]
    public let activation: Activation
    public let outputActivation: Activation

    /// Builds `hiddenLayers + 1` linear layers, initialised in order from `generator`.
    public convenience init(inputs: Int, outputs: Int, hiddenLayers: Int, width: Int, activation: Activation,
                            outputActivation: Activation = .identity, using generator: inout PhiloxGenerator) {
        precondition(hiddenLayers >= 0, "MLP: hiddenLayers must be ≥ 0, got \(hiddenLayers)")
        self.init(sizes: [inputs] + Array(repeating: width, count: hiddenLayers) + [outputs], activation: activation,
                  outputActivation: outputActivation, using: &generator)
    }

    /// Linear layers `sizes[0]→sizes[1]→…`, initialised in order from `generator`.
    public init(sizes: [Int], activation: Activation, outputActivation: Activation = .identity,
                using generator: inout PhiloxGenerator) {
        precondition(sizes.count >= 2, "MLP: needs at least an input and an output size, got \(sizes)")
        var layers: [Linear] = []
        for index in 0..<(sizes.count - 1) {
            layers.append(Linear(inputs: sizes[index], outputs: sizes[index + 1], using: &generator))
        }
        self.linears = layers
        self.activation = activation
        self.outputActivation = outputActivation
    }

    /// The dotted path prefix of linear layer `index` (0-based among linear layers).
    public static func layerPath(_ index: Int) -> String { "layers.\(2 * index)" }

    public var namedParameters: [(path: String, tensor: Tensor)] {
        linears.enumerated().flatMap { index, layer in
            layer.namedParameters.map { ("\(Self.layerPath(index)).\($0.path)", $0.tensor) }
        }
    }

    /// Number of hidden layers (linear layers followed by `activation`).
    public var hiddenLayerCount: Int { linears.count - 1 }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        forward(x).output
    }

    /// The output and the hidden activations (after each hidden layer's nonlinearity), which
    /// the gradient probes differentiate against: `hidden[i]` is `[batch, width]` after
    /// linear layer `i`.
    public func forward(_ x: Tensor) -> (output: Tensor, hidden: [Tensor]) {
        var h = x
        var hidden: [Tensor] = []
        hidden.reserveCapacity(hiddenLayerCount)
        for (index, layer) in linears.enumerated() {
            if index < hiddenLayerCount {
                // ReLU is fused into the layer (one pass over the output, no extra tensor).
                h = activation == .relu ? layer(h, relu: true) : activation(layer(h))
                hidden.append(h)
            } else {
                h = layer(h)
            }
        }
        return (outputActivation(h), hidden)
    }
}
