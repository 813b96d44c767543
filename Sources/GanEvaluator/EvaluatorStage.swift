import Foundation
import GanSchema
import GanNN
import GanStore
import GanTensor

/// Stage 3: reads a run's checkpoints from the database, draws samples from each generator,
/// scores them against the dataset's held-out real samples and writes the scores to
/// `evaluations` — keyed by (run, checkpoint step, metric), so evaluating again replaces —
/// and what the report draws from the networks to `checkpoint_views` (`CheckpointViews`).
///
/// Metrics (names in `EvaluationMetric`): mode coverage for datasets with known modes
/// (`ModeCoverage`), the sliced Wasserstein-2 and energy distances for every dataset, and for
/// labelled image datasets the Fréchet distance in the penultimate features of the dataset's
/// classifier and the classifier score (`DatasetClassifier`, `ClassifierScore`). Every value
/// is stored with the number of samples it rests on; `baseline/…` rows hold the same metrics
/// for real training samples, the value a perfect generator would get at that sample count.
///
/// Randomness comes only from the evaluator's seed (its own Philox key), so evaluating inside a
/// training process never touches the run's random streams. A stage object caches the
/// references it builds, so evaluating many checkpoints reads and prepares the dataset once.
public final class EvaluatorStage {
    public let database: GanDatabase
    public let options: EvaluationOptions
    /// Reports slow preparation (training a classifier): fraction done and a message.
    public var progress: (Double, String) -> Void
    private var references: [Int64: DatasetReference] = [:]

    /// XORed into the evaluator's seed, so its Philox key differs from a run's with the same seed.
    static let seedKey: UInt64 = 0xE7A1_5EED_0000_0000

    enum Stream: UInt64 {
        case noise = 0, baselineSubset, heldOutSubset, projections
    }

    public init(_ database: GanDatabase, options: EvaluationOptions = EvaluationOptions(),
                progress: @escaping (Double, String) -> Void = { _, _ in }) {
        self.database = database
        self.options = options
        self.progress = progress
    }

    /// The scores of one checkpoint.
    public struct CheckpointResult: Codable, Sendable, Equatable {
        public var step: Int
        /// Metric → value; nil when it could not be computed (stored as NULL).
        public var metrics: [String: Double?]
        /// Metric → the number of samples its value rests on.
        public var sampleCounts: [String: Int]
        public var seconds: Double
    }

    /// What `evaluate` did.
    public struct Report: Codable, Sendable {
        public var run: String
        public var runId: Int64
        public var dataset: String
        public var samples: Int
        public var seed: UInt64
        /// Held-out real samples compared against.
        public var referenceCount: Int
        public var classifier: ClassifierSummary?
        public var checkpoints: [CheckpointResult]
        public var seconds: Double
    }

    public struct ClassifierSummary: Codable, Sendable {
        public var run: String
        public var testAccuracy: Double?
        public var testCount: Int
        public var trainedNow: Bool
    }

    /// Evaluates the `selection` of checkpoints of run `reference` (name or id) and writes
    /// every score in one transaction. Checks every requested step before scoring any.
    public func evaluate(_ reference: String, checkpoints selection: CheckpointSelection) throws -> Report {
        try options.validate()
        let started = Date()
        let run = try RunStore(database).find(reference)
        let available = try CheckpointStore(database).completeSteps(runId: run.id!)
        guard run.objective != DatasetClassifier.objective else {
            throw EvaluatorError.notAGeneratorRun(run: run.name, objective: run.objective)
        }
        guard let latest = available.last else { throw EvaluatorError.noCheckpoint(run: run.name) }
        let steps: [Int]
        switch selection {
        case .latest: steps = [latest]
        case .all: steps = available
        case .steps(let requested):
            let missing = requested.filter { !available.contains($0) }
            guard missing.isEmpty else { throw EvaluatorError.unknownCheckpoints(run: run.name, missing: missing, available: available) }
            steps = requested.sorted()
        }
        let datasetReference = try self.reference(for: run)
        var results: [CheckpointResult] = []
        var rows: [EvaluationRecord] = []
        var views: [CheckpointView] = []
        for step in steps {
            let scored = try score(run: run, step: step, reference: datasetReference)
            results.append(scored.result)
            rows += scored.rows
            views += scored.views
        }
        try EvaluationRecordStore(database).write(rows, views: views)
        let classifier = try datasetReference.classifier.map { classifier in
            ClassifierSummary(run: classifier.run.name, testAccuracy: try classifier.testAccuracy(database: database),
                              testCount: classifier.specification.testCount, trainedNow: datasetReference.trainedClassifier)
        }
        return Report(run: run.name, runId: run.id!, dataset: datasetReference.dataset.name, samples: options.sampleCount,
                      seed: options.seed, referenceCount: datasetReference.heldOut.count, classifier: classifier,
                      checkpoints: results, seconds: Date().timeIntervalSince(started))
    }

    /// Evaluates the checkpoint of `runId` at `step` and writes its scores (one transaction).
    /// For the trainer's hook: it reads the checkpoint back from the database.
    @discardableResult
    public func evaluate(runId: Int64, step: Int) throws -> CheckpointResult {
        try options.validate()
        guard let run = try RunStore(database).run(id: runId) else { throw StoreError.unknownRun("\(runId)") }
        let scored = try score(run: run, step: step, reference: try reference(for: run))
        try EvaluationRecordStore(database).write(scored.rows, views: scored.views)
        return scored.result
    }

    /// Checks that runs on dataset `name` can be evaluated (held-out split, readable metadata)
    /// without training anything — for refusing `train --eval-every` before training starts.
    public func validate(datasetNamed name: String) throws {
        let dataset = try DatasetStore(database).find(name)
        guard dataset.testCount > 0 else { throw EvaluatorError.noHeldOutData(dataset: dataset.name) }
    }

    /// The cached reference of the run's dataset.
    func reference(for run: RunRecord) throws -> DatasetReference {
        guard let datasetId = run.datasetId, let dataset = try DatasetStore(database).dataset(id: datasetId) else {
            throw EvaluatorError.datasetMissing(run: run.name)
        }
        if let cached = references[datasetId], cached.dataset.contentSha256 == dataset.contentSha256 { return cached }
        let built = try DatasetReference(dataset: dataset, database: database, options: options, progress: progress)
        references[datasetId] = built
        return built
    }

    /// Draws samples from the generator of the checkpoint at `step` and scores them (with the
    /// baseline); returns the result, and the rows and views (`CheckpointViews`) to write.
    func score(run: RunRecord, step: Int, reference: DatasetReference) throws
        -> (result: CheckpointResult, rows: [EvaluationRecord], views: [CheckpointView]) {
        let started = Date()
        guard let checkpoint = try CheckpointStore(database).checkpoint(runId: run.id!, step: step) else {
            throw EvaluatorError.unknownCheckpoints(run: run.name, missing: [step],
                                                    available: try CheckpointStore(database).completeSteps(runId: run.id!))
        }
        let blobs = try CheckpointStore(database).blobs(of: checkpoint)
        let generator = try CheckpointNetwork(checkpoint: blobs, network: "generator", activation: { try Self.activation(of: run) })
        guard generator.outputCount == reference.features else {
            throw EvaluatorError.unusableCheckpoint("its generator makes \(generator.outputCount) features but dataset '\(reference.dataset.name)' has \(reference.features)")
        }
        var noiseStream = PhiloxGenerator(seed: options.seed ^ Self.seedKey).stream(Stream.noise.rawValue)
        let noise = Tensor.normal([options.sampleCount, generator.inputCount], using: &noiseStream)
        // A conditional generator makes class-balanced samples (sample i of class i mod K).
        let labels = generator.classes.map { classes in (0..<options.sampleCount).map { $0 % classes } }
        let samples = generator.apply(SampleSet(noise), labels: labels)
        let matched = labels.flatMap { reference.classMatch(samples, labels: $0, classes: generator.classes!) } ?? []
        let values = reference.score(samples) + matched + reference.baseline.map {
            DatasetReference.MetricValue(metric: EvaluationMetric.baseline($0.metric), value: $0.value, sampleCount: $0.sampleCount)
        } + [DatasetReference.MetricValue(metric: EvaluationMetric.referenceCount, value: Double(reference.heldOut.count),
                                          sampleCount: reference.heldOut.count)]
        let now = Timestamp.now()
        let rows = values.map {
            EvaluationRecord(runId: run.id!, step: step, metric: $0.metric, value: $0.value.flatMap { $0.isFinite ? $0 : nil },
                             sampleCount: $0.sampleCount, seed: Int64(bitPattern: options.seed), createdAt: now)
        }
        var metrics: [String: Double?] = [:], counts: [String: Int] = [:]
        for row in rows {
            metrics[row.metric] = .some(row.value)
            counts[row.metric] = row.sampleCount
        }
        let views = try CheckpointViews.make(
            runId: run.id!, step: step, objective: run.objective, samples: samples, seed: options.seed,
            discriminator: { try CheckpointNetwork(checkpoint: blobs, network: "discriminator", activation: { try Self.activation(of: run) }) },
            reference: reference)
        return (CheckpointResult(step: step, metrics: metrics, sampleCounts: counts, seconds: Date().timeIntervalSince(started)), rows, views)
    }

    /// The hidden activation of a run's generator, from its `config_json`.
    static func activation(of run: RunRecord) throws -> Activation {
        guard let object = try? JSONSerialization.jsonObject(with: Data(run.configJson.utf8)) as? [String: Any],
              let name = object[ConfigurationKey.activation.rawValue] as? String else {
            throw EvaluatorError.unusableCheckpoint("run '\(run.name)' has no activation in its config_json")
        }
        let slope = (object[ConfigurationKey.leakySlope.rawValue] as? NSNumber)?.floatValue ?? TrainingDefaults.leakySlope
        guard let activation = Activation(name: name, leakySlope: slope) else {
            throw EvaluatorError.unusableCheckpoint("run '\(run.name)' uses the unknown activation '\(name)'")
        }
        return activation
    }
}
