import Foundation
import GanModels
import GanSchema
import GanNN

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

    /// A specification with the objective's published defaults:
    /// - `gan`, `nsgan`, `hinge`: Adam lr 2e-4, β = (0.5, 0.999), 1 discriminator step (DCGAN);
    /// - `wgan`: RMSprop lr 5e-5, c = 0.01, 5 discriminator steps (arXiv 1701.07875);
    /// - `wgan-gp`, `wgan-lp`: Adam lr 1e-4, β = (0.5, 0.9), λ = 10, 5 steps (arXiv 1704.00028).
    public init(dataset: String, objective: Objective, steps: Int, seed: UInt64 = 0) {
        self.dataset = dataset
        self.objective = objective
        self.steps = steps
        self.seed = seed
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
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
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
    public func memoryEstimate(features: Int) -> MemoryEstimate {
        func network(_ widths: [Int]) -> (parameters: Double, activations: Double) {
            let pairs = zip(widths, widths.dropFirst())
            return (pairs.reduce(0) { $0 + Double($1.0 + 1) * Double($1.1) }, widths.dropFirst().reduce(0) { $0 + Double($1) })
        }
        let generator = network([noiseDimension] + Array(repeating: generatorWidth, count: generatorDepth) + [features])
        let discriminator = network([features] + Array(repeating: discriminatorWidth, count: discriminatorDepth) + [1])
        let parameters = generator.parameters + discriminator.parameters
        let activations = Double(batchSize) * (Double(features) + generator.activations + discriminator.activations)
        return MemoryEstimate(parameters: parameters, bytes: 36 * parameters + 32 * activations)
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
