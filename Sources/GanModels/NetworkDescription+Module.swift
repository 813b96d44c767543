import GanNN
import GanSchema
import GanTensor

extension NetworkDescription {
    /// The module this description stands for, with fresh weights drawn in order from
    /// `generator` (`initialisation`). Throws for a description ganpipe cannot build.
    public func makeModule(using generator: inout PhiloxGenerator) throws -> Sequential {
        if let problem { throw ModelError.unusable("the network is not usable: \(problem)") }
        let initialisation = Initialisation(rawValue: initialisation) ?? .torchDefault
        let shapes = try sampleShapes().get()
        var built: [any NetworkLayer] = []
        for (index, layer) in layers.enumerated() {
            let input = index == 0 ? [inputs] : shapes[index - 1]
            built.append(try Self.make(layer, input: input, initialisation: initialisation, using: &generator))
        }
        let module = Sequential(built, probedLayers: hiddenOutputLayers)
        if let conditioning {
            // Drawn after every layer, so the layers' weights are those of the same network
            // without a label. The generator's as PyTorch's nn.Embedding (N(0, 1)); the
            // projection's as a linear layer of fan-in `features` (the scale of ψ beside it).
            let (rows, columns) = (conditioning.classes, conditioning.features)
            let embedding = conditioning.kind == .embedding
                ? Tensor.normal([rows, columns], using: &generator, requiresGradient: true)
                : Tensor.uniform([rows, columns], low: -1 / Float(columns).squareRoot(), high: 1 / Float(columns).squareRoot(),
                                 using: &generator, requiresGradient: true)
            let made = ClassConditioning(kind: conditioning.kind == .embedding ? .embedding : .projection, embedding: embedding)
            if conditioning.spectral == true { made.spectral = SpectralNormalization(weight: embedding, using: &generator) }
            module.conditioning = made
        }
        return module
    }

    /// The module with the tensors `values` gives for each parameter and buffer path (a
    /// checkpoint's blobs), checked against the description's shapes. Throws
    /// `ModelError.unusable` naming the first missing or misshapen tensor.
    public func makeModule(loading values: (_ path: String, _ shape: [Int]) throws -> [Float]) throws -> Sequential {
        var scratch = PhiloxGenerator(seed: 0)
        let module = try makeModule(using: &scratch)
        for (path, tensor) in module.namedParameters + module.namedBuffers {
            let loaded = try values(path, tensor.shape)
            guard loaded.count == tensor.count else {
                throw ModelError.unusable("\(path) has \(loaded.count) values, not the \(tensor.shape) its description names")
            }
            try! tensor.assign(scalars: loaded)
        }
        return module
    }

    static func make(_ layer: Layer, input: [Int], initialisation: Initialisation,
                     using generator: inout PhiloxGenerator) throws -> any NetworkLayer {
        let made: any NetworkLayer
        switch layer.kind {
        case .linear:
            let linear = initialisation == .dcgan
                ? Linear(weight: Tensor.normal([layer.outputs!, layer.inputs!], standardDeviation: 0.02, using: &generator, requiresGradient: true),
                         bias: Tensor(shape: [layer.outputs!], scalars: [Float](repeating: 0, count: layer.outputs!), requiresGradient: true))
                : Linear(inputs: layer.inputs!, outputs: layer.outputs!, using: &generator)
            if layer.spectral == true { linear.spectral = SpectralNormalization(weight: linear.weight, using: &generator) }
            made = linear
        case .conv:
            let conv = Conv2d(inputs: layer.inputs!, outputs: layer.outputs!, kernel: layer.kernel!, stride: layer.stride ?? 1,
                              padding: layer.padding ?? 0, initialisation: initialisation, using: &generator)
            if layer.spectral == true { conv.spectral = SpectralNormalization(weight: conv.weight, using: &generator) }
            made = conv
        case .convTranspose:
            let conv = ConvTranspose2d(inputs: layer.inputs!, outputs: layer.outputs!, kernel: layer.kernel!, stride: layer.stride ?? 1,
                                       padding: layer.padding ?? 0, outputPadding: layer.outputPadding ?? 0,
                                       initialisation: initialisation, using: &generator)
            if layer.spectral == true { conv.spectral = SpectralNormalization(weight: conv.weight, outputAxis: 1, using: &generator) }
            made = conv
        case .batchNorm: made = BatchNorm(channels: layer.channels!, initialisation: initialisation, using: &generator)
        case .layerNorm: made = LayerNorm(sampleShape: input)
        case .reshape: made = Reshape(layer.shape!)
        case .crop: made = Crop(height: layer.height!, width: layer.width!)
        case .relu, .tanh, .sigmoid, .identity, .leakyRelu: made = ActivationLayer(layer.activation!)
        }
        return made
    }
}

/// A model description that cannot be used, with the reason.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    case unusable(String)

    public var description: String {
        switch self {
        case .unusable(let reason): reason
        }
    }
}

extension NetworkDescription.Layer {
    public static func activation(_ activation: Activation) -> Self {
        switch activation {
        case .identity: Self(kind: .identity)
        case .relu: Self(kind: .relu)
        case .leakyRelu(let slope): Self(kind: .leakyRelu, slope: slope)
        case .tanh: Self(kind: .tanh)
        case .sigmoid: Self(kind: .sigmoid)
        }
    }

    /// The nonlinearity of an activation layer; nil for any other layer.
    public var activation: Activation? {
        switch kind {
        case .relu: .relu
        case .leakyRelu: .leakyRelu(slope: slope ?? 0.2)
        case .tanh: .tanh
        case .sigmoid: .sigmoid
        case .identity: .identity
        default: nil
        }
    }
}

extension NetworkDescription {
    /// `Linear, activation, …, Linear`: `hiddenLayers` hidden layers of `width` units.
    public static func mlp(inputs: Int, outputs: Int, hiddenLayers: Int, width: Int, activation: Activation) -> NetworkDescription {
        let sizes = [inputs] + Array(repeating: width, count: hiddenLayers) + [outputs]
        var layers: [Layer] = []
        for index in 0..<(sizes.count - 1) {
            if index > 0 { layers.append(.activation(activation)) }
            layers.append(.linear(sizes[index], sizes[index + 1]))
        }
        return NetworkDescription(inputs: inputs, layers: layers)
    }
}
