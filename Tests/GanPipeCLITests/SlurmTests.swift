import Foundation
import GanStore
import GanTestSupport
import Testing

/// `ganpipe run --executor slurm` on a real Slurm: the cluster `scripts/start-test-slurm` starts
/// on this machine (slurmctld and three slurmd, partition `test`; `make test` starts it). A small
/// pipeline goes out as one job array, each task training into its own shard; one task is
/// preempted while it trains, checkpoints, requeues itself and resumes; the shards are merged;
/// and the merged results are bit-identical to the same pipeline run locally.
@Suite(.serialized) struct SlurmTests {
    /// A Slurm command's status and output (both streams).
    static func slurm(_ command: String, _ arguments: [String]) -> (status: Int32, output: String) {
        guard let outcome = try? GanPipeProcess.run([command] + arguments, executable: "/usr/bin/env") else { return (127, "cannot run \(command)") }
        return (outcome.status, outcome.standardOutput + outcome.standardError)
    }

    /// `ganpipe runs --json`'s cluster view of `run`.
    static func cluster(of run: String, in database: String) -> [String: Any]? {
        guard let output = try? GanPipeProcess.run(["runs", "--db", database, "--json"]).standardOutput,
              let runs = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] else { return nil }
        return runs.first { $0["name"] as? String == run }?["cluster"] as? [String: Any]
    }

    @Test func aSweepOnSlurmIsPreemptedRequeuedMergedAndMatchesTheLocalRun() throws {
        let sinfo = Self.slurm("sinfo", ["--noheader", "--partition=test", "--format=%T"])
        try #require(sinfo.status == 0 && sinfo.output.contains("idle"), "no Slurm cluster with an idle partition `test` here (\(sinfo.output)): start it with scripts/start-test-slurm (make test does)")
        let folder = TemporaryDirectory()
        let pipeline = try RunCommandTests.writePipeline(in: folder, steps: 16000, checkpointEvery: 500, evaluateEvery: 8000)
        let main = folder.file("main.sqlite"), local = folder.file("local.sqlite"), shards = folder.file("shards")
        let started = Date()
        let sweep = Process()
        sweep.executableURL = URL(fileURLWithPath: GanPipeProcess.executablePath)
        sweep.arguments = ["run", pipeline, "--db", main, "--executor", "slurm", "--partition", "test", "--shards", shards,
                           "--array-parallelism", "3", "--wait", "--json"]
        FileManager.default.createFile(atPath: folder.file("sweep.json"), contents: nil)
        FileManager.default.createFile(atPath: folder.file("sweep.log"), contents: nil)
        sweep.standardOutput = FileHandle(forWritingAtPath: folder.file("sweep.json"))
        sweep.standardError = FileHandle(forWritingAtPath: folder.file("sweep.log"))
        try sweep.run()
        defer { if sweep.isRunning { sweep.terminate() } }
        let target = "tiny/toy/wgan-gp/seed=1"

        // Preempt the task of one run once it has trained a while (its step is read from its
        // shard: the main database still says 0).
        var task: String?
        let training = waitUntil(timeout: .seconds(180), pollingEvery: .milliseconds(300)) {
            guard let view = Self.cluster(of: target, in: main), view["state"] as? String == "RUNNING",
                  let step = view["shard_step"] as? Int, step >= 2000 else { return false }
            task = view["task"] as? String
            return true
        }
        let sweepLog = { (try? String(contentsOfFile: folder.file("sweep.log"), encoding: .utf8)) ?? "" }
        try #require(training, "the run never trained on the cluster: \(sweepLog())")
        let preempted = try #require(task)
        let listing = try GanPipeProcess.run(["runs", "--db", main]).standardOutput
        #expect(listing.contains("slurm \(preempted) RUNNING") && listing.contains("(shard)"), "\(listing)")
        let signal = Self.slurm("scancel", ["--signal=TERM", "--batch", preempted])
        #expect(signal.status == 0, "\(signal.output)")

        #expect(waitUntil(timeout: .seconds(420), pollingEvery: .milliseconds(500)) { !sweep.isRunning }, "the sweep did not end: \(sweepLog())")
        let seconds = Date().timeIntervalSince(started)
        #expect(sweep.terminationStatus == 0, "\(sweepLog())")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file("sweep.json")))) as? [String: Any])
        let rows = summary["runs"] as? [[String: Any]] ?? []
        #expect(rows.count == 4 && rows.allSatisfy { $0["status"] as? String == "completed" }, "\(rows)")

        // The preempted task checkpointed, requeued itself and resumed from its shard.
        let jobId = String(preempted.prefix { $0 != "_" })
        let taskLog = (try? String(contentsOfFile: shards + "/logs/\(preempted).log", encoding: .utf8)) ?? ""
        #expect(taskLog.contains("checkpointed on a signal; requeueing \(preempted)"), "\(taskLog)")
        let events = try GanPipeProcess.run(["sql", "--db", main, "--format", "csv",
                                             "SELECT e.kind FROM events AS e JOIN runs AS r ON r.id = e.run_id WHERE r.name = '\(target)'"]).standardOutput
        #expect(events.contains("resumed"), "the merged run records its resume: \(events)")
        #expect(try GanPipeProcess.run(["runs", "--db", main]).standardOutput.contains("slurm \(jobId)_"))

        // Bit for bit what the local executor makes of the same pipeline.
        #expect(try GanPipeProcess.run(["run", pipeline, "--db", local, "--jobs", "2"]).status == 0)
        #expect(try RunCommandTests.results(main) == RunCommandTests.results(local))

        // Merging the shards again changes nothing; running the pipeline again submits nothing.
        let before = try DatabaseDump.digest(main)
        let shardFiles = try FileManager.default.contentsOfDirectory(atPath: shards).filter { $0.hasSuffix(".sqlite") }.map { shards + "/" + $0 }
        #expect(shardFiles.count == 4)
        let again = try GanPipeProcess.run(["merge"] + shardFiles + ["--db", main, "--json"])
        #expect(again.status == 0 && again.standardOutput.components(separatedBy: "\"outcome\":\"unchanged\"").count == 5, "\(again)")
        #expect(try DatabaseDump.digest(main) == before)
        let rerun = try GanPipeProcess.run(["run", pipeline, "--db", main, "--executor", "slurm", "--partition", "test", "--shards", shards])
        #expect(rerun.status == 0 && rerun.standardOutput.contains("nothing to submit"), "\(rerun)")
        print("slurm sweep: 4 runs of 16,000 steps, one preempted and requeued, \(String(format: "%.1f", seconds)) s from submission to merged summary")
    }

    /// What Slurm would refuse is refused before anything is written, in one line.
    @Test func optionsSlurmRefusesAreRefusedFirst() throws {
        let folder = TemporaryDirectory()
        let pipeline = try RunCommandTests.writePipeline(in: folder, steps: 16000, checkpointEvery: 500, evaluateEvery: 8000)
        let main = folder.file("main.sqlite")
        try expectRefused(["run", pipeline, "--db", main, "--executor", "slurm", "--partition", "nope"], in: folder,
                          mentioning: ["invalid partition specified: nope", "--partition"])
        try expectRefused(["run", pipeline, "--db", main, "--executor", "slurm", "--time-limit", "banana"], in: folder,
                          mentioning: ["Invalid --time specification", "--time-limit"])
        try expectRefused(["run", pipeline, "--db", main, "--executor", "slurm", "--cpus-per-task", "0"], in: folder, mentioning: ["--cpus-per-task must be"])
        try expectRefused(["run", pipeline, "--db", main, "--executor", "cloud"], in: folder, mentioning: ["executor"])
        #expect(!FileManager.default.fileExists(atPath: main))
    }
}
