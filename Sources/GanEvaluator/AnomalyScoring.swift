import Foundation
import GanStore

/// One scoring job, as `ganpipe score` and a pipeline's `score:` section run it: a run's
/// checkpoint scores some data with its methods (and, given the normal class of labelled data,
/// the PCA and nearest-neighbour baselines fitted to the run's training split, and every
/// method's AUROC); the results can be kept in `anomaly_scores` with their provenance.
public struct AnomalyScoring {
    /// The data to score: values, labels if known, and how to name them (`dataset D (split S)`
    /// or `file PATH`); `split` is recorded in the options of stored scores.
    public struct Data: Sendable {
        public var samples: SampleSet
        public var labels: [Int]?
        public var name: String
        public var split: String?

        public init(samples: SampleSet, labels: [Int]?, name: String, split: String?) {
            (self.samples, self.labels, self.name, self.split) = (samples, labels, name, split)
        }
    }

    public struct Result: Sendable {
        public var run: String
        public var step: Int
        /// Method names in column order: the scorer's, then `pca` and `knn` with a normal class.
        public var methods: [String]
        public var columns: [[Float]]
        /// The scored data's labels, if known.
        public var labels: [Int]?
        public var auroc: [String: Double]?
        /// What `--store` keeps.
        public var records: [AnomalyScoreStore.Record]
    }

    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// The rows of `dataset`'s `split` (`all`, `train`, `test`) with their labels.
    public func data(of dataset: DatasetRecord, split: String) throws -> Data {
        let store = DatasetStore(database)
        guard let array = try store.array("samples", of: dataset), let count = array.shape.first, count == dataset.sampleCount else {
            throw EvaluatorError.datasetUnusable("dataset \(dataset.name) has no samples array matching its sample_count")
        }
        let values = try array.floats()
        let features = count == 0 ? 0 : values.count / count
        let rows: Range<Int>
        switch split {
        case "all": rows = 0..<count
        case "train": rows = 0..<dataset.trainCount
        case "test": rows = dataset.trainCount..<count
        default: throw EvaluatorError.invalidOption("split must be all, train or test (got \(split))")
        }
        let labels = try store.array("labels", of: dataset).map { try $0.floats().map { Int($0) } }
        return Data(samples: SampleSet(values: Array(values[(rows.lowerBound * features)..<(rows.upperBound * features)]), count: rows.count, features: features),
                    labels: labels.map { Array($0[rows]) }, name: "dataset \(dataset.name) (split \(split))", split: split)
    }

    /// The options as stored with the scores (sorted keys).
    static func optionsJson(_ options: AnomalyScorer.Options, split: String?, normalClass: Int?) throws -> String {
        var settings: [String: Any] = ["lambda": Double(options.featureWeight), "learning_rate": Double(options.learningRate),
                                       "iterations": options.iterations, "seed": Int(bitPattern: UInt(options.seed))]
        if let split { settings["split"] = split }
        if let normalClass { settings["normal_class"] = normalClass }
        return String(decoding: try JSONSerialization.data(withJSONObject: settings, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The rows of `anomaly_scores` that hold this job's every method, at the checkpoint it
    /// would use; nil when some are missing (a pipeline's rerun skips a stored job).
    public func stored(run reference: String, step: Int?, data: Data, methods: [AnomalyScorer.Method], options: AnomalyScorer.Options,
                       normalClass: Int?) throws -> [AnomalyScoreStore.Record]? {
        let run = try RunStore(database).find(reference)
        guard let chosen = try step ?? CheckpointStore(database).completeSteps(runId: run.id!).last else { return nil }
        let json = try Self.optionsJson(options, split: data.split, normalClass: normalClass)
        let hash = SHA256.hex(TypedArrayCodec.bytes(data.samples.values))
        let wanted = methods.map(\.rawValue) + (normalClass == nil ? [] : ["pca", "knn"])
        let stored = try AnomalyScoreStore(database).records(runId: run.id!).filter {
            $0.step == chosen && $0.dataSha256 == hash && $0.optionsJson == json && wanted.contains($0.method)
        }
        return Set(wanted) == Set(stored.map(\.method)) ? stored : nil
    }

    /// Scores `data` with `run`'s checkpoint at `step` (nil: the latest). Refuses, in one line,
    /// data of another shape or scale, non-finite data, and a normal class the data cannot have.
    public func score(run reference: String, step: Int?, data: Data, methods: [AnomalyScorer.Method], options: AnomalyScorer.Options,
                      normalClass: Int?) throws -> Result {
        let scorer = try AnomalyScorer(database, run: reference, step: step)
        let run = try RunStore(database).find(reference)
        let datasets = DatasetStore(database)
        let trained = try run.datasetId.flatMap { try datasets.dataset(id: $0) }
        let trainedValues = try trained.flatMap { try datasets.array("samples", of: $0) }?.floats()
        let samples = data.samples
        guard samples.features == scorer.discriminator.inputCount else {
            throw EvaluatorError.invalidOption("\(data.name) has \(samples.features) numbers per sample and \(scorer.run)'s networks take \(scorer.discriminator.inputCount); score data of the shape the run was trained on")
        }
        guard samples.count > 0 else { throw EvaluatorError.invalidOption("\(data.name) has no samples to score") }
        guard let range = Self.range(samples.values) else { throw EvaluatorError.invalidOption("\(data.name) holds values that are not finite; score finite data") }
        if let scale = trainedValues.flatMap(Self.range) {
            // Data on another scale (0–255 against 0–1, say) would score as anomalous for that alone.
            let span = max(scale.high - scale.low, 1e-6)
            if range.low < scale.low - span / 2 || range.high > scale.high + span / 2 {
                throw EvaluatorError.invalidOption("\(data.name)'s values span [\(range.low), \(range.high)] but \(scorer.run)'s dataset spans [\(scale.low), \(scale.high)]; bring them to the same scale first")
            }
        }
        var anomalous: [Bool]?
        var training: SampleSet?
        if let normalClass {
            guard let labels = data.labels else { throw EvaluatorError.invalidOption("--normal-class needs labelled data and \(data.name) has no labels") }
            guard labels.contains(normalClass) else { throw EvaluatorError.invalidOption("\(data.name) has no sample of class \(normalClass) to call normal") }
            guard let trained, let trainedValues else { throw EvaluatorError.invalidOption("\(scorer.run)'s dataset was deleted: the baselines need its training data") }
            let features = trainedValues.count / max(trained.sampleCount, 1)
            training = SampleSet(values: Array(trainedValues[0..<(trained.trainCount * features)]), count: trained.trainCount, features: features)
            anomalous = labels.map { $0 != normalClass }
        }
        var names = methods.map(\.rawValue)
        var columns = methods.map { scorer.scores(samples, method: $0, options: options) }
        if let training {
            let baselines = AnomalyBaselines(training: training)
            names += ["pca", "knn"]
            columns += [baselines.pcaScores(samples), baselines.nearestNeighbourScores(samples)]
        }
        let auroc = anomalous.map { anomalous in
            Dictionary(uniqueKeysWithValues: zip(names, columns).compactMap { name, scores in AnomalyBaselines.auroc(scores, anomalous: anomalous).map { (name, $0) } })
        }
        let json = try Self.optionsJson(options, split: data.split, normalClass: normalClass)
        let hash = SHA256.hex(TypedArrayCodec.bytes(samples.values))
        let records = zip(names, columns).map { name, scores in
            AnomalyScoreStore.Record(runId: run.id!, step: scorer.step, method: name, data: data.name, dataSha256: hash,
                                     optionsJson: json, scores: scores, auroc: auroc?[name])
        }
        return Result(run: scorer.run, step: scorer.step, methods: names, columns: columns, labels: data.labels, auroc: auroc, records: records)
    }

    static func range(_ values: [Float]) -> (low: Float, high: Float)? {
        var (low, high) = (Float.infinity, -Float.infinity)
        for value in values {
            guard value.isFinite else { return nil }
            low = min(low, value)
            high = max(high, value)
        }
        return low <= high ? (low, high) : nil
    }
}
