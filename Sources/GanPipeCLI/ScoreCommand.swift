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
        var options = AnomalyScorer.Options()
        (options.iterations, options.learningRate, options.featureWeight, options.seed) = (iterations, learningRate, featureWeight, seed)
        if let problem = options.problems.first {
            throw CommandError("--\(problem.setting.rawValue.replacingOccurrences(of: "_", with: "-")) \(problem.message)")
        }
        let step = try checkpointStep(checkpoint)
        let started = Date()
        let methods: [AnomalyScorer.Method] = method == .both ? [.discriminator, .reconstruction] : [method == .discriminator ? .discriminator : .reconstruction]
        let result = try database.reading { opened in
            try AnomalyScoring(opened).score(run: reference, step: step, data: try load(opened), methods: methods, options: options, normalClass: normalClass)
        }
        let (names, columns, auroc) = (result.methods, result.columns, result.auroc)
        let labels = result.labels
        if let destination { try writeOutput(encode(columns, names: names, labels: labels, format: format), to: destination, option: "--to") }
        if store { try database.writing { try AnomalyScoreStore($0).save(result.records) } }
        let seconds = Date().timeIntervalSince(started)
        let means = Dictionary(uniqueKeysWithValues: zip(names, columns.map { Double($0.reduce(0, +)) / Double(max($0.count, 1)) }))
        if json {
            let count = columns.first?.count ?? 0
            var object: [String: any Sendable] = ["run": result.run, "step": result.step, "count": count, "methods": names,
                                                  "mean": means, "seconds": seconds, "stored": store]
            if let destination { object["path"] = destination }
            if let auroc { object["auroc"] = auroc }
            try printJSON(object)
        } else {
            let targets = [destination, store ? "anomaly_scores" : nil].compactMap { $0 }.joined(separator: " and ")
            print("wrote \(targets): \(columns.first?.count ?? 0) scores (\(names.joined(separator: ", "))) from \(result.run) at step \(result.step) in \(String(format: "%.1f", seconds)) s")
            if let auroc, let normalClass {
                print("AUROC, class \(normalClass) normal against the rest: " + names.map { "\($0) \(auroc[$0].map { String(format: "%.4f", $0) } ?? "-")" }.joined(separator: ", "))
            }
        }
    }

    /// The data to score: a file when one exists at `data`, else the dataset of that name or id.
    func load(_ opened: GanDatabase) throws -> AnomalyScoring.Data {
        if FileManager.default.fileExists(atPath: data) {
            let content = try DatasetImporter(path: data).read()
            let values = content.samples.floatValues()
            let count = content.samples.rowCount
            return AnomalyScoring.Data(samples: SampleSet(values: values, count: count, features: count == 0 ? 0 : values.count / count),
                                       labels: content.labels.map { $0.floatValues().map { Int($0) } },
                                       name: "file \(URL(fileURLWithPath: data).standardizedFileURL.path)", split: nil)
        }
        return try AnomalyScoring(opened).data(of: try DatasetCatalog(opened).find(data), split: split.rawValue)
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
