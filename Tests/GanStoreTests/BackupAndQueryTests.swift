import Foundation
import GanSchema
import GanStore
import GanTestSupport
import GRDB
import Testing

@Suite struct BackupAndQueryTests {
    @Test func backupWhileAnotherConnectionWritesIsConsistent() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("live.sqlite")
        let source = try GanDatabase.open(path: path)
        let run = try RunStore(source).insert(RunRecord(name: "live", objective: "wgan", datasetId: nil, seed: 0, configJson: "{}", totalSteps: 0))
        // A second pool plays the training process: one committed step per transaction (its
        // journal's), for 120 s at most, so that backups which never finish while it writes
        // fail the test.
        let writer = try GanDatabase.open(path: path)
        let stop = ManagedAtomicFlag()
        let outlived = ManagedAtomicFlag()
        let finished = DispatchSemaphore(value: 0)
        let journal = RunJournal(writer, runId: run.id!)
        Thread {
            let deadline = ContinuousClock.now + .seconds(120)
            var step = 0
            while !stop.isSet {
                guard ContinuousClock.now < deadline else { outlived.set(); break }
                try? journal.commit(metrics: [.init(key: "loss/discriminator", step: step, value: Double(step)),
                                              .init(key: "loss/generator", step: step, value: -Double(step))],
                                    events: [], currentStep: step)
                step += 1
            }
            finished.signal()
        }.start()
        defer {
            stop.set()
            if finished.wait(timeout: .now() + 60) == .timedOut { Issue.record("the writer thread did not stop within 60 s of being asked") }
            if outlived.isSet { Issue.record("the writer was still needed after 120 s: the backups did not finish while it wrote") }
        }
        let written = try waitUntil(timeout: .seconds(60)) {
            try RawDatabase(source).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM metrics") ?? 0 } >= 200
        }
        try #require(written, "the writer did not commit 200 metric rows within 60 s")

        for attempt in 0..<3 {
            let copyPath = folder.file("copy-\(attempt).sqlite")
            let report = try source.backup(to: copyPath)
            #expect(report.pageCount > 0)
            let copy = try GanDatabase.open(path: copyPath, access: .readOnly)
            #expect(try copy.check(full: true).isHealthy)
            try RawDatabase(copy).read { (db: Database) throws in
                // A snapshot taken between two commits: both keys have the same steps 0…n−1,
                // and the run's current step is the last one written.
                let counts = try Int.fetchAll(db, sql: "SELECT count(*) FROM metrics GROUP BY key ORDER BY key")
                let maxStep = try Int.fetchOne(db, sql: "SELECT max(step) FROM metrics") ?? -1
                let current = try Int.fetchOne(db, sql: "SELECT current_step FROM runs") ?? -2
                #expect(counts.count == 2 && counts[0] == counts[1])
                #expect(counts.first == maxStep + 1)
                #expect(current == maxStep)
            }
            try copy.close()
        }
        #expect(throws: StoreError.destinationExists(path: folder.file("copy-0.sqlite"))) {
            try source.backup(to: folder.file("copy-0.sqlite"))
        }
        _ = try source.backup(to: folder.file("copy-0.sqlite"), overwrite: true)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".partial-") }
        #expect(leftovers.isEmpty)
    }

    /// A backup killed mid-copy leaves `DEST.partial-PID`; the next backup to the same
    /// destination removes it (its process is gone), and keeps one of a live process.
    @Test func theNextBackupRemovesWhatAKilledOneLeft() throws {
        let folder = TemporaryDirectory()
        let source = try GanDatabase.open(path: folder.file("a.sqlite"))
        defer { try? source.close() }
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = finished.processIdentifier
        let abandoned = ["", "-wal", "-journal"].map { "b.sqlite.partial-\(dead)\($0)" }
        let unrelated = ["b.sqlite.partial-\(getppid())", "b.sqlite.partial-\(dead).keep", "c.sqlite.partial-\(dead)"]
        for name in abandoned + unrelated {
            #expect(FileManager.default.createFile(atPath: folder.file(name), contents: Data(repeating: 7, count: 4096)))
        }
        _ = try source.backup(to: folder.file("b.sqlite"))
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        #expect(left.isDisjoint(with: abandoned))
        #expect(left.isSuperset(of: unrelated))
    }

    /// A backup killed mid-copy to another folder leaves its copy there and a marker beside
    /// the database naming it; the next command that opens the database removes both. Only a
    /// regular file named `….partial-PID` of the marker's own, dead PID is ever removed.
    @Test func anyCommandOnTheDatabaseRemovesWhatAKilledBackupLeftElsewhere() throws {
        let folder = TemporaryDirectory()
        let elsewhere = TemporaryDirectory()
        let path = folder.file("a.sqlite")
        try GanDatabase.open(path: path).close()
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = finished.processIdentifier
        let copy = elsewhere.file("b.sqlite.partial-\(dead)")
        for file in [copy, copy + "-journal", elsewhere.file("keep.sqlite.partial-\(getppid())"), elsewhere.file("c.sqlite")] {
            #expect(FileManager.default.createFile(atPath: file, contents: Data(repeating: 7, count: 4096)))
        }
        try FileManager.default.createDirectory(atPath: elsewhere.file("dir.partial-\(dead)1"), withIntermediateDirectories: false)
        let markers = [("a.sqlite.backup-\(dead)", copy), ("a.sqlite.backup-\(getppid())", elsewhere.file("keep.sqlite.partial-\(getppid())")),
                       ("a.sqlite.backup-\(dead)0", elsewhere.file("c.sqlite")), ("a.sqlite.backup-\(dead)1", elsewhere.file("dir.partial-\(dead)1"))]
        for (marker, target) in markers {
            #expect(FileManager.default.createFile(atPath: folder.file(marker), contents: Data(target.utf8)))
        }
        try GanDatabase.open(path: path, access: .readOnly).close()
        #expect(!FileManager.default.fileExists(atPath: copy) && !FileManager.default.fileExists(atPath: copy + "-journal"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("a.sqlite.backup-\(dead)")))
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path))
                == ["keep.sqlite.partial-\(getppid())", "c.sqlite", "dir.partial-\(dead)1"])
        #expect(FileManager.default.fileExists(atPath: folder.file("a.sqlite.backup-\(getppid())")))
    }

    @Test func readOnlyQueriesReturnRowsAndRefuseWrites() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("q.sqlite")
        let writable = try GanDatabase.open(path: path)
        _ = try RunStore(writable).insert(RunRecord(name: "r1", objective: "gan", datasetId: nil, seed: 7, configJson: "{}", totalSteps: 10))
        try writable.close()
        let before = FileSnapshot(folder: folder.path)
        let database = try GanDatabase.open(path: path, access: .readOnly)
        let query = ReadOnlyQuery(database)
        let result = try query.run("SELECT name, seed, NULL AS empty, 1.5 AS half FROM runs")
        #expect(result.columns == ["name", "seed", "empty", "half"])
        #expect(result.rows == [[.text("r1"), .integer(7), .null, .real(1.5)]])
        for sql in ["DELETE FROM runs", "UPDATE runs SET seed = 1", "DROP TABLE runs", "CREATE TABLE t (x)",
                    "INSERT INTO runs (name) VALUES ('x')", "SELECT 1; DELETE FROM runs", "VACUUM INTO '\(folder.file("stolen.sqlite"))'",
                    "PRAGMA user_version = 9"] {
            #expect(throws: StoreError.self, "\(sql) was not refused") { try query.run(sql) }
        }
        #expect(throws: StoreError.self) { try query.run("SELEC 1") }
        #expect(throws: StoreError.self) { try query.run("SELECT * FROM no_such_table") }
        #expect(throws: StoreError.self) { try query.run("   ") }
        try database.close()
        #expect(FileSnapshot(folder: folder.path) == before)
    }

    @Test func runsAreFoundByNameOrId() throws {
        let database = try GanDatabase.inMemory()
        let store = RunStore(database)
        let first = try store.insert(RunRecord(name: "a", objective: "gan", datasetId: nil, seed: 1, configJson: "{}", totalSteps: 1))
        // A run may be named like another run's id: the name wins.
        let second = try store.insert(RunRecord(name: "1", objective: "nsgan", datasetId: nil, seed: 2, configJson: "{}", totalSteps: 1, status: .completed))
        #expect(try store.find("a") == first)
        #expect(try store.find("1") == second)
        #expect(try store.find(String(second.id!)) == second)
        #expect(throws: StoreError.unknownRun("nope")) { try store.find("nope") }
        #expect(try store.list().map(\.name) == ["a", "1"])
        #expect(try store.list(status: .completed).map(\.name) == ["1"])
        #expect(throws: StoreError.duplicateRun("a")) {
            try store.insert(RunRecord(name: "a", objective: "gan", datasetId: nil, seed: 1, configJson: "{}", totalSteps: 1))
        }
        let summary = try store.summary(of: first)
        #expect(summary.metricRows == 0 && summary.checkpointSteps.isEmpty)
    }

    /// The example queries in migrations/README.md run against a populated database.
    @Test func readmeExampleQueriesRun() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../migrations/README.md").standardized
        let text = try String(contentsOf: readme, encoding: .utf8)
        let blocks = text.components(separatedBy: "```sql").dropFirst().compactMap { $0.components(separatedBy: "```").first }
        #expect(blocks.count >= 3)
        let folder = TemporaryDirectory()
        let (database, run) = try SchemaTests.populated(in: folder)
        // The run_tags example reads runs tagged both 'baseline' and 'lr=1e-4'.
        _ = try RunStore(database).tag([run], ["baseline", "lr=1e-4"])
        // The checkpoint_views example reads the quickstart pipeline's run.
        let quickstart = try RunStore(database).insert(RunRecord(name: "quickstart/wgan-gp", objective: "wgan-gp", datasetId: nil, seed: 1,
                                                                 configJson: "{}", totalSteps: 1))
        try EvaluationRecordStore(database).write([], views: [CheckpointView(runId: quickstart.id!, step: 0, name: .samples, shape: [1, 2],
                                                                             meta: CheckpointViewMeta(seed: 0), values: [0.5, -0.5])])
        // The anomaly_scores example reads a run's stored scores.
        try AnomalyScoreStore(database).save([.init(runId: run.id!, step: 2, method: "knn", data: "dataset 8gaussians (split test)",
                                                    dataSha256: String(repeating: "0", count: 64), optionsJson: "{}", scores: [0.5, 1.5], auroc: 0.9)])
        for sql in blocks {
            let result = try ReadOnlyQuery(database).run(sql)
            #expect(!result.columns.isEmpty, "example returned no columns: \(sql)")
            #expect(!result.rows.isEmpty, "example returned no rows on the sample database: \(sql)")
        }
    }
}

/// A flag one thread sets and another polls.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
