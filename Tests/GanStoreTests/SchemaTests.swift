import Foundation
import GanStore
import GanTestSupport
import GRDB
import Testing

@Suite struct SchemaTests {
    /// A database in `folder` with one dataset, one run and a few rows in every table that hangs
    /// off it, written through the stores where a store writes that table and by SQL where only
    /// the trainer does (metrics, events: the trainer's journal would also move the run on).
    static func populated(in folder: TemporaryDirectory) throws -> (GanDatabase, RunRecord) {
        let database = try GanDatabase.open(path: folder.file("populated.sqlite"))
        let dataset = try DatasetStore(database).insert(
            DatasetRecord(name: "8gaussians", kind: .synthetic, source: "8gaussians", contentSha256: "00",
                          sampleCount: 10, trainCount: 8, testCount: 2, seed: 1),
            arrays: [(DatasetArrayRecord(datasetId: 0, name: "samples", elementType: "float32", shapeJson: "[10,2]", scale: 1, offset: 0,
                                         byteCount: 80, sha256: SHA256.hex([UInt8](repeating: 0, count: 80))),
                      [DatasetPartRecord(arrayId: 0, partIndex: 0, data: Data(count: 80))])],
            allowDuplicate: false)
        let run = try RunStore(database).insert(RunRecord(name: "wgan-gp-seed1", objective: "wgan-gp", datasetId: dataset.id, seed: 1,
                                                          configJson: #"{"objective":"wgan-gp","steps":3}"#, totalSteps: 3))
        try CheckpointStore(database).write([CheckpointBlob(name: "generator/layers.0.weight", elementType: "float32", shape: [1],
                                                            data: Data(count: 4))], runId: run.id!, step: 2)
        try RawDatabase(database).write { db in
            for step in 0..<3 {
                try db.execute(sql: "INSERT INTO metrics (run_id, key, step, value) VALUES (?, 'loss/discriminator', ?, ?)",
                               arguments: [run.id, step, Double(step) * 0.5])
                try db.execute(sql: "INSERT INTO metrics (run_id, key, step, value) VALUES (?, 'loss/generator', ?, ?)",
                               arguments: [run.id, step, -Double(step)])
            }
            try db.execute(sql: "INSERT INTO events (run_id, step, kind, severity, message, created_at) VALUES (?, 1, 'vanishing', 'warning', ?, ?)",
                           arguments: [run.id, "layers.2.weight below 1e-8", Timestamp.now()])
            try db.execute(sql: "INSERT INTO step_times (run_id, step, elapsed_seconds) VALUES (?, 1, 0.25), (?, 2, 0.5)", arguments: [run.id, run.id])
        }
        try EvaluationRecordStore(database).write([EvaluationRecord(runId: run.id!, step: 2, metric: "modes_covered", value: 8,
                                                                    sampleCount: 2500, seed: 0)])
        let stages = StageStore(database)
        try stages.start(.trainer, of: run.id!)
        try stages.finish(.trainer, of: run.id!, status: .completed)
        return (database, run)
    }

    /// Every record type maps to its table's columns: what a store wrote, a store reads back.
    /// A dataset's sample shape: the stored array's axes (IDX/NPY images), else the metadata's
    /// `sample_shape` when it accounts for every feature (CSV), else none.
    @Test func theSampleShapeComesFromTheArrayOrTheMetadata() throws {
        let folder = TemporaryDirectory()
        let database = try GanDatabase.open(path: folder.file("shapes.sqlite"))
        let values = [Float](repeating: 0.5, count: 2 * 12)
        let cases: [(shape: [Int], metadata: String, expected: [Int]?)] = [
            ([2, 3, 4], "{}", [3, 4]),
            ([2, 1, 3, 4], #"{"sample_shape":[12]}"#, [1, 3, 4]),
            ([2, 12], #"{"sample_shape":[3,4]}"#, [3, 4]),
            ([2, 12], #"{"sample_shape":[5,5]}"#, nil),
            ([2, 12], "{}", nil),
        ]
        let store = DatasetStore(database)
        for (index, item) in cases.enumerated() {
            let dataset = try TestDatasets.insert(values, shape: item.shape, into: database, name: "d\(index)", metadataJson: item.metadata)
            #expect(try store.sampleShape(of: dataset) == item.expected, "\(item)")
        }
    }

    @Test func recordsRoundTripThroughEveryTable() throws {
        let folder = TemporaryDirectory()
        let (database, run) = try Self.populated(in: folder)
        #expect(try RunStore(database).run(id: run.id!) == run)
        #expect(try RawDatabase(database).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM metrics") } == 6)
        let contents = try RunStore(database).contents(of: run, bucketsPerKey: 10)
        #expect(contents.events.first?.severity == .warning)
        #expect(try EvaluationRecordStore(database).evaluations(runId: run.id!).first?.sampleCount == 2500)
        #expect(try StageStore(database).stages(of: run.id!)[.trainer]?.stage == .trainer)
        let checkpoint = try #require(try CheckpointStore(database).latestComplete(runId: run.id!))
        #expect(checkpoint.complete == true)
        #expect(try CheckpointStore(database).blobs(of: checkpoint).keys.sorted() == ["generator/layers.0.weight"])
        let dataset = try #require(contents.dataset)
        #expect(try DatasetStore(database).arrays(of: dataset).first?.shapeJson == "[10,2]")
        #expect(try DatasetStore(database).array("samples", of: dataset)?.bytes.count == 80)
    }

    @Test func statusAndSeverityChecksRejectUnknownValues() throws {
        let folder = TemporaryDirectory()
        let (database, run) = try Self.populated(in: folder)
        let raw = RawDatabase(database)
        #expect(throws: DatabaseError.self) {
            try raw.write { try $0.execute(sql: "UPDATE runs SET status = 'paused' WHERE id = ?", arguments: [run.id]) }
        }
        #expect(throws: DatabaseError.self) {
            try raw.write {
                try $0.execute(sql: "INSERT INTO events (run_id, kind, severity, message, created_at) VALUES (?, 'x', 'fatal', 'm', 't')", arguments: [run.id])
            }
        }
        #expect(throws: DatabaseError.self) {
            try raw.write { try $0.execute(sql: "UPDATE runs SET config_json = 'not json' WHERE id = ?", arguments: [run.id]) }
        }
    }

    /// The trainer's write path: rows bound straight into SQLite, a row at an existing
    /// (run, key, step) replaced, a non-finite value stored as NULL, a bad row refused whole.
    @Test func journalWritesReplacesAndRefusesMetricRows() throws {
        let folder = TemporaryDirectory()
        let (database, run) = try Self.populated(in: folder)
        let raw = RawDatabase(database)
        let journal = RunJournal(database, runId: run.id!)
        try journal.commit(metrics: [.init(key: "loss/discriminator", step: 1, value: 7.25),
                                     .init(key: "penalty", step: 5, value: .nan),
                                     .init(key: "grad_norm/discriminator/layers.0.weight", step: 5, value: 1e-30)],
                           events: [], currentStep: 5)
        let rows = try raw.read {
            try Row.fetchAll($0, sql: "SELECT key, step, value FROM metrics WHERE run_id = ? ORDER BY key, step", arguments: [run.id!])
        }
        let text = rows.map { "\($0[0] as String)@\($0[1] as Int)=\(($0[2] as Double?).map { "\($0)" } ?? "NULL")" }
        #expect(text == ["grad_norm/discriminator/layers.0.weight@5=1e-30", "loss/discriminator@0=0.0", "loss/discriminator@1=7.25",
                         "loss/discriminator@2=1.0", "loss/generator@0=0.0", "loss/generator@1=-1.0", "loss/generator@2=-2.0", "penalty@5=NULL"])
        let count = { try raw.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM metrics") } }
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
        let folder = TemporaryDirectory()
        let (database, run) = try Self.populated(in: folder)  // a complete checkpoint at step 2 of 3
        let raw = RawDatabase(database)
        let journal = RunJournal(database, runId: run.id!)
        let event = RunJournal.Event(step: 2, kind: "resumed", severity: .info, message: "resumed")
        func refusedAsChanged(_ body: () throws -> Void) {
            do { try body(); Issue.record("accepted") } catch StoreError.runChangedMeanwhile(let name) {
                #expect(name == run.name)
            } catch { Issue.record("\(error)") }
        }
        refusedAsChanged { try journal.claim(totalSteps: 3, machineJson: "{}") }
        try raw.write { try $0.execute(sql: "UPDATE runs SET status = 'completed' WHERE id = ?", arguments: [run.id!]) }
        refusedAsChanged { try journal.rewind(to: 2, totalSteps: 3, machineJson: "{}", events: [event]) }
        #expect(try raw.read { try String.fetchOne($0, sql: "SELECT status FROM runs") } == "completed")
        try journal.rewind(to: 2, totalSteps: 5, machineJson: "{}", events: [event])  // more steps: a real continuation
        #expect(try raw.read { try String.fetchOne($0, sql: "SELECT status FROM runs") } == "running")
    }

    @Test func metricsAreKeyedByRunKeyAndStep() throws {
        let folder = TemporaryDirectory()
        let (database, run) = try Self.populated(in: folder)
        let raw = RawDatabase(database)
        try raw.write { (db: Database) throws in
            // A replayed step overwrites, never duplicates.
            try db.execute(sql: "INSERT OR REPLACE INTO metrics (run_id, key, step, value) VALUES (?, 'loss/generator', 1, 42)", arguments: [run.id])
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO metrics (run_id, key, step, value) VALUES (?, 'loss/generator', 1, 7)", arguments: [run.id])
            }
        }
        let values = try raw.read { try Double.fetchAll($0, sql: "SELECT value FROM metrics WHERE key = 'loss/generator' ORDER BY step") }
        #expect(values == [0, 42, -2])
    }

    @Test func deletingARunCascadesAndADeletedDatasetLeavesItsRuns() throws {
        let folder = TemporaryDirectory()
        let (database, run) = try Self.populated(in: folder)
        let raw = RawDatabase(database)
        try raw.write { (db: Database) throws in
            try db.execute(sql: "DELETE FROM datasets")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM dataset_parts") == 0)
        }
        let kept = try #require(try RunStore(database).run(id: run.id!))
        #expect(kept.datasetId == nil)
        try raw.write { (db: Database) throws in
            try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [run.id])
            #expect(db.changesCount == 1)
            for table in ["metrics", "events", "evaluations", "stages", "checkpoints", "checkpoint_parts"] {
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") == 0, "\(table) kept rows of a deleted run")
            }
        }
    }

    @Test func aMetricForAnUnknownRunIsRefused() throws {
        let folder = TemporaryDirectory()
        let database = try GanDatabase.open(path: folder.file("empty.sqlite"))
        #expect(throws: DatabaseError.self) {
            try RawDatabase(database).write { try $0.execute(sql: "INSERT INTO metrics (run_id, key, step, value) VALUES (999, 'k', 0, 1)") }
        }
    }

    @Test func latestMetricsViewHoldsTheLastStepOfEachKey() throws {
        let folder = TemporaryDirectory()
        let (database, _) = try Self.populated(in: folder)
        let rows = try RawDatabase(database).read { try Row.fetchAll($0, sql: "SELECT key, step, value FROM latest_metrics ORDER BY key") }
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
