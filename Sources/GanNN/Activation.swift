import GanTensor

/// An elementwise nonlinearity between (or after) layers.
public enum Activation: Codable, Equatable, Sendable, CustomStringConvertible {
    case identity
    case relu
    /// max(x, slope·x); the DCGAN/WGAN literature uses slope 0.2.
    case leakyRelu(slope: Float)
    case tanh
    case sigmoid

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .identity: return x
        case .relu: return x.relu()
        case .leakyRelu(let slope): return x.leakyRelu(slope: slope)
        case .tanh: return x.tanh()
        case .sigmoid: return x.sigmoid()
        }
    }

    /// The name used on the command line and in configurations: `relu`, `leaky-relu`, ….
    public var name: String {
        switch self {
        case .identity: return "identity"
        case .relu: return "relu"
        case .leakyRelu: return "leaky-relu"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        }
    }

    public var description: String {
        if case .leakyRelu(let slope) = self { return "leaky-relu(\(slope))" }
        return name
    }

    /// Parses a command-line name; `leaky-relu` takes `leakySlope`.
    public init?(name: String, leakySlope: Float = 0.2) {
        switch name {
        case "identity", "linear", "none": self = .identity
        case "relu": self = .relu
        case "leaky-relu", "leakyrelu", "lrelu": self = .leakyRelu(slope: leakySlope)
        case "tanh": self = .tanh
        case "sigmoid": self = .sigmoid
        default: return nil
        }
    }

    public static let names = ["relu", "leaky-relu", "tanh", "sigmoid", "identity"]
}
