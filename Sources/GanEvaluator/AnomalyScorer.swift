import Foundation
import GanNN
import GanSchema
import GanStore
import GanTensor

/// Anomaly scores from a trained GAN (`ganpipe score`): higher means less like the data the run
/// was trained on.
///
/// - `discriminator`: −D(x), the discriminator's own verdict (its logit, or the critic's score):
///   what it rates as unlike real data scores high.
/// - `reconstruction`: a latent search in the manner of AnoGAN (Schlegl et al. 2017) with the
///   feature residual of f-AnoGAN (2019): for each x, z is optimised (Adam, from a seeded
///   standard-normal start) to minimise (1 − λ)·mean((x − G(z))²) + λ·mean((f(x) − f(G(z)))²),
///   f being the discriminator's penultimate features; the score is that loss at the end —
///   how far x is from anything the generator makes, in pixels and in the discriminator's view.
public struct AnomalyScorer {
    public enum Method: String, CaseIterable, Sendable {
        case discriminator, reconstruction
    }

    public struct Options: Sendable {
        /// Adam steps of the latent search.
        public var iterations = 200
        public var learningRate: Float = 0.05
        /// The weight of the discriminator-feature residual (AnoGAN's λ = 0.1).
        public var featureWeight: Float = 0.1
        /// The seed of the latent search's starting z.
        public var seed: UInt64 = 0
        public var batchSize = 256

        public init() {}

        /// The latent-search settings a user gives, by their pipeline keys.
        public enum Setting: String, Sendable {
            case iterations, learningRate = "learning_rate", lambda
        }

        /// Each setting out of range, with the end of a sentence about it ("must be 1…100000 (got 0)").
        public var problems: [(setting: Setting, message: String)] {
            var found: [(Setting, String)] = []
            if !(1...100_000).contains(iterations) { found.append((.iterations, "must be 1…100000 (got \(iterations))")) }
            if !(learningRate > 0 && learningRate.isFinite && learningRate <= 10) { found.append((.learningRate, "must be in (0, 10] (got \(learningRate))")) }
            if !(featureWeight >= 0 && featureWeight <= 1) { found.append((.lambda, "must be in [0, 1] (got \(featureWeight))")) }
            return found
        }
    }

    public let generator: CheckpointNetwork
    public let discriminator: CheckpointNetwork
    public let run: String
    public let step: Int

    /// The networks of `run`'s checkpoint at `step` (default: the latest complete one).
    public init(_ database: GanDatabase, run reference: String, step: Int?) throws {
        let (run, chosen, blobs) = try CheckpointNetwork.checkpoint(of: reference, step: step, in: database)
        generator = try CheckpointNetwork(checkpoint: blobs, network: "generator", activation: { try EvaluatorStage.activation(of: run) })
        discriminator = try CheckpointNetwork(checkpoint: blobs, network: "discriminator", activation: { try EvaluatorStage.activation(of: run) })
        guard generator.classes == nil else {
            throw EvaluatorError.invalidOption("run '\(run.name)' is class-conditional; anomaly scores need an unconditional run (train one on the normal class without conditional)")
        }
        self.run = run.name
        self.step = chosen
    }

    /// One score per sample of `samples` (`[count, features]`, the run's sample size).
    public func scores(_ samples: SampleSet, method: Method, options: Options = Options()) -> [Float] {
        switch method {
        case .discriminator:
            return discriminator.apply(samples, batchSize: options.batchSize).values.map { -$0 }
        case .reconstruction:
            var scores: [Float] = []
            scores.reserveCapacity(samples.count)
            var start = 0
            while start < samples.count {
                let end = min(start + options.batchSize, samples.count)
                let batch = Tensor(shape: [end - start, samples.features],
                                   scalars: Array(samples.values[(start * samples.features)..<(end * samples.features)]))
                // Each batch draws its start from its own stream: the same score for a sample
                // whatever else is scored with it in other batches.
                var stream = PhiloxGenerator(seed: options.seed).stream(UInt64(start / options.batchSize))
                scores += latentSearch(batch, start: Tensor.normal([end - start, generator.inputCount], using: &stream), options: options)
                start = end
            }
            return scores
        }
    }

    /// The latent search for one batch: the per-sample loss at the end.
    func latentSearch(_ x: Tensor, start: Tensor, options: Options) -> [Float] {
        let count = x.shape[0]
        let features = GradientMode.withGradientsDisabled { penultimate(x) }
        let z = Tensor(shape: start.shape, scalars: start.scalars, requiresGradient: true)
        let optimizer = Adam(learningRate: options.learningRate, beta1: 0.9, beta2: 0.999)
        func losses() -> Tensor {
            let generated = generator.module.forward(z, mode: .inference).output.reshaped([count, -1])
            let pixels = ((x - generated) * (x - generated)).mean(alongAxes: [1])
            let residual = penultimate(generated) - features
            let featureLoss = (residual * residual).mean(alongAxes: [1])
            return (1 - options.featureWeight) * pixels + options.featureWeight * featureLoss
        }
        for _ in 0..<options.iterations {
            let gradient = gradients(of: losses().sum(), withRespectTo: [z])
            optimizer.step([("z", z)], gradients: gradient)
        }
        return GradientMode.withGradientsDisabled { losses().scalars }
    }

    /// The discriminator's last hidden output for `x`, flattened per sample.
    func penultimate(_ x: Tensor) -> Tensor {
        let (output, probes) = discriminator.module.forward(x, mode: .inference)
        return (probes.last ?? output).reshaped([x.shape[0], -1])
    }
}
