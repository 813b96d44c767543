import Foundation
import GanStore
import GanTestSupport
import GRDB
import Testing

@Suite struct SchemaTests {
    /// A database with one dataset, one run and a few rows in every table that hangs off it.
    static func populated() throws -> (GanDatabase, RunRecord) {
        let database = try GanDatabase.inMemory()
        let run = try database.writer.write { db -> RunRecord in
            var dataset = DatasetRecord(name: "8gaussians", kind: .synthetic, source: "8gaussians", contentSha256: "00",
                                        sampleCount: 10, trainCount: 8, testCount: 2, seed: 1)
            try dataset.insert(db)
            var array = DatasetArrayRecord(datasetId: dataset.id!, name: "samples", elementType: "float32", shapeJson: "[10,2]",
                                           scale: 1, offset: 0, byteCount: 80, sha256: SHA256.hex([UInt8](repeating: 0, count: 80)))
            try array.insert(db)
            try DatasetPartRecord(arrayId: array.id!, partIndex: 0, data: Data(count: 80)).insert(db)
            var run = RunRecord(name: "wgan-gp-seed1", objective: "wgan-gp", datasetId: dataset.id, seed: 1,
                                configJson: #"{"objective":"wgan-gp","steps":3}"#, totalSteps: 3)
            try run.insert(db)
            var checkpoint = CheckpointRecord(runId: run.id!, step: 2, complete: true, byteCount: 4)
            try checkpoint.insert(db)
            try CheckpointPartRecord(checkpointId: checkpoint.id!, name: "generator/layers.0.weight", partIndex: 0,
                                     elementType: "float32", shapeJson: "[1]", data: Data(count: 4)).insert(db)
            for step in 0..<3 {
                try MetricRecord(runId: run.id!, key: "loss/discriminator", step: step, value: Double(step) * 0.5).insert(db)
                try MetricRecord(runId: run.id!, key: "loss/generator", step: step, value: -Double(step)).insert(db)
            }
            var event = EventRecord(runId: run.id!, step: 1, kind: "vanishing", severity: .warning, message: "layers.2.weight below 1e-8")
            try event.insert(db)
            var evaluation = EvaluationRecord(runId: run.id!, step: 2, metric: "modes_covered", value: 8, sampleCount: 2500, seed: 0)
            try evaluation.insert(db)
            var stage = StageRecord(runId: run.id!, stage: .trainer, status: .completed, attempts: 1)
            try stage.insert(db)
            return run
        }
        return (database, run)
    }

    @Test func recordsRoundTripThroughEveryTable() throws {
        let (database, run) = try Self.populated()
        try database.reader.read { (db: Database) throws in
            #expect(try RunRecord.fetchOne(db, key: run.id) == run)
            #expect(try MetricRecord.fetchCount(db) == 6)
            #expect(try EventRecord.fetchOne(db)?.severity == .warning)
            #expect(try EvaluationRecord.fetchOne(db)?.sampleCount == 2500)
            #expect(try StageRecord.fetchOne(db)?.stage == .trainer)
            #expect(try CheckpointRecord.fetchOne(db)?.complete == true)
            #expect(try CheckpointPartRecord.fetchOne(db)?.name == "generator/layers.0.weight")
            #expect(try DatasetArrayRecord.fetchOne(db)?.shapeJson == "[10,2]")
            #expect(try DatasetPartRecord.fetchOne(db)?.data.count == 80)
        }
    }

    @Test func statusAndSeverityChecksRejectUnknownValues() throws {
        let (database, run) = try Self.populated()
        #expect(throws: DatabaseError.self) {
            try database.writer.write { try $0.execute(sql: "UPDATE runs SET status = 'paused' WHERE id = ?", arguments: [run.id]) }
        }
        #expect(throws: DatabaseError.self) {
            try database.writer.write {
                try $0.execute(sql: "INSERT INTO events (run_id, kind, severity, message, created_at) VALUES (?, 'x', 'fatal', 'm', 't')", arguments: [run.id])
            }
        }
        #expect(throws: DatabaseError.self) {
            try database.writer.write { try $0.execute(sql: "UPDATE runs SET config_json = 'not json' WHERE id = ?", arguments: [run.id]) }
        }
    }

    /// The trainer's write path: rows bound straight into SQLite, a row at an existing
    /// (run, key, step) replaced, a non-finite value stored as NULL, a bad row refused whole.
    @Test func journalWritesReplacesAndRefusesMetricRows() throws {
        let (database, run) = try Self.populated()
        let journal = RunJournal(database, runId: run.id!)
        try journal.commit(metrics: [.init(key: "loss/discriminator", step: 1, value: 7.25),
                                     .init(key: "penalty", step: 5, value: .nan),
                                     .init(key: "grad_norm/discriminator/layers.0.weight", step: 5, value: 1e-30)],
                           events: [], currentStep: 5)
        let rows = try database.reader.read {
            try Row.fetchAll($0, sql: "SELECT key, step, value FROM metrics WHERE run_id = ? ORDER BY key, step", arguments: [run.id!])
        }
        let text = rows.map { "\($0[0] as String)@\($0[1] as Int)=\(($0[2] as Double?).map { "\($0)" } ?? "NULL")" }
        #expect(text == ["grad_norm/discriminator/layers.0.weight@5=1e-30", "loss/discriminator@0=0.0", "loss/discriminator@1=7.25",
                         "loss/discriminator@2=1.0", "loss/generator@0=0.0", "loss/generator@1=-1.0", "loss/generator@2=-2.0", "penalty@5=NULL"])
        let count = { try database.reader.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM metrics") } }
        let before = try count()
        let orphan = RunJournal(database, runId: 999)  // no such run: the foreign key refuses it
        let error = #expect(throws: StoreError.self) {
            try orphan.commit(metrics: [.init(key: "loss/generator", step: 9, value: 1)], events: [], currentStep: 9)
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("FOREIGN KEY constraint failed"))
        #expect(try count() == before)
    }

    /// A process that looked at a run before another one trained it cannot take it afterwards:
    /// not for a fresh start once a checkpoint exists, not to redo steps already completed.
    @Test func aRunTrainedMeanwhileIsNotTakenAgain() throws {
        let (database, run) = try Self.populated()  // a complete checkpoint at step 2 of 3
        let journal = RunJournal(database, runId: run.id!)
        let event = RunJournal.Event(step: 2, kind: "resumed", severity: .info, message: "resumed")
        func refusedAsChanged(_ body: () throws -> Void) {
            do { try body(); Issue.record("accepted") } catch StoreError.runChangedMeanwhile(let name) {
                #expect(name == run.name)
            } catch { Issue.record("\(error)") }
        }
        refusedAsChanged { try journal.claim(totalSteps: 3, machineJson: "{}") }
        try database.writer.write { try $0.execute(sql: "UPDATE runs SET status = 'completed' WHERE id = ?", arguments: [run.id!]) }
        refusedAsChanged { try journal.rewind(to: 2, totalSteps: 3, machineJson: "{}", events: [event]) }
        #expect(try database.reader.read { try String.fetchOne($0, sql: "SELECT status FROM runs") } == "completed")
        try journal.rewind(to: 2, totalSteps: 5, machineJson: "{}", events: [event])  // more steps: a real continuation
        #expect(try database.reader.read { try String.fetchOne($0, sql: "SELECT status FROM runs") } == "running")
    }

    @Test func metricsAreKeyedByRunKeyAndStep() throws {
        let (database, run) = try Self.populated()
        try database.writer.write { (db: Database) throws in
            // A replayed step overwrites, never duplicates.
            try MetricRecord(runId: run.id!, key: "loss/generator", step: 1, value: 42).insert(db, onConflict: .replace)
            #expect(throws: DatabaseError.self) { try MetricRecord(runId: run.id!, key: "loss/generator", step: 1, value: 7).insert(db) }
        }
        let values = try database.reader.read { try Double.fetchAll($0, sql: "SELECT value FROM metrics WHERE key = 'loss/generator' ORDER BY step") }
        #expect(values == [0, 42, -2])
    }

    @Test func deletingARunCascadesAndADeletedDatasetLeavesItsRuns() throws {
        let (database, run) = try Self.populated()
        try database.writer.write { (db: Database) throws in
            try db.execute(sql: "DELETE FROM datasets")
            #expect(try RunRecord.fetchOne(db, key: run.id)?.datasetId == nil)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM dataset_parts") == 0)
            _ = try RunRecord.deleteOne(db, key: run.id)
            for table in ["metrics", "events", "evaluations", "stages", "checkpoints", "checkpoint_parts"] {
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") == 0, "\(table) kept rows of a deleted run")
            }
        }
    }

    @Test func aMetricForAnUnknownRunIsRefused() throws {
        let database = try GanDatabase.inMemory()
        #expect(throws: DatabaseError.self) {
            try database.writer.write { try MetricRecord(runId: 999, key: "k", step: 0, value: 1).insert($0) }
        }
    }

    @Test func latestMetricsViewHoldsTheLastStepOfEachKey() throws {
        let (database, _) = try Self.populated()
        let rows = try database.reader.read { try Row.fetchAll($0, sql: "SELECT key, step, value FROM latest_metrics ORDER BY key") }
        #expect(rows.map { $0[0] as String } == ["loss/discriminator", "loss/generator"])
        #expect(rows.map { $0[1] as Int } == [2, 2])
    }

    /// Both block functions (the SHA extensions where the CPU has them, and the portable loop).
    @Test(arguments: [true, false]) func sha256MatchesPublishedVectors(hardware: Bool) {
        func hex(_ bytes: [UInt8]) -> String {
            var hasher = SHA256(hardware: hardware)
            hasher.update(bytes)
            return hasher.finalizeHex()
        }
        #expect(hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        var incremental = SHA256(hardware: hardware)
        for chunk in stride(from: 0, to: 1000, by: 7) { incremental.update(Array(repeating: UInt8(0x61), count: min(7, 1000 - chunk))) }
        #expect(incremental.finalizeHex() == hex([UInt8](repeating: 0x61, count: 1000)))
    }

    /// The SHA-extension path agrees with the portable loop on every length around the block
    /// and padding boundaries and on a multi-block buffer fed in uneven pieces.
    @Test func sha256HardwareAgreesWithPortableLoop() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<100_003).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in Array(0...260) + [1_000, 4_096, 65_537, 100_003] {
            var portable = SHA256(hardware: false), fast = SHA256()
            portable.update(bytes[0..<length])
            var start = 0
            while start < length {  // pieces of 1, 2, … 150 bytes, then the rest
                let end = min(length, start + 1 + (start % 150))
                fast.update(bytes[start..<end])
                start = end
            }
            #expect(fast.finalizeHex() == portable.finalizeHex(), "length \(length)")
        }
    }
}
