import Foundation
import GanModels
import GanSchema
import GanNN
import GanTensor

/// Everything that determines a run, with every default made explicit. Stored as JSON in
/// `runs.config_json`; `ganpipe resume` rebuilds the run from it.
public struct TrainingSpecification: Codable, Equatable, Sendable {
    public enum OptimizerKind: String, Codable, CaseIterable, Sendable {
        case adam, rmsprop, sgd
    }

    public var dataset: String
    public var objective: Objective
    /// Generator steps in all; one step is one generator update (after its discriminator steps).
    public var steps: Int
    public var seed: UInt64
    public var batchSize: Int = TrainingDefaults.batchSize
    public var noiseDimension: Int = TrainingDefaults.noiseDimension
    public var generatorDepth: Int = TrainingDefaults.depth
    public var generatorWidth: Int = TrainingDefaults.width
    public var discriminatorDepth: Int = TrainingDefaults.depth
    public var discriminatorWidth: Int = TrainingDefaults.width
    /// Hidden-layer activation of both networks: `relu`, `leaky-relu`, `tanh`, `sigmoid`.
    public var activation: String = TrainingDefaults.activation
    public var leakySlope: Float = TrainingDefaults.leakySlope
    public var optimizer: OptimizerKind
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var discriminatorSteps: Int
    /// λ of the gradient penalty (wgan-gp, wgan-lp); 0 otherwise.
    public var gradientPenaltyWeight: Float
    /// c of WGAN's weight clipping to [−c, c]; 0 means no clipping.
    public var clip: Float
    public var checkpointEvery: Int = TrainingDefaults.checkpointEvery
    public var metricsEvery: Int = TrainingDefaults.metricsEvery
    public var threads: Int = TrainingDefaults.threads
    /// A per-layer gradient norm below this for `healthWindow` consecutive recorded steps is
    /// a vanishing episode.
    public var vanishingThreshold: Double = TrainingDefaults.vanishingThreshold
    /// A per-layer gradient norm above this for `healthWindow` consecutive recorded steps is an
    /// exploding episode.
    public var explodingThreshold: Double = TrainingDefaults.explodingThreshold
    public var healthWindow: Int = TrainingDefaults.healthWindow
    /// After this many generator steps the generator stops learning: later steps train only
    /// the discriminator, while the generator's gradients are still measured (the setting of
    /// Arjovsky & Bottou 2017, arXiv 1701.04862, Figure 2). nil: never.
    public var generatorFrozenAfter: Int?
    /// The networks by name (nil: `mlp`, so configurations written before architectures
    /// existed read unchanged).
    public var architecture: Architecture?
    /// The base channel count D of a convolutional architecture (nil: 64).
    public var channels: Int?
    /// Normalisation of each network's hidden layers (nil: the architecture's own — batch norm
    /// in DCGAN, layer norm for a DCGAN critic under a gradient penalty, none otherwise).
    public var generatorNormalization: Normalization?
    public var discriminatorNormalization: Normalization?
    /// A network written by hand (`NetworkDescription.parsing`), replacing the architecture's.
    public var generatorLayers: String?
    public var discriminatorLayers: String?
    /// Class-conditional training on a labelled dataset (nil: no): the generator takes a label
    /// embedding beside z, the discriminator a class projection (Miyato & Koyama 2018).
    public var conditional: Bool?
    /// Features of the generator's label embedding (nil: the number of classes).
    public var classEmbedding: Int?

    /// A specification with the objective's published defaults:
    /// - `gan`, `nsgan`, `hinge`: Adam lr 2e-4, β = (0.5, 0.999), 1 discriminator step (DCGAN);
    /// - `wgan`: RMSprop lr 5e-5, c = 0.01, 5 discriminator steps (arXiv 1701.07875);
    /// - `wgan-gp`, `wgan-lp`: Adam lr 1e-4, β = (0.5, 0.9), λ = 10, 5 steps (arXiv 1704.00028).
    /// A convolutional `architecture` also sets its authors' noise dimension and critic depth.
    public init(dataset: String, objective: Objective, steps: Int, seed: UInt64 = 0, architecture: Architecture = .mlp) {
        self.dataset = dataset
        self.objective = objective
        self.steps = steps
        self.seed = seed
        if architecture != .mlp {
            self.architecture = architecture
            noiseDimension = architecture.noiseDimension
            discriminatorDepth = ConvolutionalArchitecture.criticConvolutions(architecture)
        }
        switch objective {
        case .gan, .nsgan, .hinge:
            (optimizer, learningRate, beta1, beta2, discriminatorSteps, gradientPenaltyWeight, clip) = (.adam, 2e-4, 0.5, 0.999, 1, 0, 0)
        case .wgan:
            (optimizer, learningRate, beta1, beta2, discriminatorSteps, gradientPenaltyWeight, clip) = (.rmsprop, 5e-5, 0, 0, 5, 0, 0.01)
        case .wganGP, .wganLP:
            (optimizer, learningRate, beta1, beta2, discriminatorSteps, gradientPenaltyWeight, clip) = (.adam, 1e-4, 0.5, 0.9, 5, 10, 0)
        }
    }

    public var hiddenActivation: Activation? { Activation(name: activation, leakySlope: leakySlope) }

    public var resolvedArchitecture: Architecture { architecture ?? TrainingDefaults.architecture }
    public var isConditional: Bool { conditional ?? false }
    public var resolvedChannels: Int { channels ?? TrainingDefaults.channels }

    /// The normalisation each network gets.
    public var resolvedNormalization: (generator: Normalization, discriminator: Normalization) {
        let (generator, discriminator): (Normalization, Normalization) = switch resolvedArchitecture {
        case .mlp, .wganGPMNIST: (.none, .none)
        case .dcgan: (.batch, objective.hasGradientPenalty ? .layer : .batch)
        }
        return (generatorNormalization ?? generator, discriminatorNormalization ?? discriminator)
    }

    /// The settings, by their keys in `runs.config_json` (GanSchema's `ConfigurationKey`).
    public typealias Key = ConfigurationKey

    /// What is wrong with one setting: its key, and a message that completes a sentence about
    /// it ("must be at least 1 (got 0)").
    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        public var key: Key
        public var message: String

        /// With the setting named by its configuration key: `batch_size must be …`.
        public var description: String { "\(key.rawValue) \(message)" }
    }

    /// Every problem with the values; empty when valid.
    public func problems() -> [Problem] {
        var found: [Problem] = []
        func require(_ condition: Bool, _ key: Key, _ message: String) { if !condition { found.append(Problem(key: key, message: message)) } }
        require(!dataset.isEmpty, .dataset, "is empty; name a dataset from `ganpipe data list`")
        require(steps >= 1, .steps, "must be at least 1 (got \(steps))")
        require(batchSize >= 1 && batchSize <= 1 << 16, .batchSize, "must be between 1 and 65536 (got \(batchSize))")
        require(noiseDimension >= 1 && noiseDimension <= 1 << 14, .noiseDimension, "must be between 1 and 16384 (got \(noiseDimension))")
        for (key, value) in [(Key.generatorDepth, generatorDepth), (.discriminatorDepth, discriminatorDepth)] {
            require(value >= 0 && value <= 64, key, "must be between 0 and 64 hidden layers (got \(value))")
        }
        for (key, value) in [(Key.generatorWidth, generatorWidth), (.discriminatorWidth, discriminatorWidth)] {
            require(value >= 1 && value <= 1 << 14, key, "must be between 1 and 16384 (got \(value))")
        }
        require(hiddenActivation != nil, .activation, "'\(activation)' is unknown; use one of \(Activation.names.joined(separator: ", "))")
        require(leakySlope.isFinite && leakySlope >= 0 && leakySlope < 1, .leakySlope, "must be in [0, 1) (got \(leakySlope))")
        require(learningRate.isFinite && learningRate > 0 && learningRate < 10, .learningRate, "must be positive and below 10 (got \(learningRate))")
        require(beta1.isFinite && beta1 >= 0 && beta1 < 1, .beta1, "must be in [0, 1) (got \(beta1))")
        require(beta2.isFinite && beta2 >= 0 && beta2 < 1, .beta2, "must be in [0, 1) (got \(beta2))")
        require(discriminatorSteps >= 1 && discriminatorSteps <= 1000, .discriminatorSteps, "must be between 1 and 1000 (got \(discriminatorSteps))")
        require(gradientPenaltyWeight.isFinite && gradientPenaltyWeight >= 0, .gradientPenaltyWeight, "must be ≥ 0 (got \(gradientPenaltyWeight))")
        require(clip.isFinite && clip >= 0, .clip, "must be ≥ 0 (got \(clip))")
        if objective == .wgan { require(clip > 0, .clip, "must be > 0 for the wgan objective (its Lipschitz constraint)") }
        require(checkpointEvery >= 1, .checkpointEvery, "must be at least 1 (got \(checkpointEvery))")
        require(metricsEvery >= 1, .metricsEvery, "must be at least 1 (got \(metricsEvery))")
        require(threads >= 1 && threads <= 256, .threads, "must be between 1 and 256 (got \(threads))")
        require(vanishingThreshold >= 0 && vanishingThreshold < explodingThreshold, .vanishingThreshold,
                "must be ≥ 0 and below the exploding threshold (got \(vanishingThreshold) and \(explodingThreshold))")
        require(healthWindow >= 1, .healthWindow, "must be at least 1 (got \(healthWindow))")
        if let channels { require(channels >= 1 && channels <= 4096, .channels, "must be between 1 and 4096 (got \(channels))") }
        if let classEmbedding {
            require(classEmbedding >= 1 && classEmbedding <= 4096, .classEmbedding, "must be between 1 and 4096 (got \(classEmbedding))")
            require(isConditional, .classEmbedding, "applies only to a conditional run; set conditional: true or drop it")
        }
        if objective.hasGradientPenalty {
            require(resolvedNormalization.discriminator != .batch, .discriminatorNormalization,
                    "cannot be batch under a gradient penalty: batch norm makes each critic output depend on the whole batch, so the per-sample penalty no longer holds (use layer, as the WGAN-GP paper advises)")
        }
        for (key, text) in [(Key.generatorLayers, generatorLayers), (.discriminatorLayers, discriminatorLayers)] {
            guard let text else { continue }
            do { _ = try NetworkDescription.syntax(text) } catch let problem as NetworkDescription.ShapeProblem {
                found.append(Problem(key: key, message: problem.message))
            } catch {}
        }
        if let frozen = generatorFrozenAfter {
            require(frozen >= 0 && frozen < steps, .generatorFrozenAfter, "must be between 0 and the number of steps − 1 (got \(frozen) of \(steps) steps)")
        }
        return found
    }

    /// The canonical JSON stored in `runs.config_json` (sorted keys, so equal specifications
    /// have equal text and equal `config_sha256`).
    public func canonicalJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // `conditional: false` is the unconditional run that omits the key: the same text.
        var canonical = self
        if canonical.conditional == false { canonical.conditional = nil }
        return String(decoding: try! encoder.encode(canonical), as: UTF8.self)
    }

    public static func decode(canonicalJSON text: String) throws -> TrainingSpecification {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(TrainingSpecification.self, from: Data(text.utf8))
    }
}

extension TrainingSpecification {
    /// What training needs in memory beyond the dataset, for samples of `features` values.
    public struct MemoryEstimate: Sendable {
        public var parameters: Double
        public var bytes: Double
    }

    /// Measured with `ganpipe bench train --on-disk` at widths 512 to 4096 and batches to 8192
    /// (peak resident memory): about 33 bytes per parameter (value, gradient, two optimizer
    /// moments, and the copies a checkpoint makes while it is written) and 16 per activation
    /// value of one batch through both networks (the discriminator sees real, fake and
    /// interpolated batches, and the penalty's double backward keeps a second graph). The
    /// estimate rounds both up.
    public func memoryEstimate(model: ModelDescription) -> MemoryEstimate {
        // Per sample: the input and every weight layer's output. A convolution's unfolded
        // windows are not kept: each op unfolds slices of at most a few megabytes into scratch
        // (`ConvolutionGeometry.defaultSliceBytes`, or one image's windows when larger), and a
        // few such buffers are alive at once.
        func activations(_ network: NetworkDescription) -> (perSample: Double, scratch: Double) {
            guard case .success(let shapes) = network.sampleShapes() else { return (0, 0) }
            var total = 0.0, scratch = 0.0
            for (index, layer) in network.layers.enumerated() where layer.hasWeight {
                total += Double(shapes[index].reduce(1, *))
                if layer.kind == .conv || layer.kind == .convTranspose, let k = layer.kernel {
                    let positions = layer.kind == .conv ? shapes[index].dropFirst() : (index == 0 ? [] : shapes[index - 1].dropFirst())
                    let channels = layer.kind == .conv ? (layer.inputs ?? 0) : (layer.outputs ?? 0)
                    let image = 4 * Double(channels * k * k) * Double(positions.reduce(1, *))
                    scratch = max(scratch, 4 * max(Double(ConvolutionGeometry.defaultSliceBytes), image))
                }
            }
            return (total, scratch)
        }
        let (generator, discriminator) = (activations(model.generator), activations(model.discriminator))
        let parameters = Double(model.generator.parameterCount + model.discriminator.parameterCount)
        let perSample = Double(model.discriminator.inputs) + generator.perSample + discriminator.perSample
        return MemoryEstimate(parameters: parameters,
                              bytes: 36 * parameters + 32 * Double(batchSize) * perSample + max(generator.scratch, discriminator.scratch))
    }
}

extension ModelDescription {
    /// The networks `specification` trains on samples of `features` values: MLPs of its
    /// depths, widths and hidden activation (noise → samples; samples → one score).
    public init(_ specification: TrainingSpecification, features: Int) {
        let activation = specification.hiddenActivation ?? .relu
        self.init(generator: .mlp(inputs: specification.noiseDimension, outputs: features, hiddenLayers: specification.generatorDepth,
                                  width: specification.generatorWidth, activation: activation),
                  discriminator: .mlp(inputs: features, outputs: 1, hiddenLayers: specification.discriminatorDepth,
                                      width: specification.discriminatorWidth, activation: activation))
    }
}

extension TrainingSpecification {
    /// The networks this specification trains on `data`: its architecture, sized from the
    /// samples' shape, with its normalisation. Throws `TrainerError.networkDoesNotFit` in one
    /// line when the data do not fit the architecture.
    public func model(for data: DataShape) throws -> ModelDescription {
        var model = try architectureModel(for: data)
        func parse(_ key: Key, _ text: String, inputs: Int, image: [Int]?, outputs: Int?) throws -> NetworkDescription {
            do { return try NetworkDescription.parsing(text, inputs: inputs, image: image, outputs: outputs) } catch let problem as NetworkDescription.ShapeProblem {
                throw TrainerError.networkDoesNotFit("\(key.rawValue) does not fit the data (\(data.image.map { $0.map(String.init).joined(separator: "×") } ?? "\(data.features) values") per sample): \(problem.message)")
            }
        }
        if let generatorLayers {
            model.generator = try parse(.generatorLayers, generatorLayers, inputs: noiseDimension, image: nil, outputs: data.features)
        }
        if let discriminatorLayers {
            model.discriminator = try parse(.discriminatorLayers, discriminatorLayers, inputs: data.features, image: data.image, outputs: nil)
        }
        for (name, network, outputs) in [("generator", model.generator, data.features), ("discriminator", model.discriminator, 1)] {
            if let problem = network.problem { throw TrainerError.networkDoesNotFit("the \(name) is not usable: \(problem)") }
            guard network.outputs == outputs else {
                throw TrainerError.networkDoesNotFit("the \(name) ends with \(network.outputs) values per sample, but needs \(outputs) (\(name == "generator" ? "the dataset's sample size" : "one score")); change its last layer")
            }
        }
        guard isConditional else { return model }
        guard let classes = data.classes else {
            throw TrainerError.networkDoesNotFit("a conditional run needs class labels, but dataset '\(dataset)' has none (or its training split has one class); import it with its labels, or drop conditional")
        }
        guard let last = model.discriminator.layers.last, last.kind == .linear else {
            throw TrainerError.networkDoesNotFit("a conditional run's discriminator must end with a linear layer to one score (its class projection acts on that layer's input); change discriminator_layers")
        }
        model = model.conditioned(classes: classes, embedding: classEmbedding ?? classes)
        for (name, network) in [("generator", model.generator), ("discriminator", model.discriminator)] {
            if let problem = network.problem { throw TrainerError.networkDoesNotFit("the conditional \(name) is not usable: \(problem)") }
        }
        return model
    }

    func architectureModel(for data: DataShape) throws -> ModelDescription {
        let (generatorNorm, discriminatorNorm) = resolvedNormalization
        let architecture = resolvedArchitecture
        if architecture == .mlp {
            var model = ModelDescription(self, features: data.features)
            model.generator = Self.normalized(model.generator, generatorNorm)
            model.discriminator = Self.normalized(model.discriminator, discriminatorNorm)
            return model
        }
        guard let image = data.image else {
            throw TrainerError.networkDoesNotFit("\(architecture.rawValue) needs image data, but dataset '\(dataset)' has samples of \(data.features) values without an image shape; use --architecture mlp, or import the images with their sample shape")
        }
        // The generator's last nonlinearity matches the data's range: sigmoid for [0, 1] (the
        // WGAN-GP networks), tanh for [−1, 1] (DCGAN), none otherwise.
        let output: Activation = data.range.lowerBound >= 0 && data.range.upperBound <= 1 ? .sigmoid
            : data.range.lowerBound >= -1 && data.range.upperBound <= 1 ? .tanh : .identity
        do {
            return try ConvolutionalArchitecture.model(architecture, .init(
                image: image, noise: noiseDimension, channels: resolvedChannels, criticConvolutions: discriminatorDepth,
                generatorNormalization: generatorNorm, discriminatorNormalization: discriminatorNorm, output: output))
        } catch let error as ModelError {
            throw TrainerError.networkDoesNotFit("\(error)")
        }
    }

    /// An MLP with `normalization` after each hidden linear layer (or on every weight).
    static func normalized(_ network: NetworkDescription, _ normalization: Normalization) -> NetworkDescription {
        guard normalization != .none else { return network }
        var result = network
        result.layers = []
        for (index, layer) in network.layers.enumerated() {
            var layer = layer
            if normalization == .spectral, layer.hasWeight { layer.spectral = true }
            result.layers.append(layer)
            guard layer.kind == .linear, index < network.layers.count - 1, let width = layer.outputs else { continue }
            if normalization == .batch { result.layers.append(.batchNorm(width)) }
            if normalization == .layer { result.layers.append(.layerNorm) }
        }
        return result
    }
}

/// What the networks need to know about the data: values per sample, the image shape
/// `[C, H, W]` if the samples are images, and the range of the values.
public struct DataShape: Sendable, Equatable {
    public var features: Int
    public var image: [Int]?
    public var range: ClosedRange<Float>
    /// The number of classes of labelled data (labels 0..<classes, at least 2); nil without labels.
    public var classes: Int?

    public init(features: Int, image: [Int]? = nil, range: ClosedRange<Float> = -1...1, classes: Int? = nil) {
        self.features = features
        self.image = image
        self.range = range
        self.classes = classes
    }

    /// `[H, W]` → `[1, H, W]`; `[C, H, W]` as is; anything else is not an image.
    public static func image(from sampleShape: [Int]) -> [Int]? {
        switch sampleShape.count {
        case 2: [1] + sampleShape
        case 3: sampleShape
        default: nil
        }
    }
}
