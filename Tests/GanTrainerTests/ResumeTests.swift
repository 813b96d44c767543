import Foundation
import GanSchema
import GanStore
import GanTestSupport
import GanTrainer
import GRDB
import Testing

@Suite struct ResumeTests {
    static func finalBlobs(_ database: GanDatabase, run: String) throws -> [String: CheckpointBlob] {
        let record = try RunStore(database).find(run)
        let checkpoint = try #require(try CheckpointStore(database).latestComplete(runId: record.id!))
        var blobs = try CheckpointStore(database).blobs(of: checkpoint)
        blobs["state"] = nil  // holds nothing run-specific but is compared through the weights
        return blobs
    }

    static func metricRows(_ database: GanDatabase, run: String) throws -> [String] {
        try RawDatabase(database).read {
            try String.fetchAll($0, sql: """
                SELECT key || '@' || step || '=' || quote(value) FROM metrics JOIN runs ON runs.id = run_id
                WHERE runs.name = ? ORDER BY key, step
                """, arguments: [run])
        }
    }

    /// Straight to N against stopped at k and resumed to N: byte-identical weights, optimizer
    /// moments and metric rows.
    @Test(arguments: [Objective.wganGP, .wgan, .gan])
    func stoppedAndResumedEqualsStraight(objective: Objective) throws {
        let folder = TemporaryDirectory()
        let database = try TrainingTests.database(in: folder)
        let specification = TrainingTests.small(objective, steps: 13)
        _ = try TrainerStage(database).train(name: "straight", specification: specification)
        var calls = 0
        let stopped = try TrainerStage(database).train(name: "resumed", specification: specification, hooks: .init(shouldStop: {
            calls += 1
            return calls > 7
        }))
        #expect(stopped.status == .interrupted && stopped.step == 7)
        #expect(try RunStore(database).find("resumed").status == .interrupted)
        let resumed = try TrainerStage(database).resume("resumed")
        #expect(resumed.status == .completed && resumed.step == 13 && resumed.startedAtStep == 7)
        #expect(try Self.finalBlobs(database, run: "straight") == Self.finalBlobs(database, run: "resumed"))
        #expect(try Self.metricRows(database, run: "straight") == Self.metricRows(database, run: "resumed"))
    }

    /// A crash after the checkpoint at 5 left metric rows for steps 6–8: resume removes and
    /// replays them.
    @Test func metricRowsPastTheCheckpointAreReplacedNotDuplicated() throws {
        let folder = TemporaryDirectory()
        let database = try TrainingTests.database(in: folder)
        let specification = TrainingTests.small(.wganGP, steps: 10)
        _ = try TrainerStage(database).train(name: "straight", specification: specification)
        var crashed = specification
        crashed.steps = 8
        _ = try TrainerStage(database).train(name: "crashed", specification: crashed)
        // Make it look like the process died at step 8 with its last checkpoint at 5.
        try RawDatabase(database).write { db in
            let crashedID = "(SELECT id FROM runs WHERE name = 'crashed')"
            try db.execute(sql: "DELETE FROM checkpoints WHERE step = 8 AND run_id = \(crashedID)")
            try db.execute(sql: "UPDATE metrics SET value = 999 WHERE step > 5 AND run_id = \(crashedID)")
            try db.execute(sql: "UPDATE runs SET status = 'running', owner = 'elsewhere:1', heartbeat_at = '2020-01-01T00:00:00.000Z' WHERE name = 'crashed'")
        }
        let result = try TrainerStage(database).resume("crashed", steps: 10)
        #expect(result.startedAtStep == 5 && result.status == .completed)
        let straightRows = try Self.metricRows(database, run: "straight"), crashedRows = try Self.metricRows(database, run: "crashed")
        #expect(straightRows == crashedRows, "differing rows: \(Set(straightRows).symmetricDifference(crashedRows).sorted().prefix(4))")
        #expect(try Self.finalBlobs(database, run: "straight") == Self.finalBlobs(database, run: "crashed"))
        let resumedEvents = try RawDatabase(database).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events WHERE kind = 'resumed'") }
        #expect(resumedEvents == 1)
    }

    /// The run's clock: one `step_times` row per recorded step, increasing, continued across a
    /// resume from the time at the checkpoint (the crashed session's later rows replaced), and
    /// kept out of the metric rows a resumed run reproduces.
    @Test func wallClockTimeIsRecordedPerStepAndContinuesAcrossAResume() throws {
        let folder = TemporaryDirectory()
        let database = try TrainingTests.database(in: folder)
        var specification = TrainingTests.small(.wganGP, steps: 10)
        specification.checkpointEvery = 5
        specification.steps = 8
        _ = try TrainerStage(database).train(name: "clock", specification: specification)
        func times() throws -> [(Int, Double)] {
            try RawDatabase(database).read {
                try Row.fetchAll($0, sql: "SELECT step, elapsed_seconds FROM step_times WHERE run_id = (SELECT id FROM runs WHERE name = 'clock') ORDER BY step")
                    .map { ($0[0], $0[1]) }
            }
        }
        #expect(try times().map(\.0) == Array(1...8))
        // The process died at step 8 with its last checkpoint at 5; the time at step 5 was 100 s.
        try RawDatabase(database).write { db in
            let id = "(SELECT id FROM runs WHERE name = 'clock')"
            try db.execute(sql: "DELETE FROM checkpoints WHERE step = 8 AND run_id = \(id)")
            try db.execute(sql: "UPDATE step_times SET elapsed_seconds = 100 WHERE step = 5 AND run_id = \(id)")
            try db.execute(sql: "UPDATE step_times SET elapsed_seconds = 5000 WHERE step > 5 AND run_id = \(id)")
            try db.execute(sql: "UPDATE runs SET status = 'running', owner = 'elsewhere:1', heartbeat_at = '2020-01-01T00:00:00.000Z' WHERE name = 'clock'")
        }
        _ = try TrainerStage(database).resume("clock", steps: 10)
        let after = try times()
        #expect(after.map(\.0) == Array(1...10))
        #expect(after[5...].allSatisfy { $0.1 > 100 && $0.1 < 1000 }, "\(after)")
        #expect(zip(after[5...], after[6...]).allSatisfy { $0.1 <= $1.1 })
        #expect(try !Self.metricRows(database, run: "clock").contains { $0.hasPrefix("time") })
    }

    @Test func resumeRefusesCompletedActiveUnknownAndCorrupt() throws {
        let folder = TemporaryDirectory()
        let database = try TrainingTests.database(in: folder)
        _ = try TrainerStage(database).train(name: "done", specification: TrainingTests.small(.nsgan, steps: 6))
        #expect(throws: TrainerError.runCompleted(name: "done", steps: 6)) { try TrainerStage(database).resume("done") }
        // Extending a completed run is allowed.
        let extended = try TrainerStage(database).resume("done", steps: 8)
        #expect(extended.step == 8 && extended.startedAtStep == 6)

        try RawDatabase(database).write { db in
            try db.execute(sql: "UPDATE runs SET status = 'running', owner = ?, heartbeat_at = ? WHERE name = 'done'",
                           arguments: ["\(ProcessInfo.processInfo.hostName):1", Timestamp.now()])
        }
        // pid 1 is alive on every machine: the run is held by a live process.
        #expect(throws: StoreError.self) { try TrainerStage(database).resume("done", steps: 9) }
        do {
            _ = try TrainerStage(database).resume("done", steps: 9)
        } catch let error as StoreError {
            guard case .runBusy(let name, _, _) = error, name == "done" else { Issue.record("expected runBusy, got \(error)"); return }
        }
        #expect(throws: StoreError.unknownRun("ghost")) { try TrainerStage(database).resume("ghost") }

        try RawDatabase(database).write { db in
            try db.execute(sql: "UPDATE runs SET status = 'interrupted', owner = NULL WHERE name = 'done'")
            try db.execute(sql: "UPDATE checkpoint_parts SET data = zeroblob(length(data)) WHERE name = 'generator/layers.0.weight'")
        }
        #expect(throws: StoreError.self) { try TrainerStage(database).resume("done", steps: 9) }
        let status = try RunStore(database).find("done").status
        #expect(status == .interrupted, "a refused resume changes nothing")
    }
}
