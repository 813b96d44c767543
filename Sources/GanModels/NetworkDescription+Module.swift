import GanNN
import GanSchema
import GanTensor

extension NetworkDescription {
    /// The sizes and hidden activation of a description that is an MLP (`Linear, activation,
    /// …, Linear`, one activation throughout); nil for any other network.
    public var mlpShape: (sizes: [Int], activation: Activation)? {
        guard problem == nil, layers.count % 2 == 1 else { return nil }
        var sizes = [inputs]
        var activation: Activation?
        for (index, layer) in layers.enumerated() {
            if index % 2 == 0 {
                guard layer.kind == .linear, let outputs = layer.outputs else { return nil }
                sizes.append(outputs)
            } else {
                guard let found = layer.activation, activation == nil || activation == found else { return nil }
                activation = found
            }
        }
        return (sizes, activation ?? .identity)
    }

    /// The module this description stands for, with fresh weights drawn in order from
    /// `generator` (`initialisation`). Throws for a description ganpipe cannot build.
    public func makeModule(using generator: inout PhiloxGenerator) throws -> MLP {
        if let problem { throw ModelError.unusable("the network is not usable: \(problem)") }
        guard initialisation == "torch-default" else { throw ModelError.unusable("initialisation '\(initialisation)' is unknown") }
        guard let shape = mlpShape else { throw ModelError.unusable("only Linear/activation stacks can be built so far (\(summary))") }
        return MLP(sizes: shape.sizes, activation: shape.activation, using: &generator)
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

    /// The nonlinearity of an activation layer; nil for a layer with parameters.
    public var activation: Activation? {
        switch kind {
        case .linear: nil
        case .relu: .relu
        case .leakyRelu: .leakyRelu(slope: slope ?? 0.2)
        case .tanh: .tanh
        case .sigmoid: .sigmoid
        case .identity: .identity
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
