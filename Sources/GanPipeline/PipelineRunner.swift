import Foundation
import GanStore
import GanTrainer

/// Runs a pipeline: the loader for its datasets, then trainer and evaluator for every run of
/// the matrix, each run in a worker process, at most `jobs` at once. Safe to start again at any
/// moment: completed stages are skipped, interrupted runs resume from their last checkpoint,
/// failed ones are retried up to the pipeline's limit, and a run held by another live process
/// is waited for, never trained twice.
public final class PipelineRunner {
    public let database: GanDatabase
    public let pipeline: PipelineSpecification
    public let runs: [PlannedRun]
    /// Starts `ganpipe worker RUN` for a run (the command line supplies it).
    public let launch: (PlannedRun) throws -> Process
    /// One line per event (run started, finished, retried), for the terminal or a log.
    public var log: (String) -> Void = { _ in }
    /// How often runs held by another process are looked at again.
    public var pollInterval: TimeInterval = 2
    /// How often the progress of the active runs is logged.
    public var progressInterval: TimeInterval = 15
    /// Asked every 0.1 s while runs train. `.stop` (the first SIGINT or SIGTERM): no new
    /// worker starts, every active one is sent SIGTERM and checkpoints its run, and the
    /// pipeline ends interrupted once all have exited. `.kill` (a second signal): the workers
    /// are killed at once.
    public var stopRequest: () -> StopRequest = { .none }
    /// The `augment:` experiments' outcomes, once `runAugmentations()` ran.
    var augmentationRows: [PipelineSummary.AugmentationRow] = []
    /// The `score:` entries' outcomes, once `runScores()` ran.
    var scoreRows: [PipelineSummary.ScoreRow] = []

    public enum StopRequest: Sendable {
        case none, stop, kill
    }

    /// The error a stopped pipeline ends with.
    static func interrupted(_ pipeline: PipelineSpecification) -> PipelineError {
        PipelineError(file: pipeline.file, line: nil, key: nil, message: "interrupted; every worker has stopped; run the same command again to continue")
    }

    /// `runs`: the pipeline's planned runs (`PipelineSpecification.plannedRuns`).
    public init(database: GanDatabase, pipeline: PipelineSpecification, runs: [PlannedRun], launch: @escaping (PlannedRun) throws -> Process) {
        self.database = database
        self.pipeline = pipeline
        self.runs = runs
        self.launch = launch
    }

    /// What each run needs, as `--dry-run` shows it.
    public enum Action: String, Codable, Sendable {
        case train, resume, evaluate, skip, retry, wait
        case giveUp = "give-up"
    }

    /// Decides what `run` needs now, from its row and stages (nil row: not registered yet).
    func action(for planned: PlannedRun) throws -> Action {
        guard let run = try? RunStore(database).find(planned.name) else { return .train }
        let stages = try StageStore(database).stages(of: run.id!)
        switch run.status {
        case .completed:
            let evaluator = stages[.evaluator]?.status
            if !pipeline.evaluation.enabled || evaluator == .completed || evaluator == .skipped { return .skip }
            return (stages[.evaluator]?.attempts ?? 0) > pipeline.retries ? .giveUp : .evaluate
        case .failed:
            return (stages[.trainer]?.attempts ?? 0) > pipeline.retries ? .giveUp : .retry
        case .running:
            return RunLease.isAvailable(run) ? .resume : .wait
        case .queued:
            return try CheckpointStore(database).latestComplete(runId: run.id!) == nil ? .train : .resume
        case .interrupted:
            return .resume
        }
    }

    /// Registers every run (refusing a changed configuration under an existing name) and
    /// returns the plan, without training anything.
    public func plan(register: Bool) throws -> [(run: PlannedRun, action: Action)] {
        var plan: [(PlannedRun, Action)] = []
        for planned in runs {
            if let existing = try? RunStore(database).find(planned.name) {
                if existing.configJson != planned.specification.canonicalJSON() {
                    throw PipelineError(file: pipeline.file, line: nil, key: nil, message:
                        "run '\(planned.name)' exists with another configuration; rename the pipeline or restore its settings (`ganpipe show \(planned.name)` shows the stored one)")
                }
            } else if register {
                let dataset = try DatasetStore(database).find(planned.specification.dataset)
                let record = TrainerStage(database).queuedRun(name: planned.name, specification: planned.specification,
                                                              dataset: dataset, pipeline: pipeline.name)
                let (run, inserted) = try RunStore(database).insertIfAbsent(record)
                if inserted {
                    try StageStore(database).finish(.loader, of: run.id!, status: .completed)
                } else if run.configJson != record.configJson {
                    throw PipelineError(file: pipeline.file, line: nil, key: nil, message: "run '\(planned.name)' was registered with another configuration by another process")
                }
            }
            plan.append((planned, try action(for: planned)))
        }
        return plan
    }

    /// Runs every stage of every run that needs it, then checks the gates.
    public func run(jobs: Int) throws -> PipelineSummary {
        let started = Date()
        try preflight()
        try prepareDatasets()
        // A slice: taking the first run is O(1), so a long sweep is not quadratic.
        var queue = ArraySlice(try plan(register: true).filter { $0.action != .skip && $0.action != .giveUp }.map(\.run))
        var active: [(run: PlannedRun, process: Process)] = []
        var waiting: [PlannedRun] = []
        let relay = EventRelay(store: RunStore(database), runs: Set(runs.map(\.name)), after: try RunStore(database).lastEventId())
        var lastPoll = Date.distantPast
        var lastProgress = Date()
        var signalled: StopRequest = .none
        var interrupted: Bool { signalled != .none }
        /// Starts nothing more and signals the active workers: SIGTERM (each checkpoints its run
        /// and exits) or SIGKILL.
        func stop(_ request: StopRequest) {
            signalled = request
            queue.removeAll()
            waiting.removeAll()
            for entry in active where entry.process.isRunning { kill(entry.process.processIdentifier, request == .kill ? SIGKILL : SIGTERM) }
            log(request == .kill ? "killing \(active.count) worker(s)" : "stopping: each of \(active.count) worker(s) checkpoints its run (signal again to kill them)")
        }
        while !queue.isEmpty || !active.isEmpty || !waiting.isEmpty {
            let request = stopRequest()
            if request != .none, request != signalled { stop(request) }
            while active.count < jobs, !queue.isEmpty, !interrupted {
                let next = queue.removeFirst()
                let action = try action(for: next)
                switch action {
                case .skip, .giveUp: continue
                case .wait:
                    waiting.append(next)
                    log("\(next.name): held by another process; waiting")
                    continue
                default:
                    log("\(next.name): \(action.rawValue)")
                    active.append((next, try launch(next)))
                }
            }
            usleep(100_000)
            relay.relay(to: log)
            for (index, entry) in active.enumerated().reversed() where !entry.process.isRunning {
                active.remove(at: index)
                let status = entry.process.terminationReason == .exit ? entry.process.terminationStatus : -1
                relay.relay(to: log, now: true)
                switch status {
                case PipelineWorker.Outcome.completed.rawValue:
                    log("\(entry.run.name): done" + relay.closingNote(for: entry.run.name))
                case _ where interrupted:
                    log("\(entry.run.name): worker stopped (status \(status))")
                case PipelineWorker.Outcome.busy.rawValue:
                    waiting.append(entry.run)
                case PipelineWorker.Outcome.interrupted.rawValue:
                    // Stopped by a signal of its own (a Ctrl-C reaches the whole process group):
                    // stop the others too, each after a checkpoint.
                    log("\(entry.run.name): interrupted")
                    if !interrupted { stop(.stop) }
                default:
                    let next = try action(for: entry.run)
                    log("\(entry.run.name): worker ended with status \(status)\(next == .giveUp ? "; giving up after \(pipeline.retries + 1) attempts" : "; trying again")")
                    if next != .giveUp { queue.append(entry.run) }
                }
            }
            if !active.isEmpty, Date().timeIntervalSince(lastProgress) >= progressInterval {
                lastProgress = Date()
                let steps = active.map { entry in
                    let run = try? RunStore(database).find(entry.run.name)
                    return "\(entry.run.name) \(run?.currentStep ?? 0)/\(run?.totalSteps ?? entry.run.specification.steps)"
                }
                log("progress: " + steps.joined(separator: ", "))
            }
            if !interrupted, !waiting.isEmpty, Date().timeIntervalSince(lastPoll) >= pollInterval {
                lastPoll = Date()
                for (index, entry) in waiting.enumerated().reversed() {
                    let next = try action(for: entry)
                    if next != .wait {
                        waiting.remove(at: index)
                        if next != .skip && next != .giveUp { queue.append(entry) }
                    }
                }
            }
        }
        if interrupted {
            throw Self.interrupted(pipeline)
        }
        try runAugmentations()
        try runScores()
        return try summary(seconds: Date().timeIntervalSince(started))
    }
}

/// What the workers' runs record while they train, relayed to the pipeline's log as it
/// happens: each warning or error event as one line (the first `shown` of a run; then one line
/// saying where the rest are), and at a run's end a pointer to `ganpipe diagnose`. Read from
/// the database, about once a second, so the workers' own output stays quiet.
final class EventRelay {
    static let shown = 10
    let store: RunStore
    let runs: Set<String>
    private var lastId: Int64
    private var counts: [String: Int] = [:]
    private var lastRead = Date.distantPast

    init(store: RunStore, runs: Set<String>, after id: Int64) {
        (self.store, self.runs, lastId) = (store, runs, id)
    }

    func relay(to log: (String) -> Void, now: Bool = false) {
        guard now || Date().timeIntervalSince(lastRead) >= 1 else { return }
        lastRead = Date()
        guard let events = try? store.events(after: lastId, runs: runs) else { return }
        for (id, run, event) in events {
            lastId = id
            let count = (counts[run] ?? 0) + 1
            counts[run] = count
            if count <= Self.shown {
                log("\(run): \(event.severity.rawValue): step \(event.step.map(String.init) ?? "-"): \(event.kind): \(event.message)")
            } else if count == Self.shown + 1 {
                log("\(run): more events follow; they are recorded with the run (`ganpipe show \(run)`)")
            }
        }
    }

    /// "; recorded N warnings and errors: see `ganpipe diagnose RUN`", or nothing.
    func closingNote(for run: String) -> String {
        guard let count = counts[run], count > 0 else { return "" }
        return "; recorded \(count) warning\(count == 1 ? "" : "s") or error\(count == 1 ? "" : "s"): see `ganpipe diagnose \(run)`"
    }
}
