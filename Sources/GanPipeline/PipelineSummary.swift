import Foundation
import GanEvaluator
import GanLoader
import GanSchema
import GanStore

/// The outcome of `ganpipe run`: every run with its status and key results, every gate, and
/// the exit code a scheduler reads.
public struct PipelineSummary: Codable, Sendable {
    public struct RunRow: Codable, Sendable {
        public var run: String
        public var status: String
        public var step: Int
        public var totalSteps: Int
        /// Final values: the last recorded losses and the last evaluation's scores.
        public var results: [String: Double]
        public var error: String?
    }

    public struct GateRow: Codable, Sendable {
        public var gate: String
        public var run: String
        public var value: Double?
        public var step: Int?
        public var passed: Bool
    }

    /// Everything ran and every gate passed.
    public static let exitSuccess: Int32 = 0
    /// Every run completed but a gate failed.
    public static let exitGateFailed: Int32 = 2
    /// A run or one of its stages failed (after its retries).
    public static let exitRunFailed: Int32 = 4

    /// A data-augmentation experiment: its summary, or why it did not run.
    public struct AugmentationRow: Codable, Sendable {
        public var dataset: String
        public var generator: String
        public var result: AugmentationExperiment.Summary?
        public var error: String?
    }

    /// One run's anomaly scores (`score:`): each method's AUROC (with a normal class), or why
    /// it was not scored.
    public struct ScoreRow: Codable, Sendable {
        public var run: String
        public var data: String
        public var step: Int?
        public var auroc: [String: Double]?
        /// Found stored rather than computed now.
        public var reused: Bool
        public var error: String?
    }

    public var pipeline: String
    public var runs: [RunRow]
    public var gates: [GateRow]
    public var augmentations: [AugmentationRow] = []
    public var scores: [ScoreRow] = []
    public var seconds: Double

    public var exitCode: Int32 {
        if runs.contains(where: { $0.status != "completed" }) || augmentations.contains(where: { $0.error != nil })
            || scores.contains(where: { $0.error != nil }) { return Self.exitRunFailed }
        if gates.contains(where: { !$0.passed }) { return Self.exitGateFailed }
        return Self.exitSuccess
    }
}

extension PipelineRunner {
    /// Results shown per run: these metric keys and evaluation names when present.
    static let resultMetrics = [MetricKey.discriminatorLoss, MetricKey.generatorLoss, MetricKey.wassersteinEstimate]
    static let resultEvaluations = [EvaluationMetric.modesCovered, EvaluationMetric.highQualityPercent, EvaluationMetric.slicedWasserstein, "frechet_distance"]

    func summary(seconds: Double) throws -> PipelineSummary {
        let store = RunStore(database)
        var rows: [PipelineSummary.RunRow] = []
        var gateRows: [PipelineSummary.GateRow] = []
        for planned in runs {
            let run = try store.find(planned.name)
            let stages = try StageStore(database).stages(of: run.id!)
            var results: [String: Double] = [:]
            for key in Self.resultMetrics {
                if let value = try store.latestMetric(runId: run.id!, key: key)?.value { results[key] = value }
            }
            for metric in Self.resultEvaluations {
                if let value = try store.latestEvaluation(runId: run.id!, metric: metric)?.value { results[metric] = value }
            }
            var status = run.status.rawValue
            if run.status == .completed, pipeline.evaluation.enabled, stages[.evaluator]?.status != .completed {
                status = "evaluation \(stages[.evaluator]?.status.rawValue ?? "pending")"
            }
            rows.append(.init(run: run.name, status: status, step: run.currentStep, totalSteps: run.totalSteps, results: results,
                              error: run.error ?? stages[.evaluator]?.error))
            for gate in pipeline.gates where gate.applies(to: planned) {
                let found = gate.source == .evaluation
                    ? try store.latestEvaluation(runId: run.id!, metric: gate.key)
                    : try store.latestMetric(runId: run.id!, key: gate.key)
                let value = found?.value
                let passed = value.map { v in (gate.minimum.map { v >= $0 } ?? true) && (gate.maximum.map { v <= $0 } ?? true) } ?? false
                gateRows.append(.init(gate: gate.name, run: run.name, value: value, step: found?.step, passed: passed))
            }
        }
        return PipelineSummary(pipeline: pipeline.name, runs: rows, gates: gateRows, augmentations: augmentationRows, scores: scoreRows, seconds: seconds)
    }
}

extension GateSpecification {
    /// Whether the gate's `where` values all match the run's configuration.
    func applies(to run: PlannedRun) -> Bool {
        let text = run.specification.canonicalJSON()
        guard let configuration = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return false }
        return filter.allSatisfy { key, expected in
            guard let actual = configuration[key] else { return false }
            switch expected {
            case .text(let value): return "\(actual)" == value
            case .flag(let value): return (actual as? Bool) == value
            case .integer(let value): return (actual as? NSNumber)?.doubleValue == Double(value)
            case .number(let value): return (actual as? NSNumber).map { Float($0.doubleValue) == Float(value) } ?? false
            }
        }
    }
}

extension PipelineRunner {
    /// Runs the pipeline's `augment:` experiments whose generator run has completed (stored
    /// classifiers are reused, so a rerun trains only what is missing) and keeps their rows for
    /// the summary. An experiment that cannot run is a row with its error, not a stop; a stop
    /// request (SIGINT, SIGTERM) ends it between epochs, storing nothing half-trained.
    public func runAugmentations() throws {
        augmentationRows = try pipeline.augmentations.map { experiment in
            var row = PipelineSummary.AugmentationRow(dataset: experiment.dataset, generator: experiment.generator)
            do {
                let generator = try RunStore(database).find(experiment.generator)
                guard generator.status == .completed else {
                    row.error = "its generator run \(experiment.generator) is \(generator.status.rawValue), not completed"
                    return row
                }
                var options = AugmentationExperiment.Options()
                (options.perClass, options.seeds, options.checkpoint) = (experiment.perClass, experiment.seeds, experiment.checkpoint)
                var current = ""
                let outcomes = try AugmentationExperiment(database).run(dataset: experiment.dataset, generator: experiment.generator, options: options,
                                                                        shouldStop: { stopRequest() != .none }) { _, message in
                    let classifier = String(message.prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces)
                    if classifier != current {
                        current = classifier
                        log("augment: training \(message.prefix { $0 != ":" })")
                    }
                }
                row.result = AugmentationExperiment.Summary(dataset: experiment.dataset, generator: experiment.generator,
                                                            perClass: experiment.perClass, outcomes: outcomes)
                for line in row.result!.lines { log("augment: \(line)") }
            } catch EvaluatorError.interrupted {
                throw Self.interrupted(pipeline)
            } catch {
                row.error = "\(error)"
                log("augment \(experiment.dataset) with \(experiment.generator): \(error)")
            }
            return row
        }
    }
}

extension PipelineRunner {
    /// Scores the completed runs each `score:` entry names, on their own dataset's split, and
    /// keeps the scores in `anomaly_scores`; what is stored already is not computed again. A
    /// stop request ends it between runs.
    public func runScores() throws {
        scoreRows = []
        for entry in pipeline.scores {
            for planned in runs where fnmatch(entry.runs, planned.name, 0) == 0 {
                guard stopRequest() == .none else { throw Self.interrupted(pipeline) }
                var row = PipelineSummary.ScoreRow(run: planned.name, data: "", reused: false)
                do {
                    let run = try RunStore(database).find(planned.name)
                    guard run.status == .completed else {
                        row.error = "the run is \(run.status.rawValue), not completed"
                        scoreRows.append(row)
                        continue
                    }
                    guard let dataset = try run.datasetId.flatMap({ try DatasetStore(database).dataset(id: $0) }) else {
                        throw EvaluatorError.datasetMissing(run: run.name)
                    }
                    let scoring = AnomalyScoring(database)
                    let data = try scoring.data(of: dataset, split: entry.split)
                    row.data = data.name
                    var normalClass: Int?
                    switch entry.normalClass {
                    case .label(let label): normalClass = label
                    case .subset:
                        let metadata = try? JSONDecoder().decode(DatasetMetadata.self, from: Data(dataset.metadataJson.utf8))
                        guard let classes = metadata?.derivedFrom?.classes, classes.count == 1 else {
                            throw EvaluatorError.invalidOption("normal_class: subset needs a run trained on a one-class subset, and \(dataset.name) is not one; give the label")
                        }
                        normalClass = classes[0]
                    case nil: normalClass = nil
                    }
                    if let stored = try scoring.stored(run: run.name, step: nil, data: data, methods: entry.methods, options: entry.options, normalClass: normalClass) {
                        row.step = stored.first?.step
                        row.auroc = normalClass == nil ? nil : Dictionary(uniqueKeysWithValues: stored.compactMap { record in record.auroc.map { (record.method, $0) } })
                        row.reused = true
                    } else {
                        log("score: \(run.name) on \(data.name)")
                        let result = try scoring.score(run: run.name, step: nil, data: data, methods: entry.methods, options: entry.options, normalClass: normalClass)
                        try AnomalyScoreStore(database).save(result.records)
                        (row.step, row.auroc) = (result.step, result.auroc)
                    }
                } catch {
                    row.error = "\(error)"
                    log("score: \(planned.name): \(error)")
                }
                scoreRows.append(row)
            }
        }
    }
}
