import Foundation
import GanEvaluator
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

    public var pipeline: String
    public var runs: [RunRow]
    public var gates: [GateRow]
    public var augmentations: [AugmentationRow] = []
    public var seconds: Double

    public var exitCode: Int32 {
        if runs.contains(where: { $0.status != "completed" }) || augmentations.contains(where: { $0.error != nil }) { return Self.exitRunFailed }
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
        return PipelineSummary(pipeline: pipeline.name, runs: rows, gates: gateRows, augmentations: augmentationRows, seconds: seconds)
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
    /// the summary. An experiment that cannot run is a row with its error, not a stop.
    public func runAugmentations() {
        augmentationRows = pipeline.augmentations.map { experiment in
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
                let outcomes = try AugmentationExperiment(database).run(dataset: experiment.dataset, generator: experiment.generator, options: options) { _, message in
                    let classifier = String(message.prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces)
                    if classifier != current {
                        current = classifier
                        log("augment: training \(message.prefix { $0 != ":" })")
                    }
                }
                row.result = AugmentationExperiment.Summary(dataset: experiment.dataset, generator: experiment.generator,
                                                            perClass: experiment.perClass, outcomes: outcomes)
                for line in row.result!.lines { log("augment: \(line)") }
            } catch {
                row.error = "\(error)"
                log("augment \(experiment.dataset) with \(experiment.generator): \(error)")
            }
            return row
        }
    }
}
