import Foundation
import GanSchema
import GanStore
import GanTensor

/// Does a class-conditional GAN help a classifier trained on a small labelled set? For each
/// seed, the dataset's classifier network (`DatasetClassifier.Specification.choosing`, the
/// same optimizer-step budget) is trained twice on the dataset's training split — as it is, and
/// with `perClass` samples of every class drawn from the generator (noise seed: the seed with
/// `noiseSeedKey`) —
/// and both are measured on the dataset's test split.
///
/// Each classifier is stored as a completed `classifier` run whose `config_json` (kind
/// `augmentation`) holds its whole provenance — dataset content, generator run, checkpoint,
/// samples per class, seeds — and whose evaluations hold its accuracies: named
/// `augment/DATASET/seed=S/real` and `augment/DATASET/seed=S/generated-RUNID-stepSTEP-xN`. A rerun
/// finds the stored ones and trains only what is missing.
public struct AugmentationExperiment {
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// The generated samples' noise seed is the experiment's seed with this key, so their z
    /// never shares a stream with the classifier's initial weights (drawn from the seed itself).
    public static let noiseSeedKey: UInt64 = 0x6175_676D_656E_7400

    public struct Options: Sendable {
        /// Generated samples added per class.
        public var perClass = 500
        public var seeds: [UInt64] = [1, 2, 3]
        /// The generator's checkpoint (nil: its latest complete one).
        public var checkpoint: Int?

        public init() {}
    }

    /// One trained classifier.
    public struct Outcome: Codable, Sendable {
        public var seed: UInt64
        public var augmented: Bool
        public var run: String
        public var trainCount: Int
        public var testCount: Int
        public var testAccuracy: Double
        /// Found stored rather than trained now.
        public var reused: Bool
    }

    /// What an experiment works from, once every input is checked.
    struct Inputs {
        var dataset: DatasetRecord
        var train: SampleSet, trainLabels: [Int], test: SampleSet, testLabels: [Int], classes: Int
        var generatorRun: RunRecord
        var step: Int
    }

    /// Checks everything `run` needs — the options, a labelled dataset with both splits, a
    /// class-conditional generator trained on it with its checkpoint — without writing.
    /// Throws the first problem in one line.
    public func check(dataset name: String, generator reference: String, options: Options) throws {
        _ = try inputs(dataset: name, generator: reference, options: options)
    }

    func inputs(dataset name: String, generator reference: String, options: Options) throws -> Inputs {
        guard options.perClass >= 1 && options.perClass <= 100_000 else {
            throw EvaluatorError.invalidOption("per_class must be between 1 and 100000 (got \(options.perClass))")
        }
        guard !options.seeds.isEmpty, Set(options.seeds).count == options.seeds.count else {
            throw EvaluatorError.invalidOption("seeds must list at least one seed, each once (got \(options.seeds.map(String.init).joined(separator: ", ")))")
        }
        let store = DatasetStore(database)
        let dataset = try store.find(name)
        let (generatorRun, step, blobs) = try CheckpointNetwork.checkpoint(of: reference, step: options.checkpoint, in: database)
        guard generatorRun.datasetId == dataset.id else {
            let trainedOn = try generatorRun.datasetId.flatMap { try store.dataset(id: $0) }?.name ?? "a deleted dataset"
            throw EvaluatorError.invalidOption("run '\(generatorRun.name)' was trained on \(trainedOn), not \(dataset.name); augment the dataset it learned from")
        }
        let generator = try CheckpointNetwork(checkpoint: blobs, network: "generator", activation: { try EvaluatorStage.activation(of: generatorRun) })
        guard let generatorClasses = generator.classes else {
            throw EvaluatorError.invalidOption("run '\(generatorRun.name)' is not class-conditional, so its samples have no labels to train a classifier with; train it with conditional: true")
        }
        let (train, trainLabels, test, testLabels, classes) = try Self.labelledSplits(of: dataset, store: store)
        guard generatorClasses == classes, generator.outputCount == train.features else {
            throw EvaluatorError.invalidOption("run '\(generatorRun.name)' makes \(generator.outputCount) values of \(generatorClasses) classes, but dataset '\(dataset.name)' has \(train.features) values of \(classes) classes")
        }
        return Inputs(dataset: dataset, train: train, trainLabels: trainLabels, test: test, testLabels: testLabels, classes: classes,
                      generatorRun: generatorRun, step: step)
    }

    /// The outcomes for `dataset` without and with samples of `generator`, seed by seed.
    /// `shouldStop` is asked before each classifier and at each of its epochs; once it says
    /// so, the run throws `EvaluatorError.interrupted` (the classifiers finished are stored).
    public func run(dataset name: String, generator reference: String, options: Options = Options(),
                    shouldStop: () -> Bool = { false },
                    progress: (_ fraction: Double, _ message: String) -> Void = { _, _ in }) throws -> [Outcome] {
        let inputs = try inputs(dataset: name, generator: reference, options: options)
        let (dataset, train, trainLabels, test, testLabels, classes) = (inputs.dataset, inputs.train, inputs.trainLabels, inputs.test, inputs.testLabels, inputs.classes)
        let (generatorRun, step) = (inputs.generatorRun, inputs.step)
        let store = DatasetStore(database)
        let sampleShape = try store.sampleShape(of: dataset)
        var outcomes: [Outcome] = []
        let total = Double(2 * options.seeds.count)
        for seed in options.seeds {
            for augmented in [false, true] {
                var specification = DatasetClassifier.Specification.choosing(
                    dataset: dataset, sampleShape: sampleShape, features: train.features, classes: classes,
                    trainCount: train.count + (augmented ? options.perClass * classes : 0), testCount: test.count)
                specification.kind = "augmentation"
                specification.seed = seed
                var runName = "augment/\(dataset.name)/seed=\(seed)/real"
                if augmented {
                    (specification.generator, specification.generatorCheckpoint) = (generatorRun.name, step)
                    (specification.generatedPerClass, specification.generatedSeed) = (options.perClass, seed ^ Self.noiseSeedKey)
                    runName = "augment/\(dataset.name)/seed=\(seed)/generated-\(generatorRun.id!)-step\(step)-x\(options.perClass)"
                }
                if let problem = RunStore.nameProblem(runName) {
                    throw EvaluatorError.invalidOption("dataset name '\(dataset.name)' makes the result name '\(runName)' unusable: \(problem)")
                }
                let configJson = specification.canonicalJSON()
                let records = EvaluationRecordStore(database)
                if let stored = try records.completedRun(named: runName, configJson: configJson) {
                    outcomes.append(Outcome(seed: seed, augmented: augmented, run: runName, trainCount: specification.trainCount,
                                            testCount: test.count, testAccuracy: try Self.testAccuracy(of: stored, records), reused: true))
                    continue
                }
                guard !shouldStop() else { throw EvaluatorError.interrupted }
                var samples = train, labels = trainLabels
                if augmented {
                    let drawn = try GeneratorSampler(database).draw(run: generatorRun.name, step: step, count: options.perClass * classes,
                                                                    seed: specification.generatedSeed!)
                    guard drawn.samples.isFinite else {
                        throw EvaluatorError.unusableCheckpoint("run '\(generatorRun.name)' at step \(step) makes non-finite samples; pick another --checkpoint")
                    }
                    samples = SampleSet(values: train.values + drawn.samples.values, count: train.count + drawn.samples.count, features: train.features)
                    labels += drawn.labels!
                }
                let done = Double(outcomes.count)
                let (network, history) = DatasetClassifier.fit(specification, train: samples, labels: labels, shouldStop: shouldStop) { fraction, message in
                    progress((done + fraction) / total, "\(runName) (\(samples.count) samples): \(message)")
                }
                guard !shouldStop() else { throw EvaluatorError.interrupted }
                let trainMeasure = DatasetClassifier.measure(network, samples, labels: labels, classes: classes)
                let testMeasure = DatasetClassifier.measure(network, test, labels: testLabels, classes: classes)
                let run = try records.saveCompletedRun(
                    name: runName, objective: DatasetClassifier.objective, dataset: dataset, configJson: configJson,
                    steps: specification.totalSteps, seed: seed, blobs: DatasetClassifier.blobs(of: network.module),
                    scores: [(EvaluationMetric.classifierTestAccuracy, testMeasure.accuracy, test.count),
                             (EvaluationMetric.classifierTrainAccuracy, trainMeasure.accuracy, samples.count),
                             (EvaluationMetric.classifierTestLoss, testMeasure.loss, test.count)],
                    metrics: history.map { RunJournal.Metric(key: MetricKey.classifierLoss, step: $0.step, value: $0.value) },
                    identity: .nameAndConfiguration)
                outcomes.append(Outcome(seed: seed, augmented: augmented, run: runName, trainCount: samples.count, testCount: test.count,
                                        testAccuracy: try Self.testAccuracy(of: run, records), reused: false))
            }
        }
        return outcomes
    }

    static func testAccuracy(of run: RunRecord, _ records: EvaluationRecordStore) throws -> Double {
        guard let value = try records.evaluations(runId: run.id!).first(where: { $0.metric == EvaluationMetric.classifierTestAccuracy })?.value else {
            throw EvaluatorError.unusableCheckpoint("run \(run.name) holds no test accuracy; delete it to compute it again")
        }
        return value
    }

    /// The training and test splits of a labelled dataset, with labels 0..<classes.
    static func labelledSplits(of dataset: DatasetRecord, store: DatasetStore) throws
        -> (train: SampleSet, trainLabels: [Int], test: SampleSet, testLabels: [Int], classes: Int) {
        guard let samplesArray = try store.array("samples", of: dataset), samplesArray.shape.first == dataset.sampleCount,
              dataset.trainCount + dataset.testCount == dataset.sampleCount else {
            throw EvaluatorError.datasetUnusable("dataset '\(dataset.name)' has no samples array matching its sample_count; re-create it")
        }
        guard dataset.trainCount > 0, dataset.testCount > 0 else {
            throw EvaluatorError.datasetUnusable("dataset '\(dataset.name)' needs a training and a test split (it has \(dataset.trainCount) and \(dataset.testCount) samples); re-import it with a test split")
        }
        guard let labelArray = try store.array("labels", of: dataset) else {
            throw EvaluatorError.datasetUnusable("dataset '\(dataset.name)' has no labels; a classifier needs a labelled dataset")
        }
        let labels = try labelArray.floats()
        guard labels.count == dataset.sampleCount, labels.allSatisfy({ $0.isFinite && $0 >= 0 && $0 < 1000 && $0 == $0.rounded() }) else {
            throw EvaluatorError.datasetUnusable("dataset '\(dataset.name)' has labels that are not class numbers 0…999 for every sample")
        }
        // The classes are the training split's, as a conditional run on the dataset counts them.
        let classes = Int(labels.prefix(dataset.trainCount).max()!) + 1
        guard classes >= 2 else { throw EvaluatorError.datasetUnusable("dataset '\(dataset.name)''s training split has one class; a classifier needs at least two") }
        if let unseen = labels.dropFirst(dataset.trainCount).first(where: { Int($0) >= classes }) {
            throw EvaluatorError.datasetUnusable("dataset '\(dataset.name)''s test split has class \(Int(unseen)), which its training split lacks; a classifier cannot learn it")
        }
        let features = samplesArray.shape.dropFirst().reduce(1, *)
        let all = SampleSet(values: try samplesArray.floats(), count: dataset.sampleCount, features: features)
        guard all.isFinite else { throw EvaluatorError.datasetUnusable("dataset '\(dataset.name)' holds non-finite values; re-import it after cleaning") }
        let trainIndices = Array(0..<dataset.trainCount), testIndices = Array(dataset.trainCount..<dataset.sampleCount)
        return (all.rows(trainIndices), trainIndices.map { Int(labels[$0]) }, all.rows(testIndices), testIndices.map { Int(labels[$0]) }, classes)
    }

    /// An experiment's test accuracies without and with generated samples: per seed, and mean ±
    /// standard deviation over the seeds.
    public struct Summary: Codable, Sendable {
        public struct Statistic: Codable, Sendable {
            public var mean: Double
            public var deviation: Double
        }

        public struct Row: Codable, Sendable {
            public var seed: UInt64
            public var real: Double
            public var augmented: Double
        }

        public var dataset: String
        public var generator: String
        public var perClass: Int
        public var classifiers: [Outcome]
        public var seeds: [Row]
        public var real: Statistic
        public var augmented: Statistic
        public var difference: Statistic

        public init(dataset: String, generator: String, perClass: Int, outcomes: [Outcome]) {
            (self.dataset, self.generator, self.perClass, classifiers) = (dataset, generator, perClass, outcomes)
            let order = outcomes.map(\.seed).reduce(into: [UInt64]()) { if !$0.contains($1) { $0.append($1) } }
            seeds = order.map { seed in
                let pair = outcomes.filter { $0.seed == seed }
                return Row(seed: seed, real: pair.first { !$0.augmented }?.testAccuracy ?? .nan, augmented: pair.first { $0.augmented }?.testAccuracy ?? .nan)
            }
            func statistic(_ values: [Double]) -> Statistic {
                let mean = values.reduce(0, +) / Double(Swift.max(values.count, 1))
                let variance = values.count < 2 ? 0 : values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
                return Statistic(mean: mean, deviation: variance.squareRoot())
            }
            real = statistic(seeds.map(\.real))
            augmented = statistic(seeds.map(\.augmented))
            difference = statistic(seeds.map { $0.augmented - $0.real })
        }

        /// For people: a row per seed, then the means (percentages).
        public var lines: [String] {
            let percent = { (value: Double) in String(format: "%.2f%%", 100 * value) }
            var lines = ["test accuracy on \(dataset), without and with \(perClass) samples per class of \(generator):",
                         "seed   real     +generated  difference"]
            for row in seeds {
                lines.append("\(String(row.seed).padding(toLength: 6, withPad: " ", startingAt: 0)) \(percent(row.real))   \(percent(row.augmented))      "
                             + String(format: "%+.2f", 100 * (row.augmented - row.real)))
            }
            lines.append("mean   \(percent(real.mean)) ± \(String(format: "%.2f", 100 * real.deviation))   \(percent(augmented.mean)) ± "
                         + String(format: "%.2f   %+.2f ± %.2f", 100 * augmented.deviation, 100 * difference.mean, 100 * difference.deviation))
            return lines
        }
    }
}
