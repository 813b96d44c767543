import Foundation
import GanStore
import GanTensor

extension TrainerStage {
    /// How often buffered metrics are committed between checkpoints.
    static let flushInterval: Double = 2

    /// Trains `session` to the run's total steps: metrics and events buffered and committed
    /// every `flushInterval` seconds, a checkpoint every `checkpointEvery` steps and at the end
    /// (each with the buffered rows, in one transaction). A stop request checkpoints and ends
    /// the run `interrupted`; a non-finite value ends it `failed`.
    func loop(_ session: TrainingSession, run: RunRecord, journal: RunJournal, hooks: Hooks) throws -> Result {
        let specification = session.specification
        BLAS.threadCount = specification.threads
        let started = Date()
        let startStep = session.step
        var storeSeconds = 0.0
        var metrics: [RunJournal.Metric] = []
        var events: [RunJournal.Event] = []
        var lastFlush = Date()
        var warnings = 0, nonFinite = 0
        // The run's clock: seconds of training before this session, then this session's.
        let clockBase = try journal.elapsedSeconds(atOrBefore: startStep)
        var times: [(step: Int, elapsedSeconds: Double)] = []

        func commit(checkpoint: Bool) throws {
            let before = Date()
            try journal.commit(metrics: metrics, events: events, currentStep: session.step,
                               checkpoint: checkpoint ? session.checkpoint() : nil, times: times)
            metrics.removeAll(keepingCapacity: true)
            times.removeAll(keepingCapacity: true)
            events.removeAll(keepingCapacity: true)
            lastFlush = Date()
            storeSeconds += lastFlush.timeIntervalSince(before)
            if checkpoint { try hooks.checkpointCommitted(run.id!, session.step) }
        }
        func result(_ status: RunStatus, error: String? = nil) -> Result {
            Result(run: run.name, runId: run.id!, status: status, step: session.step, totalSteps: specification.steps,
                   startedAtStep: startStep, seconds: Date().timeIntervalSince(started), storeSeconds: storeSeconds, error: error,
                   warnings: warnings, nonFiniteMetricValues: nonFinite)
        }

        do {
            while session.step < specification.steps {
                if hooks.shouldStop() {
                    try commit(checkpoint: true)
                    try journal.finish(.interrupted, events: [RunJournal.Event(
                        step: session.step, kind: "interrupted", severity: .info,
                        message: "stopped on request at step \(session.step); continue with `ganpipe resume \(run.name)`")])
                    return result(.interrupted)
                }
                let next = session.step + 1
                let record = next % specification.metricsEvery == 0 || next == specification.steps
                let outcome = session.performStep(recordMetrics: record)
                if let failure = outcome.failure {
                    try commit(checkpoint: false)
                    try journal.finish(.failed, error: failure, events: [RunJournal.Event(
                        step: next, kind: "non_finite", severity: .error, message: failure)])
                    return result(.failed, error: failure)
                }
                metrics += outcome.metrics.map { RunJournal.Metric(key: $0.key, step: next, value: $0.value) }
                if record { times.append((next, clockBase + Date().timeIntervalSince(started))) }
                nonFinite += outcome.metrics.reduce(0) { $0 + ($1.value.isFinite ? 0 : 1) }
                events += outcome.events
                for event in outcome.events {
                    if event.severity == .warning { warnings += 1 }
                    hooks.event(run.name, event)
                }
                if next % specification.checkpointEvery == 0 || next == specification.steps {
                    try commit(checkpoint: true)
                } else if Date().timeIntervalSince(lastFlush) >= Self.flushInterval {
                    try commit(checkpoint: false)
                }
                hooks.progress(Progress(runName: run.name, step: next, totalSteps: specification.steps,
                                        stepsThisSession: next - startStep, elapsedSeconds: Date().timeIntervalSince(started), storeSeconds: storeSeconds,
                                        discriminatorLoss: outcome.discriminatorLoss, generatorLoss: outcome.generatorLoss))
            }
            try journal.finish(.completed)
            return result(.completed)
        } catch {
            // The database refused a write: record the failure if it still can, then report.
            try? journal.finish(.failed, error: "\(error)")
            throw error
        }
    }
}
