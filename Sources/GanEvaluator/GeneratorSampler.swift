import Foundation
import GanSchema
import GanStore
import GanTensor

/// Samples G(z) of a checkpoint's generator for a seed: z standard normal from the seed's own
/// Philox stream (the same z, and so the same samples, for the same seed), the generator in
/// inference mode (running statistics, stored spectral-norm vectors).
public struct GeneratorSampler {
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    public struct Draw {
        public var run: String
        public var step: Int
        public var noise: SampleSet
        public var samples: SampleSet
        /// One sample's shape from the dataset's metadata (`[28, 28]`), if recorded.
        public var sampleShape: [Int]?
    }

    /// At most this many values are drawn at once (samples × features).
    public static let valueLimit = 1 << 28

    /// `count` samples from the checkpoint at `step` (default: the latest complete one).
    public func draw(run reference: String, step: Int?, count: Int, seed: UInt64) throws -> Draw {
        let run = try RunStore(database).find(reference)
        guard run.objective != DatasetClassifier.objective else { throw EvaluatorError.notAGeneratorRun(run: run.name, objective: run.objective) }
        let store = CheckpointStore(database)
        let available = try store.completeSteps(runId: run.id!)
        guard let chosen = step ?? available.last else { throw EvaluatorError.noCheckpoint(run: run.name) }
        guard let checkpoint = try store.checkpoint(runId: run.id!, step: chosen) else {
            throw EvaluatorError.unknownCheckpoints(run: run.name, missing: [chosen], available: available)
        }
        let generator = try CheckpointNetwork(checkpoint: try store.blobs(of: checkpoint), network: "generator",
                                              activation: { try EvaluatorStage.activation(of: run) })
        guard count >= 1, let total = CheckedSize.product([count, max(generator.outputCount, generator.inputCount)]), total <= Self.valueLimit else {
            throw EvaluatorError.invalidOption("--count must be between 1 and \(Self.valueLimit / max(generator.outputCount, generator.inputCount, 1)) for this generator (got \(count))")
        }
        var stream = PhiloxGenerator(seed: seed).stream(0)
        let noise = SampleSet(Tensor.normal([count, generator.inputCount], using: &stream))
        let datasets = DatasetStore(database)
        let shape = try run.datasetId.flatMap { try datasets.dataset(id: $0) }.flatMap { try datasets.sampleShape(of: $0) }
        return Draw(run: run.name, step: chosen, noise: noise, samples: generator.apply(noise),
                    sampleShape: shape.flatMap { CheckedSize.product($0) == generator.outputCount ? $0 : nil })
    }
}
