import GanTensor

/// A network as PyTorch's `nn.Sequential`: layer i's tensors are `layers.i.weight`,
/// `layers.i.running_mean`, …. Built by GanModels from a network description.
///
/// `forward` also returns the hidden outputs the gradient probes measure: the output of every
/// layer listed in `probedLayers` (the activations that another layer follows). A `Linear` or
/// `Conv2d` followed by a ReLU runs as one fused op (`Tensor.linear(relu:)`,
/// `Tensor.conv2d(relu:)`), bit-identical to the two.
public final class Sequential: Module {
    public let layers: [any NetworkLayer]
    /// Indices of the layers whose outputs `forward` returns as hidden.
    public let probedLayers: [Int]
    /// Set for a class-conditional network: `forward` then takes one-hot labels.
    public var conditioning: ClassConditioning?

    public init(_ layers: [any NetworkLayer], probedLayers: [Int]) {
        precondition(probedLayers.allSatisfy { layers.indices.contains($0) } && probedLayers == probedLayers.sorted()
                     && probedLayers.allSatisfy { !(layers[$0] is Linear || layers[$0] is Conv2d) },
                     "Sequential: probed layers \(probedLayers) must be ascending, in range and neither linear nor convolutional")
        self.layers = layers
        self.probedLayers = probedLayers
    }

    public static func path(ofLayer index: Int) -> String { "layers.\(index)" }

    public var namedParameters: [(path: String, tensor: Tensor)] {
        layers.enumerated().flatMap { index, layer in layer.namedParameters.map { ("\(Self.path(ofLayer: index)).\($0.path)", $0.tensor) } }
            + (conditioning.map { [(Self.classEmbeddingPath + ".weight", $0.embedding)] } ?? [])
    }

    /// The class embedding's path (`class_embedding.weight`), as `NetworkDescription` names it.
    public static let classEmbeddingPath = "class_embedding"

    /// Saved state that gradients do not train: running statistics, power-iteration vectors.
    public var namedBuffers: [(path: String, tensor: Tensor)] {
        layers.enumerated().flatMap { index, layer in layer.namedBuffers.map { ("\(Self.path(ofLayer: index)).\($0.path)", $0.tensor) } }
            + (conditioning?.spectral.map { [(Self.classEmbeddingPath + ".weight_u", $0.u), (Self.classEmbeddingPath + ".weight_v", $0.v)] } ?? [])
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
        } + (conditioning.flatMap { c in c.spectral.map { [($0, c.embedding)] } } ?? [])
    }

    /// Whether a training-mode pass mixes the samples of its batch (batch normalization): then
    /// one pass over two batches stacked is not two passes, one over each.
    public var mixesSamples: Bool { layers.contains { $0 is BatchNorm } }

    /// Advances every spectral norm estimate by one power iteration.
    public func iterateSpectralNorms() {
        for (estimator, weight) in spectralNormalizations { estimator.iterate(weight) }
    }

    public func callAsFunction(_ x: Tensor, labels: Tensor? = nil, mode: ForwardMode = .training) -> Tensor {
        forward(x, labels: labels, mode: mode).output
    }

    /// The output and the probed hidden outputs. A conditional network needs `labels`, one-hot
    /// rows `[batch, classes]`; an unconditional one takes none.
    public func forward(_ x: Tensor, labels: Tensor? = nil, mode: ForwardMode = .training) -> (output: Tensor, hidden: [Tensor]) {
        precondition((labels == nil) == (conditioning == nil), "Sequential: a conditional network needs labels, an unconditional one takes none")
        var h = x
        if let conditioning, conditioning.kind == .embedding {
            h = Tensor.concat([x, conditioning.rows(labels!)], alongAxis: 1)
        }
        var hidden: [Tensor] = []
        hidden.reserveCapacity(probedLayers.count)
        var index = 0
        var probes = probedLayers.makeIterator()
        var nextProbe = probes.next()
        while index < layers.count {
            if let conditioning, conditioning.kind == .projection, index == layers.count - 1 {
                // D(x, y) = ψ(φ(x)) + ⟨E[y], φ(x)⟩ with φ(x) = h, the last layer's input.
                let features = h.reshaped([h.shape[0], -1])
                h = layers[index].forward(h, mode: mode) + (features * conditioning.rows(labels!)).sum(alongAxes: [1], keepDims: true)
            } else if index + 1 < layers.count, let activation = layers[index + 1] as? ActivationLayer, activation.activation == .relu,
                      let fused = fusedWithReLU(layers[index], h) {
                h = fused
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

    /// A linear or convolutional layer and the ReLU after it, as one op; nil for other layers.
    private func fusedWithReLU(_ layer: any NetworkLayer, _ x: Tensor) -> Tensor? {
        switch layer {
        case let linear as Linear: return linear(x, relu: true)
        case let convolution as Conv2d: return convolution(x, relu: true)
        default: return nil
        }
    }
}
