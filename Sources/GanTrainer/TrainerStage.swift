import Foundation
import GanNN
import GanSchema
import GanStore
import GanTensor

/// Stage 2: trains a run on a stored dataset, writing metrics, events and checkpoints into the
/// database, and continues interrupted runs bit-for-bit.
public struct TrainerStage {
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// Reported after every generator step.
    public struct Progress: Sendable {
        public var runName: String
        public var step: Int
        public var totalSteps: Int
        /// Steps completed in this process (not counting those before a resume).
        public var stepsThisSession: Int
        public var elapsedSeconds: Double
        /// Of `elapsedSeconds`, the time spent writing to the database.
        public var storeSeconds: Double
        public var discriminatorLoss: Double
        public var generatorLoss: Double
    }

    /// How a training session ended.
    public struct Result: Codable, Sendable {
        public var run: String
        public var runId: Int64
        public var status: RunStatus
        public var step: Int
        public var totalSteps: Int
        public var startedAtStep: Int
        public var seconds: Double
        /// Seconds spent writing to the database.
        public var storeSeconds: Double
        public var error: String?
        /// Warnings this session recorded (vanishing and exploding gradients, …).
        public var warnings = 0
        /// Metric values this session recorded as non-finite (stored as NULL).
        public var nonFiniteMetricValues = 0
    }

    /// Hooks from the command line and the pipeline: progress display, a stop request (SIGINT,
    /// SIGTERM), a call once this process holds the run (before any training), and a call after
    /// each checkpoint is committed (with the run id and the checkpoint's step), so another
    /// stage can read it from the database while training goes on.
    public struct Hooks {
        public var progress: (Progress) -> Void
        public var shouldStop: () -> Bool
        public var runClaimed: (_ runId: Int64) throws -> Void
        public var checkpointCommitted: (_ runId: Int64, _ step: Int) throws -> Void
        /// Each event a training step records (vanishing, exploding, …), as it happens.
        public var event: (_ run: String, _ event: RunJournal.Event) -> Void

        public init(progress: @escaping (Progress) -> Void = { _ in }, shouldStop: @escaping () -> Bool = { false },
                    runClaimed: @escaping (Int64) throws -> Void = { _ in },
                    checkpointCommitted: @escaping (Int64, Int) throws -> Void = { _, _ in },
                    event: @escaping (String, RunJournal.Event) -> Void = { _, _ in }) {
            self.event = event
            self.progress = progress
            self.shouldStop = shouldStop
            self.runClaimed = runClaimed
            self.checkpointCommitted = checkpointCommitted
        }
    }

    /// Creates run `name` and trains it from scratch.
    public func train(name: String, specification: TrainingSpecification, pipeline: String? = nil,
                      hooks: Hooks = Hooks()) throws -> Result {
        let problems = specification.problems()
        guard problems.isEmpty else { throw TrainerError.invalidSpecification(problems) }
        let dataset = try DatasetStore(database).find(specification.dataset)
        // Read (and check) the samples before the run row exists, so bad data leaves no run.
        let samples = try trainingSamples(dataset, for: specification)
        let run = try RunStore(database).insert(queuedRun(name: name, specification: specification, dataset: dataset, pipeline: pipeline))
        return try proceed(run, samples: samples, hooks: hooks)
    }

    /// The `runs` row of a run that has not started.
    public func queuedRun(name: String, specification: TrainingSpecification, dataset: DatasetRecord,
                          pipeline: String? = nil) -> RunRecord {
        RunRecord(name: name, objective: specification.objective.rawValue, datasetId: dataset.id,
                  seed: Int64(bitPattern: specification.seed), configJson: specification.canonicalJSON(),
                  totalSteps: specification.steps, pipeline: pipeline)
    }

    /// Continues `reference` (a name or id) from its last complete checkpoint — or starts it, if
    /// it is queued — to `steps` generator steps in all (default: the run's own total).
    public func resume(_ reference: String, steps: Int? = nil, hooks: Hooks = Hooks()) throws -> Result {
        try proceed(try RunStore(database).find(reference), steps: steps, hooks: hooks)
    }

    /// Starts a queued run or continues any other from its last complete checkpoint. Taking
    /// the run is atomic with the check that no other live process holds it (`RunLease`).
    func proceed(_ run: RunRecord, steps: Int? = nil, samples loaded: Samples? = nil, hooks: Hooks) throws -> Result {
        var run = run
        guard var specification = try? TrainingSpecification.decode(canonicalJSON: run.configJson) else {
            throw TrainerError.cannotHonour(name: run.name, reason: "its configuration is not one this ganpipe can read (made by another version?)")
        }
        if let steps { specification.steps = steps }
        let problems = specification.problems()
        guard problems.isEmpty else { throw TrainerError.invalidSpecification(problems) }
        if run.status == .completed && specification.steps <= run.totalSteps {
            throw TrainerError.runCompleted(name: run.name, steps: run.totalSteps)
        }
        guard RunLease.isAvailable(run) else {
            throw StoreError.runBusy(name: run.name, owner: run.owner ?? "?", heartbeat: run.heartbeatAt ?? "never")
        }
        let dataset = try DatasetStore(database).find(specification.dataset)
        guard dataset.id == run.datasetId else {
            throw TrainerError.cannotHonour(name: run.name, reason: "its dataset '\(specification.dataset)' was deleted or replaced since the run was created")
        }
        let samples = try loaded ?? trainingSamples(dataset, for: specification)
        let session = TrainingSession(specification: specification, model: samples.model, samples: samples.values,
                                      sampleCount: samples.count, features: samples.features, labels: samples.labels)
        let journal = RunJournal(database, runId: run.id!)
        let machine = BLAS.runtime
        let checkpoints = CheckpointStore(database)
        if let checkpoint = try checkpoints.latestComplete(runId: run.id!) {
            guard specification.steps >= checkpoint.step else {
                throw TrainerError.cannotHonour(name: run.name, reason: "--steps \(specification.steps) is before its last checkpoint at step \(checkpoint.step)")
            }
            try session.restore(from: try checkpoints.blobs(of: checkpoint))
            let configJson = specification.canonicalJSON()
            var events = [RunJournal.Event(step: checkpoint.step, kind: "resumed", severity: .info,
                                           message: "resumed from the checkpoint at step \(checkpoint.step) toward \(specification.steps) steps")]
            if let started = run.machineJson.flatMap(BLASRuntime.init(json:)), started.kernelIdentity != machine.kernelIdentity {
                events.append(RunJournal.Event(
                    step: checkpoint.step, kind: "kernel_changed", severity: .warning,
                    message: "resumed with \(machine.kernelIdentity) but started with \(started.kernelIdentity): from step \(checkpoint.step) on, "
                        + "results will not match a straight run bit for bit (set OPENBLAS_CORETYPE=\(started.kernel) to resume on the run's own kernel)"))
            }
            try journal.rewind(to: checkpoint.step, totalSteps: specification.steps,
                               configJson: configJson == run.configJson ? nil : configJson,
                               machineJson: machine.json, events: events)
        } else {
            try journal.claim(totalSteps: specification.steps, machineJson: machine.json)
            try journal.commit(metrics: [], events: [], currentStep: 0, checkpoint: session.checkpoint())
        }
        run.totalSteps = specification.steps
        try hooks.runClaimed(run.id!)
        return try loop(session, run: run, journal: journal, hooks: hooks)
    }

    struct Samples {
        var values: [Float]
        var count: Int
        var features: Int
        /// The class of each sample, for a conditional run.
        var labels: [Int32]?
        /// The networks `specification` trains on these samples.
        var model: ModelDescription
    }

    /// The training split of `dataset` as `[count, features]` floats, once it is known that
    /// the networks of `specification` can be built for these samples (their image shape, from
    /// the stored array or the dataset's `sample_shape`) and fit in the memory left.
    func trainingSamples(_ dataset: DatasetRecord, for specification: TrainingSpecification) throws -> Samples {
        let store = DatasetStore(database)
        let name = dataset.name
        guard let array = try store.array("samples", of: dataset), array.shape.count >= 2 || array.shape.count == 1 else {
            throw TrainerError.datasetUnusable("dataset '\(name)' has no samples array; re-create it with `ganpipe data generate` or `ganpipe data import`")
        }
        let count = dataset.trainCount
        guard count >= 1, let total = array.shape.first, total >= count else {
            throw TrainerError.datasetUnusable("dataset '\(name)' has no training samples; re-import it with a smaller test split")
        }
        guard let features = CheckedSize.product(array.shape.dropFirst()), features >= 1 else {
            throw TrainerError.datasetUnusable("dataset '\(name)' has samples of shape \(CheckedSize.describe(array.shape.dropFirst())), with no values to train on; re-import it with at least one value per sample")
        }
        var values = try array.floats()
        values.removeLast(values.count - count * features)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw TrainerError.datasetUnusable("dataset '\(name)' holds a non-finite value at sample \(bad / features); re-import it after cleaning")
        }
        let stored = Array(array.shape.dropFirst())
        let image = DataShape.image(from: stored) ?? dataset.sampleShape.flatMap { shape in
            CheckedSize.product(shape) == features ? DataShape.image(from: shape) : nil
        }
        let low = values.min() ?? 0, high = values.max() ?? 0
        let labels = specification.isConditional ? try trainingLabels(dataset, count: count) : nil
        let model = try specification.model(for: DataShape(features: features, image: image, range: low...high,
                                                           classes: labels.map { Int($0.max()!) + 1 }))
        let estimate = specification.memoryEstimate(model: model)
        let available = AvailableMemory.bytes()
        guard estimate.bytes <= Double(available) else {
            let parameters = estimate.parameters >= 1e9 ? String(format: "%.2f billion", estimate.parameters / 1e9)
                : String(format: "%.1f million", estimate.parameters / 1e6)
            throw TrainerError.insufficientMemory(
                "training needs about \(AvailableMemory.describe(estimate.bytes)) (\(parameters) parameters, batch \(specification.batchSize)), "
                    + "more than the \(AvailableMemory.describe(Double(available))) of memory available; use narrower networks "
                    + "(generator and discriminator width, or channels), fewer layers or a smaller batch size")
        }
        return Samples(values: values, count: count, features: features, labels: labels, model: model)
    }

    /// The class numbers of the first `count` samples of `dataset`, for a conditional run: whole
    /// numbers 0…K−1, every one present, K ≥ 2 — or nil when the dataset has no labels or one
    /// class (the model then refuses the run in one line). Gaps are refused: an embedding row
    /// no sample trains would still be drawn and evaluated.
    func trainingLabels(_ dataset: DatasetRecord, count: Int) throws -> [Int32]? {
        guard let array = try DatasetStore(database).array("labels", of: dataset) else { return nil }
        let values = try array.floats()
        guard values.count >= count else {
            throw TrainerError.datasetUnusable("dataset '\(dataset.name)' has \(values.count) labels for \(count) training samples; re-import it with one label per sample")
        }
        var labels: [Int32] = []
        labels.reserveCapacity(count)
        for (index, value) in values.prefix(count).enumerated() {
            guard value.isFinite, value == value.rounded(), value >= 0, value < Float(NetworkDescription.Conditioning.largestClassCount) else {
                throw TrainerError.datasetUnusable("dataset '\(dataset.name)' has label \(value) at sample \(index), not a class number 0…\(NetworkDescription.Conditioning.largestClassCount - 1); re-import it with class numbers as labels")
            }
            labels.append(Int32(value))
        }
        let classes = Int(labels.max()!) + 1
        guard classes >= 2 else { return nil }
        var present = [Bool](repeating: false, count: classes)
        for label in labels { present[Int(label)] = true }
        if let missing = present.firstIndex(of: false) {
            throw TrainerError.datasetUnusable("a conditional run embeds the classes 0…\(classes - 1), but dataset '\(dataset.name)''s training split has no sample of class \(missing); train on a dataset whose labels are 0…K−1, every one present")
        }
        return labels
    }
}
