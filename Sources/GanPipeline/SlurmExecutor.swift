import Foundation
import GanStore

/// `ganpipe run PIPELINE --executor slurm`: the runs a pipeline still needs, submitted as one
/// Slurm job array. Each array task trains and evaluates its run into a database shard of its
/// own (`SHARDS/run-ID.sqlite`, seeded from the main database with the run and its dataset);
/// the main database is only read and written here, on the machine that submits, never by the
/// tasks. Tasks get SIGTERM `graceSeconds` before their time limit (`--signal`), checkpoint, and
/// requeue themselves; the requeued task resumes from its shard. Shards come back through
/// `RunTransfer` — at the next `ganpipe run` of the pipeline, with `ganpipe merge`, or at the
/// end of `--wait`.
public struct SlurmExecutor {
    public struct Options: Sendable {
        public var shards: String
        public var partition: String?
        /// Slurm's `--time` (e.g. `2:00:00`).
        public var timeLimit: String?
        public var cpusPerTask = 1
        /// At most this many tasks at once (`--array=0-N%K`); nil: no limit.
        public var parallelism: Int?
        public var extraArguments: [String] = []
        /// Seconds between the warning signal and the time limit.
        public var graceSeconds = 120
        /// The ganpipe binary the tasks run (on a cluster: on a filesystem every node sees).
        public var executable: String

        public init(shards: String, executable: String) {
            self.shards = shards
            self.executable = executable
        }
    }

    public let runner: PipelineRunner
    public let options: Options
    public var log: (String) -> Void { runner.log }

    public init(runner: PipelineRunner, options: Options) {
        self.runner = runner
        self.options = options
    }

    var database: GanDatabase { runner.database }

    /// Throws when Slurm would refuse `options` (a partition it does not have, a malformed
    /// time), asking `sbatch --test-only`: commands call it before they open the database.
    public static func check(_ options: Options, pipeline: String, runs: Int) throws {
        try Slurm.check(arguments: arguments(options, pipeline: pipeline, count: max(runs, 1), folder: options.shards))
    }

    /// Merges back the finished tasks, then submits every run that still needs work and is not
    /// on the cluster. Returns the array's job id, or nil when nothing was submitted.
    public func submit() throws -> String? {
        try runner.preflight()
        try runner.prepareDatasets()
        _ = try runner.plan(register: true)
        let (running, ended, _) = try queue()
        try merge(ended)
        let active = Set(running.map(\.run))
        let pending = try runner.plan(register: true).filter { entry in
            entry.action != .skip && entry.action != .giveUp && entry.action != .wait && !active.contains(entry.run.name)
        }.map(\.run)
        for name in active.sorted() { log("\(name): on the cluster") }
        guard !pending.isEmpty else { return nil }
        let folder = URL(fileURLWithPath: options.shards).standardizedFileURL.path
        do {
            try FileManager.default.createDirectory(atPath: folder + "/logs", withIntermediateDirectories: true)
        } catch {
            throw PipelineError(file: runner.pipeline.file, line: nil, key: nil, message: "cannot create the shard folder \(folder); pass another --shards")
        }
        var tasks: [(runId: Int64, arrayIndex: Int, shard: String)] = []
        for (index, planned) in pending.enumerated() {
            let run = try RunStore(database).find(planned.name)
            let shard = folder + "/run-\(run.id!).sqlite"
            // The shard gets the run as the main database has it (and its dataset); a shard that
            // is further along (a task that ran before) keeps its own state.
            let opened = try GanDatabase.open(path: shard, access: .readWrite)
            let outcome = try RunTransfer(into: opened).merge(from: database.path, runs: [planned.name])
            try opened.close()
            log("\(planned.name): shard \(shard) (\(outcome.first?.outcome.rawValue ?? "?"))")
            tasks.append((run.id!, index, shard))
        }
        let script = folder + "/\(Self.scriptName(runner.pipeline.name)).sh"
        try batchScript(runs: pending.map(\.name), shards: tasks.map(\.shard)).write(toFile: script, atomically: true, encoding: .utf8)
        let jobId = try Slurm.submit(arguments: Self.arguments(options, pipeline: runner.pipeline.name, count: pending.count, folder: folder) + [script])
        try ClusterTaskStore(database).record(jobId: jobId, tasks: tasks)
        log("submitted Slurm job array \(jobId): \(pending.count) task(s); shards and logs in \(folder)")
        return jobId
    }

    /// Waits until no task of this pipeline's runs is pending or running, merging each shard as
    /// its task ends; `shouldStop` ends the wait early (the tasks go on).
    public func wait(pollSeconds: Double = 5, shouldStop: () -> Bool = { false }) throws -> Bool {
        var lastProgress = Date.distantPast
        while true {
            // One squeue and one read of the tasks per poll, for the merge and the progress line.
            let (active, ended, states) = try queue()
            try merge(ended)
            if active.isEmpty { return true }
            if shouldStop() { return false }
            if Date().timeIntervalSince(lastProgress) >= runner.progressInterval {
                lastProgress = Date()
                log("progress: " + active.map { task in
                    "\(task.run) \(states[task.slurmId] ?? "?") step \(Self.step(in: task.shard, run: task.run).map(String.init) ?? "-")"
                }.joined(separator: ", "))
            }
            Thread.sleep(forTimeInterval: pollSeconds)
        }
    }

    /// Every run with its status and results, and the gates, as the local executor ends.
    public func summary(seconds: Double) throws -> PipelineSummary {
        try runner.summary(seconds: seconds)
    }

    /// The recorded tasks of this pipeline's runs, split into those Slurm still has pending,
    /// running or about to requeue and those that ended, with the state of each (by `JOB_INDEX`).
    func queue() throws -> (active: [ClusterTaskStore.Task], ended: [ClusterTaskStore.Task], states: [String: String]) {
        let names = Set(runner.runs.map(\.name))
        let tasks = try ClusterTaskStore(database).all().filter { names.contains($0.run) }
        let states = tasks.isEmpty ? [:] : try Slurm.states(jobIds: Set(tasks.map(\.jobId)))
        let active = { (task: ClusterTaskStore.Task) in states[task.slurmId].map(Slurm.isActive) ?? false }
        return (tasks.filter(active), tasks.filter { !active($0) }, states)
    }

    /// Merges the shards of `tasks` (whose tasks have ended) into the main database.
    func merge(_ tasks: [ClusterTaskStore.Task]) throws {
        for task in tasks where FileManager.default.fileExists(atPath: task.shard) {
            let outcome = try RunTransfer(into: database).merge(from: task.shard, runs: [task.run])
            guard let result = outcome.first?.outcome else { continue }
            if result == .copied || result == .updated { log("\(task.run): merged from \(task.shard) (\(result.rawValue))") }
            try ClusterTaskStore(database).noteMerge(of: task, outcome: result)
        }
    }

    /// The step a run has reached in its shard (read-only), or nil.
    public static func step(in shard: String, run: String) -> Int? {
        guard let opened = try? GanDatabase.open(path: shard, access: .readOnly) else { return nil }
        defer { try? opened.close() }
        return try? RunStore(opened).find(run).currentStep
    }

    static func arguments(_ options: Options, pipeline: String, count: Int, folder: String) -> [String] {
        var arguments = ["--parsable", "--job-name=ganpipe:\(pipeline)",
                         "--array=0-\(count - 1)" + (options.parallelism.map { "%\($0)" } ?? ""),
                         "--requeue", "--signal=B:TERM@\(options.graceSeconds)",
                         "--cpus-per-task=\(options.cpusPerTask)", "--output=\(folder)/logs/%A_%a.log", "--open-mode=append"]
        if let partition = options.partition { arguments.append("--partition=\(partition)") }
        if let time = options.timeLimit { arguments.append("--time=\(time)") }
        return arguments + options.extraArguments
    }

    /// The array task's script: it runs `ganpipe worker` on its run and shard, passes SIGTERM
    /// on (the worker checkpoints and exits 130), and then requeues itself. Its log is appended
    /// to, so a requeued task's log keeps the first attempt's lines.
    func batchScript(runs: [String], shards: [String]) -> String {
        let evaluation = runner.pipeline.evaluation
        var worker = [Self.quote(options.executable), "worker", "\"${runs[$i]}\"", "--db", "\"${shards[$i]}\"",
                      "--eval-samples", String(evaluation.samples), "--eval-seed", String(evaluation.seed)]
        if let every = evaluation.every { worker += ["--eval-every", String(every)] }
        if !evaluation.enabled { worker.append("--no-eval") }
        return """
            #!/bin/bash
            # Written by `ganpipe run --executor slurm` for pipeline \(runner.pipeline.name.replacingOccurrences(of: "\n", with: " ")).
            # Array task i trains runs[i] into shards[i]; the main database is never touched here.
            runs=(\(runs.map(Self.quote).joined(separator: " ")))
            shards=(\(shards.map(Self.quote).joined(separator: " ")))
            i=${SLURM_ARRAY_TASK_ID:?not a Slurm array task}
            unset GANPIPE_PIPELINE_PID
            tag="${SLURM_ARRAY_JOB_ID}_$i"
            # Slurm's warning before the time limit, or a preemption (`scancel --signal=TERM --batch`):
            # the worker checkpoints and exits 130, and the task requeues itself (unless the whole
            # task is being cancelled: then it is no longer RUNNING); the requeued task resumes
            # from its shard. `scontrol requeue` signals this shell again: ignored by then.
            on_term() {
              trap '' TERM INT
              kill -TERM "$child" 2>/dev/null
              wait "$child"; status=$?
              if [ "$status" -eq 130 ] && [ "$(squeue --noheader --jobs="$tag" --states=all --format=%T 2>/dev/null)" = RUNNING ]; then
                echo "ganpipe: ${runs[$i]} checkpointed on a signal; requeueing $tag"
                scontrol requeue "$tag"
                exit 0
              fi
              exit "$status"
            }
            \(worker.joined(separator: " ")) &
            child=$!
            trap on_term TERM INT
            wait "$child"; status=$?
            exit "$status"

            """
    }

    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    public static func scriptName(_ pipeline: String) -> String {
        "ganpipe-" + String(pipeline.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
}

/// The Slurm commands ganpipe calls: `sbatch` to submit, `squeue` for states.
public enum Slurm {
    /// States in which a task will still train (or is about to, after a requeue).
    public static func isActive(_ state: String) -> Bool {
        ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SUSPENDED", "STOPPED", "SIGNALING", "STAGE_OUT"].contains(state)
    }

    /// Runs `sbatch` and returns the job id it prints (`--parsable`: `ID` or `ID;CLUSTER`).
    static func submit(arguments: [String]) throws -> String {
        let (status, output, errors) = try run("sbatch", arguments)
        let id = output.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        guard status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw SlurmError("sbatch failed: \((errors.isEmpty ? output : errors).replacingOccurrences(of: "\n", with: " "))")
        }
        return id
    }

    /// Throws when `sbatch --test-only` refuses these options.
    static func check(arguments: [String]) throws {
        let (status, _, errors) = try run("sbatch", ["--test-only"] + arguments + ["--wrap", "true"])
        guard status == 0 else {
            let line = errors.split(separator: "\n").first { $0.contains("error:") } ?? Substring(errors)
            let reason = line.components(separatedBy: "error: ").last ?? String(line)
            throw SlurmError("Slurm refuses these options: \(reason); check --partition, --time-limit, --cpus-per-task and --sbatch-arg")
        }
    }

    /// The state of every task Slurm still knows of these arrays, by `JOB_INDEX`.
    public static func states(jobIds: Set<String>) throws -> [String: String] {
        guard !jobIds.isEmpty else { return [:] }
        let (status, output, errors) = try run("squeue", ["--noheader", "--array", "--jobs=" + jobIds.sorted().joined(separator: ","), "--format=%i %T"])
        // A job that left the queue entirely is reported as an invalid id: nothing is active.
        if status != 0 {
            if errors.contains("Invalid job id") { return [:] }
            throw SlurmError("squeue failed: \(errors.replacingOccurrences(of: "\n", with: " "))")
        }
        var states: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2 { states[String(fields[0])] = String(fields[1]) }
        }
        return states
    }

    static func run(_ command: String, _ arguments: [String]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw SlurmError("cannot run \(command): \(error.localizedDescription)")
        }
        let out = output.fileHandleForReading.readDataToEndOfFile(), err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 { throw SlurmError("\(command) is not installed here: run ganpipe where Slurm's commands are (or install slurm-client)") }
        return (process.terminationStatus, String(decoding: out, as: UTF8.self),
                String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

public struct SlurmError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
