import GanTensor

/// A network as PyTorch's `nn.Sequential`: layer i's tensors are `layers.i.weight`,
/// `layers.i.running_mean`, …. Built by GanModels from a network description.
///
/// `forward` also returns the hidden outputs the gradient probes measure: the output of every
/// layer listed in `probedLayers` (the activations that another layer follows). A `Linear`
/// followed by a ReLU runs as one fused op (`Tensor.linear(relu:)`), bit-identical to the two.
public final class Sequential: Module {
    public let layers: [any NetworkLayer]
    /// Indices of the layers whose outputs `forward` returns as hidden.
    public let probedLayers: [Int]

    public init(_ layers: [any NetworkLayer], probedLayers: [Int]) {
        precondition(probedLayers.allSatisfy { layers.indices.contains($0) } && probedLayers == probedLayers.sorted()
                     && probedLayers.allSatisfy { !(layers[$0] is Linear) },
                     "Sequential: probed layers \(probedLayers) must be ascending, in range and not linear")
        self.layers = layers
        self.probedLayers = probedLayers
    }

    public static func path(ofLayer index: Int) -> String { "layers.\(index)" }

    public var namedParameters: [(path: String, tensor: Tensor)] {
        layers.enumerated().flatMap { index, layer in layer.namedParameters.map { ("\(Self.path(ofLayer: index)).\($0.path)", $0.tensor) } }
    }

    /// Saved state that gradients do not train: running statistics, power-iteration vectors.
    public var namedBuffers: [(path: String, tensor: Tensor)] {
        layers.enumerated().flatMap { index, layer in layer.namedBuffers.map { ("\(Self.path(ofLayer: index)).\($0.path)", $0.tensor) } }
    }

    /// The spectrally normalised weights' estimators, with the weights they normalise.
    public var spectralNormalizations: [(SpectralNormalization, Tensor)] {
        layers.compactMap { layer in
            switch layer {
            case let linear as Linear: linear.spectral.map { ($0, linear.weight) }
            case let conv as Conv2d: conv.spectral.map { ($0, conv.weight) }
            case let conv as ConvTranspose2d: conv.spectral.map { ($0, conv.weight) }
            default: nil
            }
        }
    }

    /// Advances every spectral norm estimate by one power iteration.
    public func iterateSpectralNorms() {
        for (estimator, weight) in spectralNormalizations { estimator.iterate(weight) }
    }

    public func callAsFunction(_ x: Tensor, mode: ForwardMode = .training) -> Tensor {
        forward(x, mode: mode).output
    }

    public func forward(_ x: Tensor, mode: ForwardMode = .training) -> (output: Tensor, hidden: [Tensor]) {
        var h = x
        var hidden: [Tensor] = []
        hidden.reserveCapacity(probedLayers.count)
        var index = 0
        var probes = probedLayers.makeIterator()
        var nextProbe = probes.next()
        while index < layers.count {
            if let linear = layers[index] as? Linear, index + 1 < layers.count,
               let activation = layers[index + 1] as? ActivationLayer, activation.activation == .relu {
                h = linear(h, relu: true)
                index += 1
            } else {
                h = layers[index].forward(h, mode: mode)
            }
            if index == nextProbe {
                hidden.append(h)
                nextProbe = probes.next()
            }
            index += 1
        }
        return (h, hidden)
    }
}
