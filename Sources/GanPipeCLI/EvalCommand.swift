import ArgumentParser
import Foundation
import GanSchema
import GanEvaluator
import GanStore
import GanTrainer

/// `ganpipe eval RUN`: score a run's checkpoints (the evaluator stage) into `evaluations`.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a run's checkpoints against held-out real data; scores land in the evaluations table.",
        discussion: """
            Draws --samples points from each selected checkpoint's generator (noise from the evaluator's own \
            --seed, the same for every checkpoint) and compares them with the dataset's held-out split. \
            Every dataset: sliced_wasserstein (SW₂, 256 random directions) and energy_distance (U-statistic). \
            Datasets with known modes: modes_covered, high_quality_percent (within 3σ of the nearest mode), \
            mode_reverse_kl. Labelled image datasets: frechet_distance in the penultimate features of the \
            dataset's classifier and classifier_score; the classifier is trained once per dataset and kept as \
            run classifier/DATASET. baseline/… rows score real training samples the same way. Evaluating again \
            replaces the rows; the same seed gives the same values. Definitions: migrations/README.md.
            """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("The run's name or id.", valueName: "run")) var reference: String
    @Option(help: ArgumentHelp("latest, all, or steps such as 0,1000,5000.", valueName: "which")) var checkpoints = "latest"
    @Option(help: "Generated samples per checkpoint (scores depend on it).") var samples = 2500
    @Option(help: "The evaluator's seed (noise, projections, subsets).") var seed: UInt64 = 0
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        do {
            let selection = try CheckpointSelection(parsing: checkpoints)
            let options = EvaluationOptions(sampleCount: samples, seed: seed)
            try options.validate()
            // An absent file is reported, not created.
            if !FileManager.default.fileExists(atPath: database.resolvedPath) { _ = try database.openForReading() }
            let opened = try database.openForWriting()
            defer { try? opened.close() }
            let progress = ProgressLine()
            let stage = EvaluatorStage(opened, options: options) { fraction, message in
                progress.update("training the dataset's classifier (once): \(message)", fraction)
            }
            let report = try stage.evaluate(reference, checkpoints: selection)
            progress.finish()
            if json {
                try printJSON(report)
            } else {
                print(Self.render(report))
            }
        }
    }

    static func format(_ value: Double??, metric: String) -> String {
        guard let value, let value else { return "—" }
        switch metric {
        case EvaluationMetric.modesCovered, EvaluationMetric.modesTotal, EvaluationMetric.classesCovered: return String(Int(value))
        case EvaluationMetric.highQualityPercent, EvaluationMetric.nonFinitePercent: return String(format: "%.2f", value)
        default: return String(format: "%.4g", value)
        }
    }

    static func render(_ report: EvaluatorStage.Report) -> String {
        var lines = ["run \(report.run) on dataset \(report.dataset): \(report.samples) generated samples per checkpoint "
                     + "vs \(report.referenceCount) held-out real samples, seed \(report.seed)"]
        if let classifier = report.classifier {
            let accuracy = classifier.testAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "?"
            lines.append("classifier \(classifier.run)\(classifier.trainedNow ? " (trained now)" : ""): test accuracy \(accuracy) on \(classifier.testCount) samples")
        }
        let present = Set(report.checkpoints.flatMap { $0.metrics.keys })
        let columns = EvaluationMetric.displayOrder.filter { present.contains($0) && $0 != EvaluationMetric.modesTotal }
        var table = TextTable(columns: ["step"] + columns)
        func cells(_ metrics: [String: Double?], prefix: String = "") -> [String] {
            columns.map { name in
                let text = format(metrics[prefix + name], metric: name)
                if name == EvaluationMetric.modesCovered, let total = metrics[prefix + EvaluationMetric.modesTotal] {
                    return "\(text)/\(format(total, metric: EvaluationMetric.modesTotal))"
                }
                return text
            }
        }
        for checkpoint in report.checkpoints {
            table.rows.append([String(checkpoint.step)] + cells(checkpoint.metrics))
        }
        if let first = report.checkpoints.first {
            let baselineCount = first.sampleCounts[EvaluationMetric.baseline(EvaluationMetric.slicedWasserstein)] ?? 0
            table.rows.append(["real(\(baselineCount))"] + cells(first.metrics, prefix: "baseline/"))
        }
        lines.append(table.render())
        lines.append(String(format: "%d checkpoint(s) scored in %.2f s; rows in evaluations (run_id %d)",
                            report.checkpoints.count, report.seconds, report.runId))
        return lines.joined(separator: "\n")
    }

    // MARK: The trainer's --eval-every hook

    /// The `checkpointCommitted` hook of `train`/`resume --eval-every N`: evaluates each
    /// checkpoint whose step is a multiple of N, and the run's last, reading it back from the
    /// database with the default options. A failed evaluation prints a warning and training
    /// goes on. Returns nil when `every` is nil.
    static func trainingHook(every: Int?, checkpointEvery: Int, dataset: String,
                             database: GanDatabase) throws -> ((Int64, Int) throws -> Void)? {
        guard let every else { return nil }
        guard every >= 1, every % checkpointEvery == 0 else {
            throw CommandError("--eval-every must be a positive multiple of --checkpoint-every (\(checkpointEvery)), got \(every)")
        }
        let stage = EvaluatorStage(database)
        try stage.validate(datasetNamed: dataset)
        let terminal = isatty(STDERR_FILENO) == 1
        return { runId, step in
            let clear = terminal ? "\r\u{1B}[K" : ""
            do {
                let total = try RunStore(database).run(id: runId)?.totalSteps
                guard step % every == 0 || step == total else { return }
                let result = try stage.evaluate(runId: runId, step: step)
                let shown = [EvaluationMetric.modesCovered, EvaluationMetric.highQualityPercent, EvaluationMetric.frechetDistance,
                             EvaluationMetric.slicedWasserstein].compactMap { name -> String? in
                    guard let value = result.metrics[name] else { return nil }
                    return "\(name) \(format(value, metric: name))"
                }
                FileHandle.standardError.write(Data("\(clear)eval step \(step): \(shown.joined(separator: "  "))\n".utf8))
            } catch {
                let message = (error as? EvaluatorError).map(\.description) ?? "\(error)"
                FileHandle.standardError.write(Data("\(clear)ganpipe: warning: evaluating step \(step) failed: \(StoreError.oneLine(message))\n".utf8))
            }
        }
    }

    /// The hook for `resume RUN --eval-every N`, from the run's stored configuration.
    static func resumeHook(every: Int?, run reference: String, database: GanDatabase) throws -> ((Int64, Int) throws -> Void)? {
        guard every != nil else { return nil }
        let run = try RunStore(database).find(reference)
        guard let specification = try? TrainingSpecification.decode(canonicalJSON: run.configJson) else { return nil }
        return try trainingHook(every: every, checkpointEvery: specification.checkpointEvery, dataset: specification.dataset, database: database)
    }
}
