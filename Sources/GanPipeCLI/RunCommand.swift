import ArgumentParser
import CPlatform
import Dispatch
import Foundation
import GanSchema
import GanPipeline
import GanReport
import GanStore
import GanTensor
import GanTrainer

/// `ganpipe run PIPELINE.yaml`: loader, trainer and evaluator for a whole matrix of runs.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline file: its datasets, then training and evaluation for every run of its matrix.",
        discussion: """
            Safe to start again at any moment: completed runs are skipped, interrupted ones resumed from their \
            last checkpoint, failed ones retried up to the file's `retries`. The format is in pipelines/README.md.
            Exit codes: 0 everything ran and every gate passed; 2 a gate failed; 4 a run or stage failed; \
            1 the file or the database could not be used.
            """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("The pipeline file.", valueName: "pipeline.yaml")) var file: String
    @Option(help: "Runs trained at once, each in its own process.") var jobs: Int = 1
    @Option(help: "Refuse a matrix of more runs than this (a guard against a mistyped matrix).")
    var maxRuns: Int = PipelineSpecification.defaultRunLimit
    @Flag(help: "Show what each run needs without doing anything.") var dryRun = false
    @OptionGroup(title: "Slurm") var slurm: SlurmOptions
    @Flag(help: "Print the summary as one JSON object on standard output.") var json = false

    func run() throws {
        guard (1...64).contains(jobs) else { throw CommandError("--jobs must be between 1 and 64 (got \(jobs))") }
        guard (1...1_000_000).contains(maxRuns) else { throw CommandError("--max-runs must be between 1 and 1000000 (got \(maxRuns))") }
        let pipeline = try PipelineParser.parse(file: file)
        let runs = try pipeline.plannedRuns(limit: maxRuns)
        if let folder = pipeline.reportsFolder { try Self.checkReportsFolder(folder, create: !dryRun) }
        if dryRun {
            try showPlan(pipeline, runs: runs)
            return
        }
        if slurm.executor == .slurm {
            let options = try slurm.executorOptions(database: database.resolvedPath, pipeline: pipeline.name)
            try SlurmExecutor.check(options, pipeline: pipeline.name, runs: runs.count)
            return try runOnSlurm(pipeline, runs: runs, options: options, database: database.openForWriting())
        }
        let opened = try database.openForWriting()
        let runner = PipelineRunner(database: opened, pipeline: pipeline, runs: runs, launch: { try Self.launchWorker(for: $0, pipeline: pipeline, database: opened.path) })
        runner.log = { FileHandle.standardError.write(Data("[\(pipeline.name)] \($0)\n".utf8)) }
        // Workers run in process groups of their own, so a Ctrl-C reaches only this process:
        // the first SIGINT or SIGTERM stops every worker after a checkpoint, a second kills them.
        let signals = SignalCount([SIGINT, SIGTERM])
        runner.stopRequest = { [signals] in
            switch signals.count { case 0: .none; case 1: .stop; default: .kill }
        }
        let summary: PipelineSummary
        do {
            summary = try runner.run(jobs: jobs)
        } catch let error as PipelineError where signals.count > 0 {
            FileHandle.standardError.write(Data("ganpipe: \(error.description)\n".utf8))
            throw ExitCode(130)
        }
        try finish(summary, pipeline: pipeline, database: opened)
    }

    /// `--executor slurm`: submit what is left as a job array; with `--wait`, wait for it, merge
    /// the shards and end as the local executor does (summary, reports, gates, exit code).
    func runOnSlurm(_ pipeline: PipelineSpecification, runs: [PlannedRun], options: SlurmExecutor.Options, database opened: GanDatabase) throws {
        let started = Date()
        let runner = PipelineRunner(database: opened, pipeline: pipeline, runs: runs, launch: { _ in Process() })
        runner.log = { FileHandle.standardError.write(Data("[\(pipeline.name)] \($0)\n".utf8)) }
        let executor = SlurmExecutor(runner: runner, options: options)
        let job = try executor.submit()
        guard slurm.wait else {
            if let job {
                print("submitted Slurm job array \(job); run the same command again (or `ganpipe merge`) to bring the results back, or add --wait")
            } else {
                print("nothing to submit: every run is done or on the cluster")
            }
            return
        }
        let signals = SignalCount([SIGINT, SIGTERM])
        guard try executor.wait(shouldStop: { signals.count > 0 }) else {
            FileHandle.standardError.write(Data("ganpipe: stopped waiting; the tasks go on on the cluster; run the same command again to merge what they trained\n".utf8))
            throw ExitCode(130)
        }
        runner.stopRequest = { [signals] in signals.count > 0 ? .stop : .none }
        try runner.runAugmentations()
        try runner.runScores()
        let summary = try executor.summary(seconds: Date().timeIntervalSince(started))
        try finish(summary, pipeline: pipeline, database: opened)
    }

    /// The end of every executor: reports, the summary (a table, or JSON), the exit code.
    func finish(_ summary: PipelineSummary, pipeline: PipelineSpecification, database opened: GanDatabase) throws {
        let reports = try pipeline.reportsFolder.map { try Self.writeReports(summary, into: $0, database: opened) }
        if json {
            try printJSON(summary)
        } else {
            print(Self.render(summary))
            if let reports { print("wrote \(reports.runs.count) run reports to \(reports.folder)/; open \(reports.folder)/compare.html for the comparison") }
        }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }

    /// `--dry-run`: the runs and what each needs, read-only.
    func showPlan(_ pipeline: PipelineSpecification, runs: [PlannedRun]) throws {
        let path = database.resolvedPath
        var rows: [(String, String)]
        if FileManager.default.fileExists(atPath: path) {
            let opened = try database.openForReading()
            let runner = PipelineRunner(database: opened, pipeline: pipeline, runs: runs, launch: { _ in Process() })
            try runner.preflight()
            rows = try runner.plan(register: false).map { ($0.run.name, $0.action.rawValue) }
        } else {
            rows = runs.map { ($0.name, "train") }
        }
        if json {
            try printJSON(rows.map { ["run": $0.0, "action": $0.1] })
            return
        }
        var table = TextTable(columns: ["run", "action"])
        table.rows = rows.map { [$0.0, $0.1] }
        print(table.render())
        print("\(rows.count) run(s); datasets: \(pipeline.datasets.map(\.name).joined(separator: ", "))")
        for experiment in pipeline.augmentations {
            print("then augment \(experiment.dataset) with \(experiment.perClass) samples per class of \(experiment.generator), seeds \(experiment.seeds.map(String.init).joined(separator: ", "))")
        }
        for entry in pipeline.scores {
            print("then score the runs matching '\(entry.runs)' on their dataset's \(entry.split) split (\(entry.methods.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    static func launchWorker(for run: PlannedRun, pipeline: PipelineSpecification, database path: String) throws -> Process {
        // A worker whose parent dies (even by SIGKILL) gets SIGHUP and checkpoints: see WorkerCommand.
        setenv(WorkerCommand.parentVariable, String(getpid()), 1)
        // Load the BLAS before the first worker: its kernel notice is said once, here, and the
        // workers inherit that it was.
        _ = BLAS.runtime
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var arguments = ["worker", run.name, "--db", path, "--eval-samples", String(pipeline.evaluation.samples),
                         "--eval-seed", String(pipeline.evaluation.seed)]
        if let every = pipeline.evaluation.every { arguments += ["--eval-every", String(every)] }
        if !pipeline.evaluation.enabled { arguments.append("--no-eval") }
        process.arguments = arguments
        process.standardOutput = FileHandle.standardError
        process.standardError = FileHandle.standardError
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Refuses, before anything runs, a `reports:` folder that cannot be made: for a real run
    /// it is created now (where the user pointed); a dry run checks that a folder can be made
    /// in its nearest existing ancestor.
    static func checkReportsFolder(_ folder: String, create: Bool) throws {
        let refused = CommandError("cannot create the reports folder \(folder); change `reports:` in the pipeline file")
        if create {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw refused
            }
            return
        }
        var path = URL(fileURLWithPath: folder).standardizedFileURL
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory), path.path != "/" {
            path.deleteLastPathComponent()
        }
        // A folder made and removed at once: permissions alone do not tell (root may "write" /proc).
        var template = Array((path.path == "/" ? "/" : path.path + "/") .utf8CString.dropLast()) + Array(".ganpipe-check-XXXXXX".utf8CString)
        guard isDirectory.boolValue, let made = mkdtemp(&template) else { throw refused }
        rmdir(made)
    }

    /// A report per run (`FOLDER/RUN.html`, `/` in run names becoming `_`) and `compare.html`.
    static func writeReports(_ summary: PipelineSummary, into folder: String, database: GanDatabase)
        throws -> (folder: String, runs: [String]) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw CommandError("cannot create the reports folder \(folder) (\(error.localizedDescription)); change `reports:` in the pipeline file")
        }
        var written: [String] = []
        var data: [RunData] = []
        for row in summary.runs {
            let run = try RunData.load(row.run, from: database)
            data.append(run)
            let path = URL(fileURLWithPath: folder).appendingPathComponent(fileName(forRun: row.run) + ".html").path
            try writeOutput(Data(try RunReport(run).html().utf8), to: path, option: "reports")
            written.append(path)
        }
        let comparison = URL(fileURLWithPath: folder).appendingPathComponent("compare.html").path
        try writeOutput(Data(try ComparisonPage(try RunComparison(data)).html().utf8), to: comparison, option: "reports")
        return (folder, written)
    }

    static func render(_ summary: PipelineSummary) -> String {
        let resultKeys = [EvaluationMetric.modesCovered, EvaluationMetric.highQualityPercent, EvaluationMetric.slicedWasserstein, MetricKey.discriminatorLoss, MetricKey.generatorLoss]
        var table = TextTable(columns: ["run", "status", "steps"] + resultKeys)
        for row in summary.runs {
            table.rows.append([row.run, row.status, "\(row.step)/\(row.totalSteps)"]
                              + resultKeys.map { row.results[$0].map { String(format: "%.4g", $0) } ?? "-" })
        }
        var lines = [table.render()]
        if !summary.gates.isEmpty {
            var gates = TextTable(columns: ["gate", "run", "value", "result"])
            for gate in summary.gates {
                gates.rows.append([gate.gate, gate.run, gate.value.map { String(format: "%.4g", $0) } ?? "none",
                                   gate.passed ? "pass" : "FAIL"])
            }
            lines.append(gates.render())
        }
        if !summary.scores.isEmpty {
            let methods = Array(Set(summary.scores.flatMap { $0.auroc?.keys.map { $0 } ?? [] })).sorted()
            var scores = TextTable(columns: ["scored run", "data", "step"] + methods.map { "AUROC \($0)" })
            for row in summary.scores {
                scores.rows.append([row.run, row.error ?? row.data, row.step.map(String.init) ?? "-"]
                                   + methods.map { method in row.auroc?[method].map { String(format: "%.3f", $0) } ?? "-" })
            }
            lines.append(scores.render())
        }
        for augmentation in summary.augmentations {
            lines += augmentation.result?.lines ?? ["augment \(augmentation.dataset) with \(augmentation.generator): \(augmentation.error ?? "")"]
        }
        let verdict: String
        switch summary.exitCode {
        case PipelineSummary.exitSuccess: verdict = "every run completed and every gate passed"
        case PipelineSummary.exitGateFailed: verdict = "every run completed; a gate failed (exit 2)"
        default: verdict = "a run or stage failed (exit 4); run the same command again to retry or continue"
        }
        lines.append(String(format: "pipeline %@: %@ (%.1f s)", summary.pipeline, verdict, summary.seconds))
        return lines.joined(separator: "\n")
    }
}

/// The options of `ganpipe run --executor slurm`.
struct SlurmOptions: ParsableArguments {
    enum Executor: String, ExpressibleByArgument, CaseIterable {
        case local, slurm
    }

    @Option(help: "Where runs train: local (worker processes on this machine) or slurm (one job array; see pipelines/README.md).")
    var executor: Executor = .local
    @Option(help: ArgumentHelp("Slurm: the folder of the database shards and task logs, on a filesystem the nodes and this machine see (default: DB.shards/PIPELINE beside the database).", valueName: "folder"))
    var shards: String?
    @Option(help: "Slurm: the partition (default: the cluster's).") var partition: String?
    @Option(help: ArgumentHelp("Slurm: each task's time limit, as sbatch --time takes it (e.g. 2:00:00; default: the partition's).", valueName: "time"))
    var timeLimit: String?
    @Option(help: "Slurm: CPUs per task.") var cpusPerTask = 1
    @Option(help: "Slurm: at most this many tasks at once (default: no limit).") var arrayParallelism: Int?
    @Option(help: ArgumentHelp("Slurm: seconds between the warning signal and the time limit: the task checkpoints and requeues itself.", valueName: "seconds"))
    var signalGrace = 120
    @Option(name: .customLong("sbatch-arg"), parsing: .unconditionalSingleValue, help: ArgumentHelp("Slurm: one more sbatch argument (repeat for several), e.g. --sbatch-arg=--account=lab.", valueName: "argument"))
    var sbatchArguments: [String] = []
    @Flag(help: "Slurm: wait for the tasks, merge their shards and end with the summary, reports and gates.") var wait = false

    func executorOptions(database: String, pipeline: String) throws -> SlurmExecutor.Options {
        guard (1...1024).contains(cpusPerTask) else { throw CommandError("--cpus-per-task must be 1…1024 (got \(cpusPerTask))") }
        if let parallelism = arrayParallelism, !(1...100_000).contains(parallelism) {
            throw CommandError("--array-parallelism must be 1…100000 (got \(parallelism))")
        }
        guard (0...86_400).contains(signalGrace) else { throw CommandError("--signal-grace must be 0…86400 seconds (got \(signalGrace))") }
        let folder = shards ?? (URL(fileURLWithPath: database).standardizedFileURL.path + ".shards/" + SlurmExecutor.scriptName(pipeline))
        var options = SlurmExecutor.Options(shards: folder, executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path)
        (options.partition, options.timeLimit, options.cpusPerTask) = (partition, timeLimit, cpusPerTask)
        (options.parallelism, options.graceSeconds, options.extraArguments) = (arrayParallelism, signalGrace, sbatchArguments)
        return options
    }
}

/// `ganpipe worker RUN`: the trainer and evaluator stages of one pipeline run (started by
/// `ganpipe run`; exit 75 when another live process holds the run).
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Train and evaluate one pipeline run (used by `ganpipe run`).",
        shouldDisplay: false)

    @OptionGroup var database: DatabaseOptions
    @Argument var reference: String
    @Option var evalEvery: Int?
    @Option var evalSamples: Int = 2500
    @Option var evalSeed: UInt64 = 0
    @Flag var noEval = false

    /// The pid of the `ganpipe run` that started this worker.
    static let parentVariable = "GANPIPE_PIPELINE_PID"

    func run() throws {
        // SIGHUP when the pipeline process dies, however it dies: no orphan trains on alone.
        // (A parent that died before this line leaves the worker with another parent: stop.)
        _ = gp_signal_when_parent_dies(SIGHUP)
        if let parent = ProcessInfo.processInfo.environment[Self.parentVariable], Int32(parent) != getppid() {
            throw ExitCode(PipelineWorker.Outcome.interrupted.rawValue)
        }
        let opened = try database.openForWriting()
        let evaluation = EvaluationSpecification(every: evalEvery, samples: evalSamples, seed: evalSeed, enabled: !noEval)
        let reporter = TrainingReporter(json: false, showsProgress: false)
        let outcome = try PipelineWorker(opened, evaluation: evaluation).run(reference, hooks: reporter.hooks())
        if outcome != .completed { throw ExitCode(outcome.rawValue) }
    }
}
