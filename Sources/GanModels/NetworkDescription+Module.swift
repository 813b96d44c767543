import GanNN
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
