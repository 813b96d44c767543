import Foundation
import GanModels
import GanNN
import GanSchema
import GanStore
import GanTensor

/// One of a run's networks rebuilt from a checkpoint for inference (running statistics, the
/// stored spectral-norm vectors, no graph): from the description the checkpoint carries (blob
/// `model`), every tensor checked against it. Checkpoints written before descriptions were
/// stored are read as MLPs by their layout (`NAME/layers.{2i}`) with the run's activation.
public struct CheckpointNetwork {
    public let description: NetworkDescription
    public let module: Sequential

    public var inputCount: Int { description.inputs }
    public var outputCount: Int { description.outputs }

    /// Network `name` (`generator`, `discriminator`) of a checkpoint. Throws
    /// `EvaluatorError.unusableCheckpoint` for a missing or misshapen tensor or a description
    /// this ganpipe cannot read.
    public init(checkpoint blobs: [String: CheckpointBlob], network name: String, activation: () throws -> Activation) throws {
        let description: NetworkDescription
        if let stored = blobs[ModelDescription.blobName] {
            guard let model = try? ModelDescription.decode(stored.data), let found = model.network(name) else {
                throw EvaluatorError.unusableCheckpoint("its model description cannot be read (written by a newer ganpipe?)")
            }
            description = found
        } else {
            description = try Self.layout(of: blobs, network: name, activation: activation())
        }
        try self.init(description: description, checkpoint: blobs, network: name)
    }

    /// A generator run's checkpoint at `step` (nil: the latest complete one): its run, step and
    /// blobs, for the commands that use trained networks (`sample`, `score`).
    public static func checkpoint(of reference: String, step: Int?, in database: GanDatabase) throws -> (run: RunRecord, step: Int, blobs: [String: CheckpointBlob]) {
        let run = try RunStore(database).find(reference)
        guard run.objective != DatasetClassifier.objective else { throw EvaluatorError.notAGeneratorRun(run: run.name, objective: run.objective) }
        let store = CheckpointStore(database)
        let available = try store.completeSteps(runId: run.id!)
        guard let chosen = step ?? available.last else { throw EvaluatorError.noCheckpoint(run: run.name) }
        guard let checkpoint = try store.checkpoint(runId: run.id!, step: chosen) else {
            throw EvaluatorError.unknownCheckpoints(run: run.name, missing: [chosen], available: available)
        }
        return (run, chosen, try store.blobs(of: checkpoint))
    }

    /// A network just trained in this process, `module` built from `description`.
    init(description: NetworkDescription, module: Sequential) {
        self.description = description
        self.module = module
    }

    /// Network `name` as `description` says, its tensors read from the checkpoint's blobs
    /// `NAME/PATH` and checked against it.
    public init(description: NetworkDescription, checkpoint blobs: [String: CheckpointBlob], network name: String) throws {
        if let problem = description.problem {
            throw EvaluatorError.unusableCheckpoint("its \(name) (\(description.summary)) is not a network ganpipe can build: \(problem)")
        }
        do {
            module = try description.makeModule { path, shape in
                guard let blob = blobs["\(name)/\(path)"], blob.shape == shape, let values = blob.floats, values.count == shape.reduce(1, *) else {
                    throw EvaluatorError.unusableCheckpoint("\(name)/\(path) is missing or is not the \(shape) float32 tensor its description names")
                }
                return values
            }
        } catch let error as ModelError {
            throw EvaluatorError.unusableCheckpoint("\(error)")
        }
        self.description = description
    }

    /// The MLP an older checkpoint holds: linear layers `NAME/layers.{2i}` until the first
    /// missing index, `activation` between them.
    static func layout(of blobs: [String: CheckpointBlob], network name: String, activation: Activation) throws -> NetworkDescription {
        var sizes: [Int] = []
        while let weight = blobs["\(name)/\(Sequential.path(ofLayer: sizes.isEmpty ? 0 : 2 * (sizes.count - 1))).weight"], weight.shape.count == 2 {
            if sizes.isEmpty { sizes.append(weight.shape[1]) }
            guard weight.shape[1] == sizes.last else {
                throw EvaluatorError.unusableCheckpoint("\(name)/\(Sequential.path(ofLayer: 2 * (sizes.count - 1))).weight takes \(weight.shape[1]) inputs but the layer before gives \(sizes.last!)")
            }
            sizes.append(weight.shape[0])
        }
        guard sizes.count >= 2 else { throw EvaluatorError.unusableCheckpoint("it holds no \(name)/layers.0.weight") }
        return .mlp(inputs: sizes[0], outputs: sizes.last!, hiddenLayers: sizes.count - 2, width: sizes.count > 2 ? sizes[1] : 1, activation: activation)
    }

    /// The classes of a class-conditional network; nil for an unconditional one.
    public var classes: Int? { description.conditioning?.classes }

    /// The network's output for `samples` (`[count, inputs]` → `[count, outputs]`), in batches.
    /// A conditional network takes each sample's class from `labels` (0..<classes); without
    /// them a generator makes class-balanced samples (sample i of class i mod classes) and a
    /// discriminator gives its score averaged over the classes.
    public func apply(_ samples: SampleSet, labels: [Int]? = nil, batchSize: Int = 1024) -> SampleSet {
        run(samples, labels: labels, batchSize: batchSize, keepingFeatures: false).output
    }

    /// The output and the penultimate features: the last hidden output (after the activation
    /// that precedes the output layer), flattened per sample.
    public func applyWithFeatures(_ samples: SampleSet, labels: [Int]? = nil, batchSize: Int = 1024) -> (output: SampleSet, penultimate: SampleSet) {
        run(samples, labels: labels, batchSize: batchSize, keepingFeatures: true)
    }

    private func run(_ samples: SampleSet, labels: [Int]?, batchSize: Int, keepingFeatures: Bool) -> (output: SampleSet, penultimate: SampleSet) {
        // One-hot rows of each sample's class; without labels, a generator's are class-balanced
        // and a projection discriminator's are uniform rows 1/K: its score is linear in the
        // class embedding, so that is its score averaged over the classes.
        let averaged = labels == nil && description.conditioning?.kind == .projection
        let rows = classes.map { classes in { (range: Range<Int>) -> Tensor in
            if averaged { return Tensor(shape: [range.count, classes], scalars: [Float](repeating: 1 / Float(classes), count: range.count * classes)) }
            return ClassConditioning.oneHot(range.map { labels?[$0] ?? $0 % classes }, classes: classes)
        } }
        var outputs: [Float] = [], hidden: [Float] = []
        outputs.reserveCapacity(samples.count * outputCount)
        var hiddenWidth = samples.features
        var start = 0
        GradientMode.withGradientsDisabled {
            while start < samples.count {
                let end = min(start + batchSize, samples.count)
                let batch = Tensor(shape: [end - start, samples.features],
                                   scalars: Array(samples.values[(start * samples.features)..<(end * samples.features)]))
                let (output, probes) = module.forward(batch, labels: rows?(start..<end), mode: .inference)
                outputs += output.reshaped([end - start, -1]).scalars
                if keepingFeatures {
                    let penultimate = (probes.last ?? batch).reshaped([end - start, -1])
                    hidden += penultimate.scalars
                    hiddenWidth = penultimate.shape[1]
                }
                start = end
            }
        }
        return (SampleSet(values: outputs, count: samples.count, features: outputCount),
                SampleSet(values: hidden, count: keepingFeatures ? samples.count : 0, features: hiddenWidth))
    }
}
