import Foundation
import GanModels
import GanSchema
import GanNN
import GanStore
import GanTensor

/// A run in memory: both networks, both optimizers, every random stream, the data cursor,
/// the gradient-health counters and the step. `performStep()` is one generator step;
/// `checkpoint()`/`restore(from:)` move the whole state to and from blobs, exactly.
///
/// Random streams (Philox4x32-10, see GanTensor): the generator's and the discriminator's
/// initial weights, the noise z, the interpolation weights α, and the data order each come from
/// their own stream derived from the run's seed, so changing one (say, the batch size of the
/// interpolates) never shifts another.
public final class TrainingSession {
    public let specification: TrainingSpecification
    /// Both networks as data: what `generator` and `discriminator` are built from, stored in
    /// every checkpoint.
    public let model: ModelDescription
    public let generator: Sequential
    public let discriminator: Sequential
    let generatorOptimizer: any Optimizer
    let discriminatorOptimizer: any Optimizer
    var noiseStream: PhiloxGenerator
    var interpolationStream: PhiloxGenerator
    var sampler: DataSampler
    /// The class of each training sample, for a conditional run (`model.classes` classes).
    let labels: [Int32]?
    var health: GradientHealth
    /// The gradient-norm keys that are 0 whatever the networks do (biases that batch norm
    /// follows, a Wasserstein critic's output bias): never vanishing, so not watched.
    let zeroByConstruction: Set<String>
    /// Generator steps completed.
    public internal(set) var step = 0

    enum Stream: UInt64 {
        case generatorWeights = 0, discriminatorWeights, noise, interpolation
    }

    /// A fresh run of `model`'s networks (default: the specification's MLPs): weights
    /// initialised from the seed, cursor at the start.
    public init(specification: TrainingSpecification, model: ModelDescription? = nil, samples: [Float], sampleCount: Int, features: Int,
                labels: [Int32]? = nil) {
        precondition(specification.problems().isEmpty, "invalid specification: \(specification.problems().map(\.description))")
        self.specification = specification
        self.model = model ?? ModelDescription(specification, features: features)
        precondition((self.model.classes == nil) == (labels == nil) && (labels == nil || labels!.count == sampleCount),
                     "TrainingSession: a conditional model needs one label per sample, an unconditional one none")
        self.labels = labels
        let base = PhiloxGenerator(seed: specification.seed)
        var generatorWeights = base.stream(Stream.generatorWeights.rawValue)
        generator = try! self.model.generator.makeModule(using: &generatorWeights)
        var discriminatorWeights = base.stream(Stream.discriminatorWeights.rawValue)
        discriminator = try! self.model.discriminator.makeModule(using: &discriminatorWeights)
        generatorOptimizer = Self.makeOptimizer(specification)
        discriminatorOptimizer = Self.makeOptimizer(specification)
        noiseStream = base.stream(Stream.noise.rawValue)
        interpolationStream = base.stream(Stream.interpolation.rawValue)
        sampler = DataSampler(samples: samples, count: sampleCount, features: features,
                              generator: Self.dataOrderGenerator(specification))
        health = GradientHealth(vanishingThreshold: specification.vanishingThreshold,
                                explodingThreshold: specification.explodingThreshold, window: specification.healthWindow)
        zeroByConstruction = Set([("generator", self.model.generator, false),
                                  ("discriminator", self.model.discriminator, specification.objective.isWasserstein)].flatMap { name, network, shift in
            network.zeroGradientBiases(shiftInvariantLoss: shift).keys.map { MetricKey.gradientNormPrefix + name + "/" + $0 }
        })
        if specification.objective == .wgan { clipDiscriminator() }
    }

    /// The data order has its own key, so its per-epoch streams never meet the ones above.
    static func dataOrderGenerator(_ specification: TrainingSpecification) -> PhiloxGenerator {
        PhiloxGenerator(seed: specification.seed ^ 0xDA7A_5A3B_1E00_0000)
    }

    static func makeOptimizer(_ specification: TrainingSpecification) -> any Optimizer {
        switch specification.optimizer {
        case .adam: return Adam(learningRate: specification.learningRate, beta1: specification.beta1, beta2: specification.beta2)
        case .rmsprop: return RMSprop(learningRate: specification.learningRate)
        case .sgd: return SGD(learningRate: specification.learningRate, momentum: specification.beta1)
        }
    }

    var batchSize: Int { specification.batchSize }
    var objective: Objective { specification.objective }

    func noise() -> Tensor {
        Tensor.normal([batchSize, specification.noiseDimension], using: &noiseStream)
    }

    /// One-hot rows of the training samples' classes at `indices`; nil for an unconditional run.
    func labels(of indices: [Int]) -> Tensor? {
        guard let labels, let classes = model.classes else { return nil }
        return ClassConditioning.oneHot(indices.map { Int(labels[$0]) }, classes: classes)
    }

    /// Classes for a generator step's samples, uniform, drawn after its z from the noise
    /// stream (so no other stream moves); nil for an unconditional run.
    func generatorLabels() -> Tensor? {
        guard let classes = model.classes else { return nil }
        return ClassConditioning.oneHot((0..<batchSize).map { _ in noiseStream.nextIndex(below: classes) }, classes: classes)
    }

    /// Clamps every discriminator parameter into [−c, c] (WGAN, arXiv 1701.07875).
    func clipDiscriminator() {
        let c = specification.clip
        for (_, tensor) in discriminator.namedParameters { tensor.clampInPlace(min: -c, max: c) }
    }

    /// Share of discriminator parameters sitting at ±c.
    func clippedFraction() -> Double {
        let c = specification.clip
        var atBound = 0, total = 0
        for (_, tensor) in discriminator.namedParameters {
            tensor.withUnsafeBufferPointer { values in
                for value in values where Swift.abs(value) >= c { atBound += 1 }
            }
            total += tensor.count
        }
        return total == 0 ? 0 : Double(atBound) / Double(total)
    }
}
