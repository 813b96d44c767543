import Foundation
import GanStore
import GanTensor
import GanTestSupport
import GRDB
import Testing

/// `ganpipe train` and `ganpipe resume` as a user runs them, including a process killed with
/// SIGKILL at a random moment.
@Suite struct TrainCommandTests {
    static let small = ["--dataset", "8gaussians", "--batch-size", "64", "--generator-width", "32", "--discriminator-width", "32",
                        "--generator-depth", "2", "--discriminator-depth", "2"]

    static func databaseWithData(in folder: TemporaryDirectory) throws -> String {
        let path = folder.file("train.sqlite")
        let database = try GanDatabase.open(path: path)
        try TestDatasets.insertEightGaussians(into: database, count: 2048, testCount: 256)
        try database.close()
        return path
    }

    /// `databaseWithData` with a tiny trained run (2 gan steps, width 8) for each name.
    static func databaseWithRuns(_ names: [String], in folder: TemporaryDirectory) throws -> String {
        let path = try databaseWithData(in: folder)
        for name in names {
            let trained = try GanPipeProcess.run(["train", "--db", path, "--dataset", "8gaussians", "--objective", "gan", "--steps", "2",
                                                  "--generator-width", "8", "--discriminator-width", "8", "--name", name])
            #expect(trained.status == 0, "\(trained)")
        }
        return path
    }

    /// The run's last checkpoint (weights and optimizer state) and metric rows; `context` goes
    /// into every failure message.
    static func weightsAndMetrics(_ path: String, run: String, context: String) throws -> (blobs: [String: CheckpointBlob], metrics: [String]) {
        let database = try GanDatabase.open(path: path, access: .readOnly)
        defer { try? database.close() }
        let record = try RunStore(database).find(run)
        let checkpoint = try #require(try CheckpointStore(database).latestComplete(runId: record.id!), "\(run), \(context): no complete checkpoint")
        #expect(checkpoint.step == record.totalSteps, "\(run), \(context): last checkpoint at step \(checkpoint.step) of \(record.totalSteps)")
        let metrics = try RawDatabase(database).read {
            try String.fetchAll($0, sql: "SELECT key || '@' || step || '=' || quote(value) FROM metrics WHERE run_id = ? ORDER BY key, step",
                                arguments: [record.id])
        }
        return (try CheckpointStore(database).blobs(of: checkpoint).filter { $0.key != "state" }, metrics)
    }

    @Test func trainPrintsProgressAndAJSONResult() throws {
        let folder = TemporaryDirectory()
        let path = try Self.databaseWithData(in: folder)
        let outcome = try GanPipeProcess.run(["train", "--db", path, "--objective", "wgan-gp", "--steps", "20", "--json"] + Self.small)
        #expect(outcome.status == 0, "\(outcome)")
        let result = try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any]
        #expect(result?["status"] as? String == "completed")
        #expect(result?["run"] as? String == "wgan-gp-8gaussians-seed0")
        // Not a terminal: plain progress lines on standard error, one per tenth of the run.
        #expect(outcome.standardError.contains("step 20/20"))
        let show = try GanPipeProcess.run(["show", "wgan-gp-8gaussians-seed0", "--db", path])
        #expect(show.standardOutput.contains("status       completed"))
        #expect(show.standardOutput.contains("\"gradient_penalty_weight\":10"))
        #expect(show.standardOutput.contains("networks     G 2→"), "\(show.standardOutput)")
    }

    @Test func badTrainingInputsAreRefusedInOneLine() throws {
        let folder = TemporaryDirectory()
        let path = try Self.databaseWithData(in: folder)
        let before = try DatabaseDump.digest(path)
        let cases: [([String], String)] = [
            (["--dataset", "nope", "--objective", "gan", "--steps", "5"], "no dataset named 'nope'"),
            (["--dataset", "8gaussians", "--objective", "gan", "--steps", "0"], "--steps must be at least 1"),
            (["--dataset", "8gaussians", "--objective", "gan", "--steps", "5", "--batch-size", "0"], "--batch-size"),
            (["--dataset", "8gaussians", "--objective", "gan", "--steps", "5", "--activation", "swish"], "--activation 'swish' is unknown"),
            (["--dataset", "8gaussians", "--objective", "wgan", "--steps", "5", "--clip", "0"], "--clip must be > 0 for the wgan objective"),
            (["--dataset", "8gaussians", "--objective", "gan", "--steps", "5", "--learning-rate", "nan"], "--learning-rate"),
        ]
        for (arguments, message) in cases {
            let outcome = try GanPipeProcess.run(["train", "--db", path] + arguments)
            #expect(outcome.status == 1, "\(arguments): \(outcome)")
            #expect(outcome.stderrLines.count == 1 && outcome.standardError.contains(message), "\(arguments): \(outcome.standardError)")
        }
        #expect(try DatabaseDump.digest(path) == before)
        let unknown = try GanPipeProcess.run(["resume", "ghost", "--db", path])
        #expect(unknown.status == 1 && unknown.standardError.contains("no run named"))
    }

    /// N steps straight, and the same run killed with SIGKILL at random moments and resumed:
    /// byte-identical weights and optimizer state, identical metric rows, a healthy database.
    /// The moments come from `KillSeed`, named in every failure message for a replay.
    @Test func aRunKilledWithSIGKILLResumesBitForBit() throws {
        let seed = try KillSeed()
        let folder = TemporaryDirectory()
        let path = try Self.databaseWithData(in: folder)
        let common = ["--db", path, "--objective", "wgan-gp", "--steps", "600", "--checkpoint-every", "37", "--seed", "5"] + Self.small
        let started = Date()
        let straight = try GanPipeProcess.run(["train", "--name", "straight"] + common)
        #expect(straight.status == 0, "\(seed): \(straight)")
        // The kill lands within the first half of a run's duration on this machine, so a fast
        // CPU cannot finish the run before it.
        let window = UInt64(max(Date().timeIntervalSince(started), 0.02) * 500_000)
        let reference = try Self.weightsAndMetrics(path, run: "straight", context: "\(seed)")

        var generator = SplitMix64(seed: seed.value)
        for trial in 0..<2 {
            let name = "killed-\(trial)"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: GanPipeProcess.executablePath)
            process.arguments = ["train", "--name", name] + common
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Wait for the first commit past step 0, then a random moment more.
            let reader = try GanDatabase.open(path: path, access: .readOnly)
            let progressed = waitUntil(timeout: .seconds(60), pollingEvery: .milliseconds(5)) {
                ((try? RawDatabase(reader).read { try Int.fetchOne($0, sql: "SELECT current_step FROM runs WHERE name = ?", arguments: [name]) }) ?? nil ?? 0) > 0
            }
            if progressed { usleep(UInt32(generator.next() % window)) }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try #require(progressed, "trial \(trial), \(seed): no commit past step 0 within 60 s")
            #expect(process.terminationReason == .uncaughtSignal, "trial \(trial), \(seed): the run finished before it was killed")
            let state = try RawDatabase(reader).read { try Row.fetchOne($0, sql: "SELECT status, current_step FROM runs WHERE name = ?", arguments: [name]) }
            #expect(state?["status"] as String? == "running", "trial \(trial), \(seed): \(String(describing: state))")
            try reader.close()

            let resumed = try GanPipeProcess.run(["resume", name, "--db", path])
            #expect(resumed.status == 0, "trial \(trial), \(seed): \(resumed)")
            let copy = try Self.weightsAndMetrics(path, run: name, context: "trial \(trial), \(seed)")
            #expect(copy.blobs == reference.blobs, "trial \(trial), \(seed): weights differ after resume")
            #expect(copy.metrics == reference.metrics, "trial \(trial), \(seed): metric rows differ after resume")
        }
        let check = try GanPipeProcess.run(["db", "check", "--full", "--db", path])
        #expect(check.status == 0, "\(seed): \(check)")
    }
}
