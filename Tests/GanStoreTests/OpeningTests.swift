import Foundation
import GanStore
import GanTestSupport
import GRDB
import Testing

@Suite struct OpeningTests {
    @Test func aDirectoryIsRefused() throws {
        let folder = TemporaryDirectory()
        #expect(throws: StoreError.isDirectory(path: folder.path)) { try GanDatabase.open(path: folder.path) }
    }

    @Test func aMissingFolderIsRefused() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("no/such/folder/db.sqlite")
        #expect(throws: StoreError.missingDirectory(path: path)) { try GanDatabase.open(path: path) }
    }

    @Test func aFileThatIsNotADatabaseIsRefusedAndUntouched() throws {
        let folder = TemporaryDirectory()
        for (name, content) in [("text.sqlite", "hello, this is not a database\n"), ("short.sqlite", "SQLite format 3\0"),
                                ("csv.sqlite", String(repeating: "1,2,3\n", count: 100))] {
            let path = folder.file(name)
            _ = FileManager.default.createFile(atPath: path, contents: Data(content.utf8))
            let before = FileSnapshot(folder: folder.path, strict: true)
            for access in [GanDatabase.Access.readWrite, .readOnly] {
                #expect(throws: StoreError.notADatabase(path: path)) { try GanDatabase.open(path: path, access: access) }
            }
            #expect(FileSnapshot(folder: folder.path, strict: true) == before)
        }
    }

    @Test func anotherApplicationsDatabaseIsRefusedAndUntouched() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("other.sqlite")
        try RawDatabase(path: path).write {
            try $0.execute(sql: "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO contacts VALUES (1, 'x')")
        }
        let before = FileSnapshot(folder: folder.path, strict: true)
        #expect(throws: StoreError.foreignDatabase(path: path)) { try GanDatabase.open(path: path) }
        #expect(FileSnapshot(folder: folder.path, strict: true) == before)
    }

    @Test func anUnwritableLocationIsRefusedWithoutLeavingFiles() throws {
        // /proc refuses new files even to root, unlike a chmod-ed folder.
        let path = "/proc/ganpipe-\(getpid()).sqlite"
        #expect(throws: StoreError.self) { try GanDatabase.open(path: path) }
        do {
            _ = try GanDatabase.open(path: path)
        } catch let error as StoreError {
            guard case .notWritable(_, _) = error else { Issue.record("expected notWritable, got \(error)"); return }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func readingANonexistentDatabaseCreatesNothing() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("absent.sqlite")
        #expect(throws: StoreError.missingDatabase(path: path)) { try GanDatabase.open(path: path, access: .readOnly) }
        #expect(FileSnapshot(folder: folder.path, strict: true).files.isEmpty)
    }

    @Test func aReadOnlyDatabaseRefusesWrites() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("a.sqlite")
        try GanDatabase.open(path: path).close()
        let database = try GanDatabase.open(path: path, access: .readOnly)
        #expect(throws: (any Error).self) {
            try RunStore(database).insert(RunRecord(name: "r", objective: "gan", datasetId: nil, seed: 1, configJson: "{}", totalSteps: 1))
        }
        #expect(throws: (any Error).self) { try StageStore(database).start(.trainer, of: 1) }
        #expect(try RunStore(database).list().isEmpty)
        #expect(try database.schemaVersion() == SchemaMigrator().latestVersion)
    }
}
