import Foundation
import GanStore
import GanTensor
import GanTestSupport
import GRDB
import Testing

/// `ganpipe run` as a nightly job uses it: idempotent, concurrent, and killed at random moments.
@Suite struct RunCommandTests {
    static func writePipeline(in folder: TemporaryDirectory, steps: Int = 40, gateMaximum: Double = 1000,
                              checkpointEvery: Int = 10, evaluateEvery: Int = 20) throws -> String {
        let path = folder.file("tiny.yaml")
        try """
            pipeline: tiny
            datasets:
              toy: {generate: 8gaussians, samples: 3000, seed: 1}
            train: {steps: \(steps), batch_size: 32, generator_width: 16, discriminator_width: 16, generator_depth: 2,
                    discriminator_depth: 2, checkpoint_every: \(checkpointEvery)}
            matrix:
              dataset: [toy]
              objective: [nsgan, wgan-gp]
              seed: [1, 2]
            evaluate: {every: \(evaluateEvery), samples: 300}
            gates:
              - {name: bounded loss, metric: loss/discriminator, max: \(gateMaximum)}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Everything a run produced, for comparing two databases: final weights, metric rows,
    /// evaluation rows. `context` goes into the failure message.
    static func results(_ path: String, context: String = "") throws -> [String: String] {
        let database = try GanDatabase.open(path: path, access: .readOnly)
        defer { try? database.close() }
        var results: [String: String] = [:]
        for run in try RunStore(database).list() {
            let checkpoint = try #require(try CheckpointStore(database).latestComplete(runId: run.id!),
                                          "run \(run.name) has no complete checkpoint \(context)")
            let blobs = try CheckpointStore(database).blobs(of: checkpoint).filter { $0.key != "state" }
            let weights = blobs.keys.sorted().map { SHA256.hex(blobs[$0]!.data) }.joined(separator: ",")
            let rows = try RawDatabase(database).read { db in
                try String.fetchAll(db, sql: "SELECT key || step || quote(value) FROM metrics WHERE run_id = ? ORDER BY key, step", arguments: [run.id])
                    + String.fetchAll(db, sql: "SELECT metric || step || quote(value) FROM evaluations WHERE run_id = ? ORDER BY metric, step", arguments: [run.id])
            }
            results[run.name] = "\(run.status.rawValue) \(checkpoint.step) \(weights) \(SHA256.hex(rows.joined(separator: "\n")))"
        }
        return results
    }

    static func trainerAttempts(_ path: String) throws -> [Int] {
        let database = try GanDatabase.open(path: path, access: .readOnly)
        defer { try? database.close() }
        return try RawDatabase(database).read { try Int.fetchAll($0, sql: "SELECT attempts FROM stages WHERE stage = 'trainer' ORDER BY run_id") }
    }

    @Test func runningTwiceIsIdempotentAndAChangedConfigurationIsRefused() throws {
        let folder = TemporaryDirectory()
        let pipeline = try Self.writePipeline(in: folder)
        let database = folder.file("p.sqlite")
        let first = try GanPipeProcess.run(["run", pipeline, "--db", database, "--json"])
        #expect(first.status == 0, "\(first)")
        let summary = try JSONSerialization.jsonObject(with: Data(first.standardOutput.utf8)) as? [String: Any]
        #expect((summary?["runs"] as? [[String: Any]])?.count == 4)
        #expect((summary?["gates"] as? [[String: Any]])?.allSatisfy { $0["passed"] as? Bool == true } == true)
        let before = try Self.results(database)
        #expect(before.values.allSatisfy { $0.hasPrefix("completed 40 ") })

        let again = try GanPipeProcess.run(["run", pipeline, "--db", database])
        #expect(again.status == 0)
        #expect(try Self.results(database) == before)
        #expect(try Self.trainerAttempts(database) == [1, 1, 1, 1])
        let plan = try GanPipeProcess.run(["run", pipeline, "--db", database, "--dry-run", "--json"])
        #expect(plan.standardOutput.components(separatedBy: "\"skip\"").count == 5)

        _ = try Self.writePipeline(in: folder, steps: 50)
        let changed = try GanPipeProcess.run(["run", pipeline, "--db", database])
        #expect(changed.status == 1 && changed.stderrLines.count == 1, "\(changed)")
        #expect(changed.standardError.contains("exists with another configuration"))
        #expect(try Self.results(database) == before)
    }

    @Test func aFailedGateExitsTwo() throws {
        let folder = TemporaryDirectory()
        let pipeline = try Self.writePipeline(in: folder, gateMaximum: -1000)
        let outcome = try GanPipeProcess.run(["run", pipeline, "--db", folder.file("p.sqlite")])
        #expect(outcome.status == 2, "\(outcome)")
        #expect(outcome.standardOutput.contains("FAIL"))
    }

    /// Two `ganpipe run` processes on the same file and database at the same time, two jobs
    /// each: every run is trained exactly once, nothing reports a locked database.
    @Test func twoProcessesNeverTrainTheSameRunTwice() throws {
        let folder = TemporaryDirectory()
        let pipeline = try Self.writePipeline(in: folder, steps: 80)
        let database = folder.file("p.sqlite")
        _ = try GanPipeProcess.run(["db", "init", "--db", database])
        let outcomes = UnsafeSendableList()
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread {
                let outcome = try? GanPipeProcess.run(["run", pipeline, "--db", database, "--jobs", "2"])
                outcomes.append(outcome)
                group.leave()
            }.start()
        }
        group.wait()
        for outcome in outcomes.items {
            let outcome = try #require(outcome)
            #expect(outcome.status == 0, "\(outcome)")
            #expect(!outcome.standardError.contains("locked"), "\(outcome.standardError)")
        }
        #expect(try Self.trainerAttempts(database) == [1, 1, 1, 1])
        let reference = folder.file("reference.sqlite")
        _ = try GanPipeProcess.run(["run", pipeline, "--db", reference])
        #expect(try Self.results(database) == Self.results(reference))
    }

    /// The whole pipeline — parent and workers — killed with SIGKILL at random moments, then
    /// started again: the same results as an uninterrupted run, and a healthy database. The
    /// moments come from `KillSeed`, named in every failure message for a replay.
    @Test func killedAtRandomMomentsItFinishesWithTheSameResults() throws {
        let seed = try KillSeed()
        let folder = TemporaryDirectory()
        let pipeline = try Self.writePipeline(in: folder, steps: 300)
        let reference = folder.file("reference.sqlite")
        let straight = try GanPipeProcess.run(["run", pipeline, "--db", reference, "--jobs", "2"])
        #expect(straight.status == 0, "\(seed): \(straight)")
        let expected = try Self.results(reference, context: "(\(seed))")

        let database = folder.file("killed.sqlite")
        var random = SplitMix64(seed: seed.value)
        for _ in 0..<3 {
            // setsid puts the pipeline and its workers in a process group of their own.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            process.arguments = [GanPipeProcess.executablePath, "run", pipeline, "--db", database, "--jobs", "2"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(200_000 + random.next() % 1_200_000))
            kill(-process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let finish = try GanPipeProcess.run(["run", pipeline, "--db", database, "--jobs", "2"])
        #expect(finish.status == 0, "\(seed): \(finish)")
        #expect(try Self.results(database, context: "(\(seed))") == expected, "\(seed)")
        let check = try GanPipeProcess.run(["db", "check", "--full", "--db", database])
        #expect(check.status == 0, "\(seed): \(check)")
    }

    @Test func pipelineMistakesNameFileLineAndKey() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("bad.yaml")
        try "pipeline: bad\nmatrix:\n  dataset: [toy]\n  objective: [gan]\ntrain:\n  stepz: 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try GanPipeProcess.run(["run", path, "--db", folder.file("p.sqlite")])
        #expect(outcome.status == 1 && outcome.stderrLines.count == 1)
        #expect(outcome.standardError.contains("bad.yaml:6: train.stepz: unknown training setting"), "\(outcome.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("p.sqlite")), "nothing ran, nothing was created")
        let missing = try GanPipeProcess.run(["run", folder.file("nope.yaml")])
        #expect(missing.status == 1 && missing.standardError.contains("no such pipeline file"))
    }
}

/// Outcomes collected from several threads.
final class UnsafeSendableList: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var items: [GanPipeProcess.Outcome?] = []
    func append(_ item: GanPipeProcess.Outcome?) { lock.withLock { items.append(item) } }
}
