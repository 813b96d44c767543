import ArgumentParser
import Foundation
import GanEvaluator
import GanLoader
import GanStore

/// `ganpipe score RUN --data FILE|DATASET --to FILE.npy|.csv`: an anomaly score per sample from a
/// trained run's networks.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Write an anomaly score per sample from a trained run: the discriminator's own, and a latent-search reconstruction.",
        discussion: """
        Higher is more anomalous. discriminator: −D(x). reconstruction (AnoGAN / f-AnoGAN): z is searched with Adam \
        (--iterations, --learning-rate, from --seed) to minimise (1 − λ)·mean((x − G(z))²) + λ·mean((f(x) − f(G(z)))²), \
        f the discriminator's penultimate features (--lambda, 0.1); the score is that loss at the end. --data is a \
        CSV/NPY/IDX file (read as `data import` reads it) when such a file exists, else a dataset in the database \
        (--split picks its rows). The data must have the run's sample size and lie on its dataset's scale. --to \
        writes .csv (index, label if known, one column per method) or .npy (float32 [count, methods]); --store \
        keeps every method's scores in the database (table anomaly_scores: run, checkpoint, method, the data's name \
        and hash, the options, and with --normal-class the AUROC), replacing an earlier row for the same inputs. \
        --normal-class K (labelled data: K normal, every other label anomalous) adds two baselines fitted to the \
        run's training split — pca (squared distance to the principal subspace holding 90% of the variance) and \
        knn (mean distance to the 5 nearest training samples) — and prints the AUROC of every method.
        """)

    enum Methods: String, ExpressibleByArgument, CaseIterable {
        case discriminator, reconstruction, both
    }

    enum Split: String, ExpressibleByArgument, CaseIterable {
        case all, train, test
    }

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("The run's name or id.", valueName: "run")) var reference: String
    @Option(help: ArgumentHelp("A file of samples, or a dataset's name or id.", valueName: "file|dataset")) var data: String
    @Option(name: .customLong("to"), help: ArgumentHelp("Where the scores go: .csv or .npy.", valueName: "file")) var destination: String?
    @Flag(help: "Keep the scores in the database (anomaly_scores), with what was scored and how.") var store = false
    @Option(help: "Which scores.") var method: Methods = .both
    @Option(help: ArgumentHelp("latest or a step.", valueName: "step")) var checkpoint = "latest"
    @Option(help: "A dataset's rows to score.") var split: Split = .all
    @Option(help: "Latent-search steps (reconstruction).") var iterations = 200
    @Option(help: "Latent-search Adam learning rate (reconstruction).") var learningRate: Float = 0.05
    @Option(name: .customLong("lambda"), help: "Weight of the discriminator-feature residual (reconstruction).") var featureWeight: Float = 0.1
    @Option(help: "Seed of the latent search's starting z (reconstruction).") var seed: UInt64 = 0
    @Option(help: ArgumentHelp("The label of normal samples: measure every method's AUROC against the others, beside PCA and nearest-neighbour baselines.", valueName: "label"))
    var normalClass: Int?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        guard destination != nil || store else { throw CommandError("say where the scores go: --to FILE.csv|.npy, --store, or both") }
        let format = destination.map { URL(fileURLWithPath: $0).pathExtension.lowercased() } ?? ""
        if let destination, format != "csv" && format != "npy" {
            throw CommandError("\(destination): score writes .csv or .npy files; name it FILE.csv or FILE.npy")
        }
        guard (1...100_000).contains(iterations) else { throw CommandError("--iterations must be 1…100000 (got \(iterations))") }
        guard learningRate > 0, learningRate.isFinite, learningRate <= 10 else { throw CommandError("--learning-rate must be in (0, 10] (got \(learningRate))") }
        guard featureWeight >= 0, featureWeight <= 1 else { throw CommandError("--lambda must be in [0, 1] (got \(featureWeight))") }
        let step = try checkpointStep(checkpoint)
        let started = Date()
        let (scorer, samples, labels, scale, training, runId, dataName) = try database.reading { opened in
            let scorer = try AnomalyScorer(opened, run: reference, step: step)
            let (samples, labels, dataName) = try load(opened)
            let run = try RunStore(opened).find(reference)
            let trained = try run.datasetId.flatMap { try DatasetStore(opened).dataset(id: $0) }
            let stored = try trained.flatMap { try DatasetStore(opened).array("samples", of: $0) }
            let values = try stored?.floats()
            var training: SampleSet?
            if let trained, let values {
                let features = values.count / max(trained.sampleCount, 1)
                training = SampleSet(values: Array(values[0..<(trained.trainCount * features)]), count: trained.trainCount, features: features)
            }
            return (scorer, samples, labels, values.flatMap(Self.range), training, run.id!, dataName)
        }
        guard samples.features == scorer.discriminator.inputCount else {
            throw CommandError("\(data) has \(samples.features) numbers per sample and \(scorer.run)'s networks take \(scorer.discriminator.inputCount); score data of the shape the run was trained on")
        }
        guard samples.count > 0 else { throw CommandError("\(data) has no samples to score") }
        let range = Self.range(samples.values)
        if let scale, let range {
            // Data on another scale (0–255 against 0–1, say) would score as anomalous for that alone.
            let span = max(scale.high - scale.low, 1e-6)
            if range.low < scale.low - span / 2 || range.high > scale.high + span / 2 {
                throw CommandError("\(data)'s values span [\(range.low), \(range.high)] but \(scorer.run)'s dataset spans [\(scale.low), \(scale.high)]; bring them to the same scale first")
            }
        }
        guard range != nil else { throw CommandError("\(data) holds values that are not finite; score finite data") }
        var options = AnomalyScorer.Options()
        (options.iterations, options.learningRate, options.featureWeight, options.seed) = (iterations, learningRate, featureWeight, seed)
        var anomalous: [Bool]?
        if let normalClass {
            guard let labels else { throw CommandError("--normal-class needs labelled data and \(data) has no labels") }
            guard labels.contains(normalClass) else { throw CommandError("\(data) has no sample of class \(normalClass) to call normal") }
            guard training != nil else { throw CommandError("\(scorer.run)'s dataset was deleted: the baselines need its training data") }
            anomalous = labels.map { $0 != normalClass }
        }
        let methods: [AnomalyScorer.Method] = method == .both ? [.discriminator, .reconstruction] : [method == .discriminator ? .discriminator : .reconstruction]
        var names = methods.map(\.rawValue)
        var columns = methods.map { scorer.scores(samples, method: $0, options: options) }
        if anomalous != nil, let training {
            let baselines = AnomalyBaselines(training: training)
            names += ["pca", "knn"]
            columns += [baselines.pcaScores(samples), baselines.nearestNeighbourScores(samples)]
        }
        if let destination { try writeOutput(encode(columns, names: names, labels: labels, format: format), to: destination, option: "--to") }
        let auroc = anomalous.map { anomalous in
            Dictionary(uniqueKeysWithValues: zip(names, columns).compactMap { name, scores in AnomalyBaselines.auroc(scores, anomalous: anomalous).map { (name, $0) } })
        }
        if store {
            var settings: [String: any Sendable] = ["lambda": Double(featureWeight), "learning_rate": Double(learningRate), "iterations": iterations,
                                                   "seed": Int(bitPattern: UInt(seed))]
            if !FileManager.default.fileExists(atPath: data) { settings["split"] = split.rawValue }
            if let normalClass { settings["normal_class"] = normalClass }
            let optionsJson = String(decoding: try JSONSerialization.data(withJSONObject: settings, options: [.sortedKeys]), as: UTF8.self)
            let hash = SHA256.hex(TypedArrayCodec.bytes(samples.values))
            try database.writing { opened in
                try AnomalyScoreStore(opened).save(zip(names, columns).map { name, scores in
                    AnomalyScoreStore.Record(runId: runId, step: scorer.step, method: name, data: dataName, dataSha256: hash,
                                             optionsJson: optionsJson, scores: scores, auroc: auroc?[name])
                })
            }
        }
        let seconds = Date().timeIntervalSince(started)
        let means = Dictionary(uniqueKeysWithValues: zip(names, columns.map { Double($0.reduce(0, +)) / Double(max($0.count, 1)) }))
        if json {
            var object: [String: any Sendable] = ["run": scorer.run, "step": scorer.step, "count": samples.count, "methods": names,
                                                  "mean": means, "seconds": seconds, "stored": store]
            if let destination { object["path"] = destination }
            if let auroc { object["auroc"] = auroc }
            try printJSON(object)
        } else {
            let targets = [destination, store ? "anomaly_scores" : nil].compactMap { $0 }.joined(separator: " and ")
            print("wrote \(targets): \(samples.count) scores (\(names.joined(separator: ", "))) from \(scorer.run) at step \(scorer.step) in \(String(format: "%.1f", seconds)) s")
            if let auroc, let normalClass {
                print("AUROC, class \(normalClass) normal against the rest: " + names.map { "\($0) \(auroc[$0].map { String(format: "%.4f", $0) } ?? "-")" }.joined(separator: ", "))
            }
        }
    }

    /// The samples to score, their labels if any, and their name: from a file when one exists
    /// at `data`, else from the dataset of that name or id.
    func load(_ opened: GanDatabase) throws -> (SampleSet, [Int]?, String) {
        if FileManager.default.fileExists(atPath: data) {
            let content = try DatasetImporter(path: data).read()
            let values = content.samples.floatValues()
            let count = content.samples.rowCount
            return (SampleSet(values: values, count: count, features: count == 0 ? 0 : values.count / count), content.labels.map { $0.floatValues().map { Int($0) } },
                    "file \(URL(fileURLWithPath: data).standardizedFileURL.path)")
        }
        let catalog = DatasetCatalog(opened)
        let dataset = try catalog.find(data)
        let store = DatasetStore(opened)
        guard let array = try store.array("samples", of: dataset), let count = array.shape.first else {
            throw CommandError("dataset \(dataset.name) has no samples array")
        }
        let values = try array.floats()
        let features = count == 0 ? 0 : values.count / count
        let rows: Range<Int> = switch split {
        case .all: 0..<count
        case .train: 0..<dataset.trainCount
        case .test: dataset.trainCount..<count
        }
        let labels = try store.array("labels", of: dataset).map { try $0.floats().map { Int($0) } }
        return (SampleSet(values: Array(values[(rows.lowerBound * features)..<(rows.upperBound * features)]), count: rows.count, features: features),
                labels.map { Array($0[rows]) }, "dataset \(dataset.name) (split \(split.rawValue))")
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

    func encode(_ columns: [[Float]], names: [String], labels: [Int]?, format: String) -> Data {
        let count = columns.first?.count ?? 0
        if format == "npy" {
            let values = (0..<count).flatMap { row in columns.map { $0[row] } }
            return Data(DatasetExporter.npy(NumericArray(float32: values, shape: [count, columns.count])))
        }
        var text = "index" + (labels != nil ? ",label" : "") + names.map { "," + $0 }.joined() + "\n"
        for row in 0..<count {
            text += String(row) + (labels.map { ",\($0[row])" } ?? "") + columns.map { "," + String(format: "%.9g", $0[row]) }.joined() + "\n"
        }
        return Data(text.utf8)
    }
}
