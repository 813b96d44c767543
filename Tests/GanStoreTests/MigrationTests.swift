import Foundation
import GanStore
import GanTestSupport
import GRDB
import Testing

@Suite struct MigrationTests {
    static let tables = ["anomaly_scores", "checkpoint_parts", "checkpoint_views", "checkpoints", "cluster_tasks", "dataset_arrays", "dataset_parts", "datasets",
                         "evaluations", "events", "metrics", "run_tags", "runs", "schema_migrations", "stages", "step_times"]

    func schema(_ database: GanDatabase) throws -> [String] {
        try RawDatabase(database).read {
            try String.fetchAll($0, sql: "SELECT type || ' ' || name || ' ' || ifnull(sql, '') FROM sqlite_master ORDER BY name")
        }
    }

    @Test func embeddedMigrationsMatchTheFilesInMigrationsFolder() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../migrations").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.count == EmbeddedMigration.all.count)
        for (file, migration) in zip(files, EmbeddedMigration.all) {
            #expect(file == migration.name + ".sql")
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(text == migration.sql, "embedded text of \(file) differs from the file")
        }
        #expect(EmbeddedMigration.all.map(\.version) == Array(1...EmbeddedMigration.all.count))
    }

    @Test func newDatabaseHasTheWholeSchemaAndThePragmas() throws {
        let folder = TemporaryDirectory()
        let database = try GanDatabase.open(path: folder.file("a.sqlite"))
        let raw = RawDatabase(database)
        let names = try raw.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") }
        #expect(names == Self.tables)
        // The settings of the store's own connection that writes.
        let settings = try database.settings()
        #expect(settings.pageSize == 16384)
        #expect(settings.journalMode == "wal")
        #expect(settings.foreignKeys)
        #expect(settings.busyTimeoutMilliseconds == 30000)
        #expect(settings.applicationID == SchemaMigrator.applicationID)
        #expect(settings.userVersion == SchemaMigrator().latestVersion)
        let withoutRowID = try raw.read { try String.fetchOne($0, sql: "SELECT sql FROM sqlite_master WHERE name = 'metrics'") }
        #expect(withoutRowID?.contains("WITHOUT ROWID") == true)
        #expect(withoutRowID?.contains("PRIMARY KEY (run_id, key, step)") == true)
    }

    @Test func migratingTwiceIsANoOp() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("a.sqlite")
        let first = try GanDatabase.open(path: path)
        #expect(first.migrationsAppliedOnOpen.map(\.version) == Array(1...SchemaMigrator().latestVersion))
        let before = try schema(first)
        try first.close()
        let second = try GanDatabase.open(path: path)
        #expect(second.migrationsAppliedOnOpen.isEmpty)
        #expect(try schema(second) == before)
        let history = try RawDatabase(second).read { try Int.fetchAll($0, sql: "SELECT version FROM schema_migrations ORDER BY version") }
        #expect(history == Array(1...SchemaMigrator().latestVersion))
    }

    @Test func anEmptyFileBecomesADatabase() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("empty.sqlite")
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let database = try GanDatabase.open(path: path)
        #expect(try database.schemaVersion() == SchemaMigrator().latestVersion)
    }

    /// Writes a ganpipe database whose history says it was made by a newer ganpipe.
    static func makeNewerDatabase(at path: String) throws {
        try GanDatabase.open(path: path).close()
        try RawDatabase(path: path).write { (db: Database) throws in
            try db.execute(sql: "CREATE TABLE future_things (id INTEGER PRIMARY KEY)")
            let future = SchemaMigrator().latestVersion + 1
            try db.execute(sql: "INSERT INTO schema_migrations VALUES (?, 'future_things', 'abc', '2030-01-01T00:00:00.000Z')", arguments: [future])
        }
    }

    @Test func aNewerSchemaIsRefusedAndLeftUntouched() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("newer.sqlite")
        try Self.makeNewerDatabase(at: path)
        let before = FileSnapshot(folder: folder.path, strict: true)
        for access in [GanDatabase.Access.readWrite, .readOnly] {
            let latest = SchemaMigrator().latestVersion
            #expect(throws: StoreError.schemaTooNew(path: path, databaseVersion: latest + 1, binaryVersion: latest)) {
                try GanDatabase.open(path: path, access: access)
            }
        }
        #expect(FileSnapshot(folder: folder.path, strict: true) == before)
    }

    @Test func anEditedMigrationIsDetected() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("edited.sqlite")
        try GanDatabase.open(path: path).close()
        let original = EmbeddedMigration.all[0]
        let later = Array(EmbeddedMigration.all.dropFirst())
        let edited = SchemaMigrator(migrations: [EmbeddedMigration(version: 1, name: original.name, sql: original.sql + "\n-- tweak\n")] + later)
        let before = FileSnapshot(folder: folder.path, strict: true)
        #expect(throws: StoreError.migrationEdited(path: path, name: original.name)) {
            try GanDatabase.open(path: path, migrator: edited)
        }
        let renamed = SchemaMigrator(migrations: [EmbeddedMigration(version: 1, name: "0001_other", sql: original.sql)] + later)
        #expect(throws: StoreError.migrationRenamed(path: path, version: 1, recorded: original.name, embedded: "0001_other")) {
            try GanDatabase.open(path: path, migrator: renamed)
        }
        #expect(FileSnapshot(folder: folder.path, strict: true) == before)
    }

    @Test func aLaterMigrationIsAppliedToAnOlderDatabase() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("older.sqlite")
        try GanDatabase.open(path: path).close()
        let latest = SchemaMigrator().latestVersion
        let next = EmbeddedMigration(version: latest + 1, name: "run_notes", sql: "ALTER TABLE runs ADD COLUMN notes TEXT;\n")
        let newer = SchemaMigrator(migrations: EmbeddedMigration.all + [next])
        #expect(throws: StoreError.schemaTooOld(path: path, databaseVersion: latest, binaryVersion: latest + 1)) {
            try GanDatabase.open(path: path, access: .readOnly, migrator: newer)
        }
        let database = try GanDatabase.open(path: path, migrator: newer)
        #expect(try database.schemaVersion() == latest + 1)
        #expect(database.migrationsAppliedOnOpen.map(\.name) == ["run_notes"])
        let columns = try RawDatabase(database).read { try $0.columns(in: "runs").map(\.name) }
        #expect(columns.contains("notes"))
    }
}
