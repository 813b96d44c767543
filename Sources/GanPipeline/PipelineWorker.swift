import Foundation
import GanEvaluator
import GanStore
import GanTrainer

/// Runs the trainer and evaluator stages of one pipeline run in this process, recording each
/// stage in `stages`. `ganpipe run` starts one worker process per run (`ganpipe worker`), so a
/// crash takes down one run, never the pipeline.
public struct PipelineWorker {
    /// How a worker ended; the raw values are the worker process's exit codes.
    public enum Outcome: Int32, Sendable {
        case completed = 0
        case failed = 1
        /// Another live process holds the run, or trained it since this worker looked; nothing
        /// was done (the pipeline looks at the run again).
        case busy = 75
        case interrupted = 130
    }

    public let database: GanDatabase
    public let evaluation: EvaluationSpecification

    public init(_ database: GanDatabase, evaluation: EvaluationSpecification) {
        self.database = database
        self.evaluation = evaluation
    }

    public func run(_ reference: String, hooks: TrainerStage.Hooks = TrainerStage.Hooks()) throws -> Outcome {
        let stages = StageStore(database)
        var run = try RunStore(database).find(reference)
        let runId = run.id!
        if run.status != .completed {
            guard RunLease.isAvailable(run) else { return .busy }
            // The attempt counts once this process holds the run, not before: two pipelines
            // racing for a run record one attempt, by the one that trains it.
            var claimed = false
            var hooks = hooks
            hooks.runClaimed = { _ in
                claimed = true
                try stages.start(.trainer, of: runId)
            }
            let result: TrainerStage.Result
            do {
                result = try TrainerStage(database).resume(reference, hooks: hooks)
            } catch let error as StoreError {
                // Held by another process, or trained by one since this worker looked: the
                // pipeline looks at the run again later.
                switch error {
                case .runBusy, .runChangedMeanwhile: return .busy
                default: break
                }
                if claimed { try stages.finish(.trainer, of: runId, status: .failed, error: error.description) }
                throw error
            } catch {
                if claimed { try stages.finish(.trainer, of: runId, status: .failed, error: "\(error)") }
                throw error
            }
            switch result.status {
            case .completed: try stages.finish(.trainer, of: runId, status: .completed)
            case .interrupted:
                try stages.finish(.trainer, of: runId, status: .pending, error: "interrupted at step \(result.step)")
                return .interrupted
            default:
                try stages.finish(.trainer, of: runId, status: .failed, error: result.error)
                return .failed
            }
            run = try RunStore(database).find(reference)
        }
        guard evaluation.enabled else {
            try stages.finish(.evaluator, of: runId, status: .skipped)
            return .completed
        }
        if try stages.stages(of: runId)[.evaluator]?.status == .completed { return .completed }
        try stages.start(.evaluator, of: runId)
        do {
            let evaluator = EvaluatorStage(database, options: EvaluationOptions(sampleCount: evaluation.samples, seed: evaluation.seed))
            _ = try evaluator.evaluate(reference, checkpoints: try selection(for: run))
            try stages.finish(.evaluator, of: runId, status: .completed)
        } catch {
            try stages.finish(.evaluator, of: runId, status: .failed, error: "\(error)")
            throw error
        }
        return .completed
    }

    /// The checkpoints to evaluate: multiples of `every` and the last, or the last only.
    func selection(for run: RunRecord) throws -> CheckpointSelection {
        guard let every = evaluation.every else { return .latest }
        let steps = try CheckpointStore(database).completeSteps(runId: run.id!)
            .filter { $0 > 0 && ($0 % every == 0 || $0 == run.totalSteps) }
        return steps.isEmpty ? .latest : .steps(steps)
    }
}
