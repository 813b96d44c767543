import Foundation

/// A network described once, as data: its layers in PyTorch's `nn.Sequential` order, so that
/// parameter paths (`layers.2.weight`), checkpoint blob names, metric keys and the exported
/// layout all follow from it. Plain data (vocabulary every stage may read); GanModels builds
/// modules from it: the trainer's, and the evaluator's from a checkpoint's blobs. Stored in every checkpoint (blob `model`,
/// JSON) beside the weights it describes.
///
/// A layer is a kind and the sizes that kind needs; kinds to come (convolutions, transposed
/// convolutions, normalisation, reshapes) add cases and fields, and a reader refuses kinds it
/// does not know in one line instead of misreading them.
public struct NetworkDescription: Codable, Equatable, Sendable {
    public struct Layer: Codable, Equatable, Sendable {
        public enum Kind: String, Codable, Sendable {
            case linear, relu, tanh, sigmoid, identity
            case leakyRelu = "leaky-relu"
        }

        public var kind: Kind
        /// `linear`: input and output features.
        public var inputs: Int?
        public var outputs: Int?
        /// `leaky-relu`: the slope for negative inputs.
        public var slope: Float?

        public init(kind: Kind, inputs: Int? = nil, outputs: Int? = nil, slope: Float? = nil) {
            self.kind = kind
            self.inputs = inputs
            self.outputs = outputs
            self.slope = slope
        }

        public static func linear(_ inputs: Int, _ outputs: Int) -> Layer {
            Layer(kind: .linear, inputs: inputs, outputs: outputs)
        }

        /// Whether the layer is a nonlinearity (no parameters).
        public var isActivation: Bool { kind != .linear }

        /// `relu`, `leaky-relu(0.2)`, …; nil for a layer with parameters.
        public var activationName: String? {
            switch kind {
            case .linear: nil
            case .leakyRelu: "leaky-relu(\(slope ?? 0.2))"
            default: kind.rawValue
            }
        }
    }

    /// Features of one input sample.
    public var inputs: Int
    public var layers: [Layer]
    /// How fresh weights are drawn: `torch-default` is PyTorch's `nn.Linear` default (weight,
    /// then bias, uniform in ±1/√inputs), layer by layer in order from the network's stream.
    public var initialisation: String = "torch-default"

    public init(inputs: Int, layers: [Layer]) {
        self.inputs = inputs
        self.layers = layers
    }

    /// The dotted path of layer `index`: `layers.4`.
    public static func path(ofLayer index: Int) -> String { "layers.\(index)" }

    /// Every parameter tensor in order, with its path and shape: `layers.0.weight` `[out, in]`,
    /// `layers.0.bias` `[out]`, ….
    public var parameters: [(path: String, shape: [Int])] {
        layers.enumerated().flatMap { index, layer -> [(path: String, shape: [Int])] in
            guard layer.kind == .linear, let inputs = layer.inputs, let outputs = layer.outputs else { return [] }
            let path = Self.path(ofLayer: index)
            return [("\(path).weight", [outputs, inputs]), ("\(path).bias", [outputs])]
        }
    }

    /// The paths of the hidden outputs the gradient probes measure: every activation layer
    /// that another layer follows (`layers.1`, `layers.3`, … for an MLP).
    public var hiddenOutputPaths: [String] {
        layers.indices.filter { layers[$0].isActivation && $0 < layers.count - 1 }.map(Self.path(ofLayer:))
    }

    /// Features of one output sample.
    public var outputs: Int { layers.last(where: { $0.kind == .linear })?.outputs ?? inputs }

    /// The parameter count.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    /// `2→512→512→1 relu`: the sizes and the hidden activation, for people.
    public var summary: String {
        let sizes = [inputs] + layers.compactMap { $0.kind == .linear ? $0.outputs : nil }
        let activations = Set(layers.compactMap(\.activationName))
        return sizes.map(String.init).joined(separator: "→") + (activations.isEmpty ? "" : " " + activations.sorted().joined(separator: ", "))
    }

    /// Why this description is not a network ganpipe can build (sizes that do not chain, a
    /// layer without its sizes, an activation where none can be); nil when it is one.
    public var problem: String? {
        var features = inputs
        guard features >= 1 else { return "its input has \(features) features" }
        for (index, layer) in layers.enumerated() {
            if layer.kind == .linear {
                guard let inputs = layer.inputs, let outputs = layer.outputs, inputs >= 1, outputs >= 1 else {
                    return "\(Self.path(ofLayer: index)) is a linear layer without positive sizes"
                }
                guard inputs == features else {
                    return "\(Self.path(ofLayer: index)) takes \(inputs) features but the layer before gives \(features)"
                }
                features = outputs
            }
        }
        return layers.contains(where: { $0.kind == .linear }) ? nil : "it has no linear layer"
    }
}

/// The two networks of a run.
public struct ModelDescription: Codable, Equatable, Sendable {
    /// The version of this format; a reader refuses a newer one.
    public var format = 1
    public var generator: NetworkDescription
    public var discriminator: NetworkDescription

    public init(generator: NetworkDescription, discriminator: NetworkDescription) {
        self.generator = generator
        self.discriminator = discriminator
    }

    /// The checkpoint blob that holds the description (JSON).
    public static let blobName = "model"

    /// The network called `name` (`generator`, `discriminator`).
    public func network(_ name: String) -> NetworkDescription? {
        switch name {
        case "generator": generator
        case "discriminator": discriminator
        default: nil
        }
    }

    /// Sorted-key JSON, the same bytes for the same description.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try! encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> ModelDescription {
        try JSONDecoder().decode(ModelDescription.self, from: data)
    }
}
