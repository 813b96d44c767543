import Foundation

/// A network described once, as data: its layers in PyTorch's `nn.Sequential` order, so that
/// parameter paths (`layers.2.weight`), checkpoint blob names, metric keys and the exported
/// layout all follow from it. Plain data (vocabulary every stage may read); GanModels builds
/// modules from it: the trainer's, and the evaluator's from a checkpoint's blobs. Stored in every checkpoint (blob `model`,
/// JSON) beside the weights it describes.
///
/// A layer is a kind and the sizes that kind needs; a reader refuses kinds it does not know in
/// one line instead of misreading them. Data stay flat between stages (`[N, features]`): an
/// image network starts with a `reshape` to `[C, H, W]` and a generator ends with one back.
public struct NetworkDescription: Codable, Equatable, Sendable {
    public struct Layer: Codable, Equatable, Sendable {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case linear, relu, tanh, sigmoid, identity
            case leakyRelu = "leaky-relu"
            /// PyTorch's Conv2d / ConvTranspose2d (square kernels, equal stride and padding on both axes).
            case conv
            case convTranspose = "conv-transpose"
            /// BatchNorm1d on `[N, F]`, BatchNorm2d on `[N, C, H, W]` (`channels`).
            case batchNorm = "batch-norm"
            /// LayerNorm over the whole sample (its shape is the input's).
            case layerNorm = "layer-norm"
            /// Each sample viewed as `shape` (`[1, 28, 28]`, or `[784]` to flatten).
            case reshape
            /// The top-left `height × width` of each image.
            case crop
        }

        public var kind: Kind
        /// `linear`: input and output features; `conv`, `conv-transpose`: channels.
        public var inputs: Int?
        public var outputs: Int?
        /// `leaky-relu`: the slope for negative inputs.
        public var slope: Float?
        /// Convolutions: kernel size, stride, zero padding, and (transposed) output padding.
        public var kernel: Int?
        public var stride: Int?
        public var padding: Int?
        public var outputPadding: Int?
        /// `batch-norm`: channels (axis 1).
        public var channels: Int?
        /// `reshape`: the sample shape after it.
        public var shape: [Int]?
        /// `crop`: the size kept.
        public var height: Int?
        public var width: Int?
        /// Weight layers: spectrally normalised (Miyato et al. 2018), weight_u and weight_v saved as state.
        public var spectral: Bool?

        public init(kind: Kind, inputs: Int? = nil, outputs: Int? = nil, slope: Float? = nil) {
            self.kind = kind
            self.inputs = inputs
            self.outputs = outputs
            self.slope = slope
        }

        public static func linear(_ inputs: Int, _ outputs: Int, spectral: Bool = false) -> Layer {
            var layer = Layer(kind: .linear, inputs: inputs, outputs: outputs)
            if spectral { layer.spectral = true }
            return layer
        }

        public static func conv(_ inputs: Int, _ outputs: Int, kernel: Int, stride: Int = 1, padding: Int = 0, spectral: Bool = false) -> Layer {
            var layer = Layer(kind: .conv, inputs: inputs, outputs: outputs)
            (layer.kernel, layer.stride, layer.padding) = (kernel, stride, padding)
            if spectral { layer.spectral = true }
            return layer
        }

        public static func convTranspose(_ inputs: Int, _ outputs: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                                         outputPadding: Int = 0, spectral: Bool = false) -> Layer {
            var layer = Layer(kind: .convTranspose, inputs: inputs, outputs: outputs)
            (layer.kernel, layer.stride, layer.padding) = (kernel, stride, padding)
            if outputPadding != 0 { layer.outputPadding = outputPadding }
            if spectral { layer.spectral = true }
            return layer
        }

        public static func batchNorm(_ channels: Int) -> Layer {
            var layer = Layer(kind: .batchNorm)
            layer.channels = channels
            return layer
        }

        public static let layerNorm = Layer(kind: .layerNorm)

        public static func reshape(_ shape: [Int]) -> Layer {
            var layer = Layer(kind: .reshape)
            layer.shape = shape
            return layer
        }

        public static func crop(height: Int, width: Int) -> Layer {
            var layer = Layer(kind: .crop)
            (layer.height, layer.width) = (height, width)
            return layer
        }

        /// Whether the layer is an elementwise nonlinearity.
        public var isActivation: Bool {
            switch kind {
            case .relu, .tanh, .sigmoid, .identity, .leakyRelu: true
            default: false
            }
        }

        /// Whether the layer multiplies by a weight (and so can be spectrally normalised).
        public var hasWeight: Bool { kind == .linear || kind == .conv || kind == .convTranspose }

        /// `relu`, `leaky-relu(0.2)`, …; nil for a layer that is not a nonlinearity.
        public var activationName: String? {
            switch kind {
            case .leakyRelu: "leaky-relu(\(slope ?? 0.2))"
            default: isActivation ? kind.rawValue : nil
            }
        }

        /// For people: `conv 64 k5 s2 p2`, `linear 4096`, `batch-norm`, `reshape 1×28×28`.
        public var token: String {
            let sn = spectral == true ? " sn" : ""
            switch kind {
            case .linear: return "linear \(outputs ?? 0)\(sn)"
            case .conv, .convTranspose:
                let op = (outputPadding ?? 0) != 0 ? " op\(outputPadding!)" : ""
                return "\(kind.rawValue) \(outputs ?? 0) k\(kernel ?? 0) s\(stride ?? 1) p\(padding ?? 0)\(op)\(sn)"
            case .reshape: return "reshape \((shape ?? []).map(String.init).joined(separator: "×"))"
            case .crop: return "crop \(height ?? 0)×\(width ?? 0)"
            default: return activationName ?? kind.rawValue
            }
        }
    }

    /// Features of one input sample (the network's input is `[N, inputs]`; image networks
    /// start with a `reshape`).
    public var inputs: Int
    public var layers: [Layer]
    /// How fresh weights are drawn: `torch-default` is PyTorch's (weight, then bias, uniform in
    /// ±1/√fan_in), `dcgan` is Radford et al.'s (weights N(0, 0.02), biases 0, normalisation
    /// scales N(1, 0.02)); layer by layer in order from the network's stream, a spectral
    /// norm's u after its layer's weights.
    public var initialisation: String = "torch-default"
    /// Set for a class-conditional network: how the class label enters it.
    public var conditioning: Conditioning?

    /// How a class-conditional network takes its label `y` (one of `classes`), beside its input.
    /// Its embedding is the parameter `class_embedding.weight` `[classes, features]`.
    public struct Conditioning: Codable, Equatable, Sendable {
        public enum Kind: String, Codable, Sendable {
            /// The generator's: the row `E[y]` is appended to the input (z, E[y]) before the
            /// first layer (a label embedding, Mirza & Osindero 2014).
            case embedding
            /// The discriminator's (Miyato & Koyama 2018, arXiv 1802.05637): with φ(x) the input
            /// of the last layer ψ (linear, one output), D(x, y) = ψ(φ(x)) + ⟨E[y], φ(x)⟩.
            case projection
        }

        public var kind: Kind
        public var classes: Int
        /// Columns of the embedding: the features appended (`embedding`) or those of φ(x) (`projection`).
        public var features: Int
        /// The embedding is spectrally normalised (its `weight_u`, `weight_v` saved as state).
        public var spectral: Bool?

        public init(kind: Kind, classes: Int, features: Int, spectral: Bool = false) {
            (self.kind, self.classes, self.features) = (kind, classes, features)
            if spectral { self.spectral = true }
        }

        /// The most classes a conditional network takes.
        public static let largestClassCount = 1000
    }

    public init(inputs: Int, layers: [Layer]) {
        self.inputs = inputs
        self.layers = layers
    }

    /// The dotted path of layer `index`: `layers.4`.
    public static func path(ofLayer index: Int) -> String { "layers.\(index)" }

    /// The shape of one sample after each layer (`shapes[i]` after layer i); nil with the
    /// reason when the sizes do not chain or a layer lacks its sizes.
    public func sampleShapes() -> Result<[[Int]], ShapeProblem> {
        var shape = [inputs]
        var shapes: [[Int]] = []
        guard inputs >= 1 else { return .failure(ShapeProblem("its input has \(inputs) features")) }
        if let conditioning {
            guard (2...Conditioning.largestClassCount).contains(conditioning.classes), (1...Self.largestSize).contains(conditioning.features) else {
                return .failure(ShapeProblem("its class conditioning needs 2 to \(Conditioning.largestClassCount) classes and 1 to \(Self.largestSize) embedding features (got \(conditioning.classes) and \(conditioning.features))"))
            }
            if conditioning.kind == .embedding { shape = [inputs + conditioning.features] }
        }
        for (index, layer) in layers.enumerated() {
            let name = Self.path(ofLayer: index)
            func fail(_ text: String) -> Result<[[Int]], ShapeProblem> { .failure(ShapeProblem("\(name) (\(layer.kind.rawValue)) \(text)")) }
            func positive(_ values: Int?...) -> Bool { values.allSatisfy { ($0 ?? 0) >= 1 && ($0 ?? 0) <= Self.largestSize } }
            switch layer.kind {
            case .linear:
                guard positive(layer.inputs, layer.outputs) else { return fail("needs positive inputs and outputs up to \(Self.largestSize)") }
                guard shape == [layer.inputs!] else { return fail("takes \(layer.inputs!) features but the layer before gives \(Self.describe(shape))") }
                shape = [layer.outputs!]
            case .conv, .convTranspose:
                guard positive(layer.inputs, layer.outputs, layer.kernel, layer.stride ?? 1), (layer.padding ?? 0) >= 0, (layer.padding ?? 0) <= Self.largestSize,
                      (layer.outputPadding ?? 0) >= 0 else {
                    return fail("needs positive channels, kernel and stride, and a padding ≥ 0")
                }
                guard shape.count == 3 else { return fail("needs images [channels, height, width] but the layer before gives \(Self.describe(shape)); add a reshape") }
                guard shape[0] == layer.inputs! else { return fail("takes \(layer.inputs!) channels but the layer before gives \(shape[0])") }
                let (k, s, p, op) = (layer.kernel!, layer.stride ?? 1, layer.padding ?? 0, layer.outputPadding ?? 0)
                let spatial: [Int]
                if layer.kind == .conv {
                    spatial = shape.dropFirst().map { ($0 + 2 * p - k) < 0 ? 0 : ($0 + 2 * p - k) / s + 1 }
                } else {
                    guard op < max(s, p + 1) else { return fail("has output padding \(op), which must be below the stride or the padding + 1") }
                    spatial = shape.dropFirst().map { ($0 - 1) * s - 2 * p + k + op }
                }
                guard spatial.allSatisfy({ $0 >= 1 && $0 <= Self.largestSize }) else {
                    return fail("with kernel \(k), stride \(s) and padding \(p) gives no image from \(Self.describe(shape))")
                }
                shape = [layer.outputs!] + spatial
            case .batchNorm:
                guard positive(layer.channels) else { return fail("needs positive channels") }
                guard shape.count == 1 || shape.count == 3, shape[0] == layer.channels! else {
                    return fail("normalises \(layer.channels!) channels but the layer before gives \(Self.describe(shape))")
                }
            case .layerNorm: break
            case .reshape:
                guard let target = layer.shape, !target.isEmpty, target.allSatisfy({ $0 >= 1 && $0 <= Self.largestSize }) else {
                    return fail("needs a shape of positive sizes")
                }
                guard Self.count(target) == Self.count(shape) else {
                    return fail("views \(Self.describe(shape)) (\(Self.count(shape).map(String.init) ?? "too many") values) as \(Self.describe(target))")
                }
                shape = target
            case .crop:
                guard positive(layer.height, layer.width) else { return fail("needs a positive height and width") }
                guard shape.count == 3, layer.height! <= shape[1], layer.width! <= shape[2] else {
                    return fail("keeps \(layer.height!)×\(layer.width!) of \(Self.describe(shape))")
                }
                shape = [shape[0], layer.height!, layer.width!]
            case .relu, .tanh, .sigmoid, .identity, .leakyRelu: break
            }
            if layer.spectral == true, !layer.hasWeight { return fail("has no weight to normalise spectrally") }
            shapes.append(shape)
        }
        if let conditioning, conditioning.kind == .projection {
            guard let last = layers.last, last.kind == .linear, last.outputs == 1, last.inputs == conditioning.features else {
                return .failure(ShapeProblem("its class projection needs a last layer linear from \(conditioning.features) features to one score"))
            }
        }
        return .success(shapes)
    }

    /// A description problem, in words.
    public struct ShapeProblem: Error, Equatable, Sendable {
        public var message: String
        public init(_ message: String) { self.message = message }
    }

    /// No dimension of a described network may exceed this.
    public static let largestSize = 1 << 24

    static func count(_ shape: [Int]) -> Int? { CheckedSize.product(shape) }

    static func describe(_ shape: [Int]) -> String {
        shape.count == 1 ? "\(shape[0]) features" : shape.map(String.init).joined(separator: "×")
    }

    /// Every parameter tensor in order, with its path and shape (PyTorch's names and layouts):
    /// `layers.0.weight` `[out, in]` or `[out, in, k, k]` (`[in, out, k, k]` transposed), `…bias`.
    public var parameters: [(path: String, shape: [Int])] {
        let shapes = (try? sampleShapes().get()) ?? []
        return layers.enumerated().flatMap { index, layer -> [(path: String, shape: [Int])] in
            let path = Self.path(ofLayer: index)
            switch layer.kind {
            case .linear:
                guard let inputs = layer.inputs, let outputs = layer.outputs else { return [] }
                return [("\(path).weight", [outputs, inputs]), ("\(path).bias", [outputs])]
            case .conv, .convTranspose:
                guard let inputs = layer.inputs, let outputs = layer.outputs, let k = layer.kernel else { return [] }
                let weight = layer.kind == .conv ? [outputs, inputs, k, k] : [inputs, outputs, k, k]
                return [("\(path).weight", weight), ("\(path).bias", [outputs])]
            case .batchNorm:
                guard let channels = layer.channels else { return [] }
                return [("\(path).weight", [channels]), ("\(path).bias", [channels])]
            case .layerNorm:
                guard let sample = index == 0 ? [inputs] : (index - 1 < shapes.count ? shapes[index - 1] : nil) else { return [] }
                return [("\(path).weight", sample), ("\(path).bias", sample)]
            default: return []
            }
        } + (conditioning.map { [(Self.classEmbeddingPath + ".weight", [$0.classes, $0.features])] } ?? [])
    }

    /// The path of a conditional network's class embedding (`class_embedding.weight`).
    public static let classEmbeddingPath = "class_embedding"

    /// Saved state that is not trained: running statistics, spectral-norm vectors.
    public var buffers: [(path: String, shape: [Int])] {
        let embedding: [(path: String, shape: [Int])] = conditioning.map { conditioning in
            conditioning.spectral == true
                ? [(Self.classEmbeddingPath + ".weight_u", [conditioning.classes]), (Self.classEmbeddingPath + ".weight_v", [conditioning.features])] : []
        } ?? []
        return layers.enumerated().flatMap { index, layer -> [(path: String, shape: [Int])] in
            let path = Self.path(ofLayer: index)
            if layer.kind == .batchNorm, let channels = layer.channels {
                return [("\(path).running_mean", [channels]), ("\(path).running_var", [channels])]
            }
            if layer.spectral == true, let outputs = layer.outputs, let inputs = layer.inputs {
                let columns = inputs * (layer.kind == .linear ? 1 : (layer.kernel ?? 1) * (layer.kernel ?? 1))
                return [("\(path).weight_u", [outputs]), ("\(path).weight_v", [columns])]
            }
            return []
        } + embedding
    }

    /// The paths of the hidden outputs the gradient probes measure: every activation layer
    /// that another layer follows (`layers.1`, `layers.3`, … for an MLP).
    public var hiddenOutputPaths: [String] { hiddenOutputLayers.map(Self.path(ofLayer:)) }

    /// The indices of those layers.
    public var hiddenOutputLayers: [Int] {
        layers.indices.filter { layers[$0].isActivation && $0 < layers.count - 1 }
    }

    /// Features of one output sample.
    public var outputs: Int {
        guard case .success(let shapes) = sampleShapes(), let last = shapes.last else {
            return layers.last(where: { $0.kind == .linear })?.outputs ?? inputs
        }
        return Self.count(last) ?? 0
    }

    /// The parameter count.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    /// Whether every weight layer is fully connected (an MLP).
    public var isFullyConnected: Bool { layers.allSatisfy { $0.kind == .linear || $0.isActivation } }

    /// `2→512→512→1 relu` for an MLP; the layers in order otherwise.
    public var summary: String {
        let condition = conditioning.map { c in
            c.kind == .embedding ? " (given one of \(c.classes) classes, embedded in \(c.features))" : " (given one of \(c.classes) classes, by projection)"
        } ?? ""
        guard isFullyConnected else {
            return "\(inputs) → " + layers.map(\.token).joined(separator: " → ") + condition
        }
        let sizes = [inputs] + layers.compactMap { $0.kind == .linear ? $0.outputs : nil }
        let activations = Set(layers.compactMap(\.activationName))
        return sizes.map(String.init).joined(separator: "→") + (activations.isEmpty ? "" : " " + activations.sorted().joined(separator: ", ")) + condition
    }

    /// Why this description is not a network ganpipe can build (sizes that do not chain, a
    /// layer without its sizes); nil when it is one.
    public var problem: String? {
        if case .failure(let problem) = sampleShapes() { return problem.message }
        guard layers.contains(where: \.hasWeight) else { return "it has no layer with weights" }
        guard ["torch-default", "dcgan"].contains(initialisation) else { return "its initialisation '\(initialisation)' is unknown (torch-default or dcgan)" }
        return nil
    }
}

/// The two networks of a run.
public struct ModelDescription: Codable, Equatable, Sendable {
    /// The version of this format; a reader refuses a newer one. 2: a network may be
    /// class-conditional (`conditioning`), which a reader of 1 would silently ignore.
    public var format = 1
    /// The newest format this ganpipe reads.
    public static let currentFormat = 2

    /// The classes of a class-conditional model; nil for an unconditional one.
    public var classes: Int? { generator.conditioning?.classes }

    /// The model with a class-conditional generator (its label embedded in `embedding` features
    /// appended to z, which its first layer, linear, takes) and a projection discriminator, for `classes` classes. The projection
    /// embedding is spectral when the discriminator's last layer is.
    public func conditioned(classes: Int, embedding: Int) -> ModelDescription {
        var model = self
        model.format = 2
        model.generator.conditioning = .init(kind: .embedding, classes: classes, features: embedding)
        // The first layer takes (z, E[y]).
        if model.generator.layers.first?.kind == .linear { model.generator.layers[0].inputs = generator.inputs + embedding }
        let last = discriminator.layers.last
        model.discriminator.conditioning = .init(kind: .projection, classes: classes, features: last?.inputs ?? 0,
                                                 spectral: last?.spectral == true)
        return model
    }
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
        let model = try JSONDecoder().decode(ModelDescription.self, from: data)
        guard model.format <= currentFormat else { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "model format \(model.format) is newer than this ganpipe reads (\(currentFormat))")) }
        return model
    }
}

extension NetworkDescription {
    /// Why a bias's gradient is 0 whatever the weights (up to rounding).
    public enum ZeroGradient: Sendable, Equatable {
        /// Batch normalisation follows the layer: the batch mean takes the bias away again.
        case batchNormFollows
        /// The loss ignores a constant added to the network's output (a Wasserstein critic),
        /// and the bias is the last weight layer's, with only reshapes or identity after it.
        case outputShift
    }

    /// The bias paths (`layers.4.bias`) whose gradient is 0 by construction; with
    /// `shiftInvariantLoss` (Wasserstein objectives, for the critic) the output layer's too.
    public func zeroGradientBiases(shiftInvariantLoss: Bool) -> [String: ZeroGradient] {
        var found: [String: ZeroGradient] = [:]
        for index in layers.indices.dropLast() where layers[index].hasWeight && layers[index + 1].kind == .batchNorm {
            found[Self.path(ofLayer: index) + ".bias"] = .batchNormFollows
        }
        if shiftInvariantLoss, let last = layers.lastIndex(where: \.hasWeight),
           layers[(last + 1)...].allSatisfy({ $0.kind == .reshape || $0.kind == .identity }) {
            found[Self.path(ofLayer: last) + ".bias"] = .outputShift
        }
        return found
    }
}
