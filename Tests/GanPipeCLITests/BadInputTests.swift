import Foundation
import GanStore
import GanTestSupport
import GRDB
import Testing

/// Each bad input a user might give: one line naming the problem, a non-zero exit, no stack
/// trace, and every file in the folder exactly as it was.
@Suite struct BadInputTests {
    func makeDatabase(in folder: TemporaryDirectory) throws -> String {
        let path = folder.file("ok.sqlite")
        let database = try GanDatabase.open(path: path)
        _ = try RunStore(database).insert(RunRecord(name: "r", objective: "gan", datasetId: nil, seed: 1, configJson: "{}", totalSteps: 1))
        try database.close()
        return path
    }

    @Test func aDirectoryAsDatabase() throws {
        let folder = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.file("dir"), withIntermediateDirectories: false)
        for command in [["runs"], ["db", "init"], ["sql", "SELECT 1"], ["db", "check"]] {
            try expectRefused(command + ["--db", folder.file("dir")], in: folder, mentioning: ["is a directory"])
        }
    }

    @Test func aFileThatIsNotADatabase() throws {
        let folder = TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: folder.file("notes.txt"), contents: Data("run notes\nlr=1e-4\n".utf8))
        for command in [["runs"], ["db", "init"], ["db", "backup", "--to", folder.file("b.sqlite")], ["show", "x"]] {
            try expectRefused(command + ["--db", folder.file("notes.txt")], in: folder, mentioning: ["notes.txt", "not an SQLite database"])
        }
    }

    @Test func anUnwritablePath() throws {
        let folder = TemporaryDirectory()
        try expectRefused(["db", "init", "--db", "/proc/ganpipe.sqlite"], in: folder, mentioning: ["cannot write", "/proc/ganpipe.sqlite"])
        try expectRefused(["db", "init", "--db", folder.file("missing/x.sqlite")], in: folder, mentioning: ["does not exist"])
        try expectRefused(["runs", "--db", folder.file("absent.sqlite")], in: folder, mentioning: ["no database", "ganpipe db init"])
    }

    @Test func aDatabaseFromANewerGanpipe() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("newer.sqlite")
        try GanDatabase.open(path: path).close()
        try RawDatabase(path: path).write { try $0.execute(sql: "INSERT INTO schema_migrations VALUES (99, '0099_future', 'x', 't')") }
        for command in [["db", "init"], ["runs"], ["sql", "SELECT 1"]] {
            try expectRefused(command + ["--db", path], in: folder, mentioning: ["schema version 99", "newer ganpipe"])
        }
    }

    @Test func anUnknownRunMalformedSQLAndWritingSQL() throws {
        let folder = TemporaryDirectory()
        let path = try makeDatabase(in: folder)
        try expectRefused(["show", "no-such-run", "--db", path], in: folder, mentioning: ["no-such-run", "ganpipe runs"])
        try expectRefused(["show", "999", "--db", path], in: folder, mentioning: ["999"])
        try expectRefused(["sql", "SELEC * FROM runs", "--db", path], in: folder, mentioning: ["syntax error"])
        try expectRefused(["sql", "SELECT nope FROM runs", "--db", path], in: folder, mentioning: ["no such column"])
        try expectRefused(["sql", "DELETE FROM runs", "--db", path], in: folder, mentioning: ["read-only", "DELETE FROM runs"])
        try expectRefused(["sql", "UPDATE runs\nSET seed = 2", "--db", path], in: folder, mentioning: ["read-only"])
        try expectRefused(["db", "backup", "--to", path, "--db", path], in: folder, mentioning: ["already exists", "--force"])
    }

    @Test func aBadOptionValueNamesTheChoices() throws {
        let folder = TemporaryDirectory()
        let outcome = try GanPipeProcess.run(["runs", "--status", "paused"], in: folder.path)
        #expect(outcome.status != 0)
        #expect(outcome.standardError.contains("queued") && outcome.standardError.contains("interrupted"))
        #expect(FileSnapshot(folder: folder.path).files.isEmpty)
    }
}

@Suite struct DamageTests {
    @Test func checkReportsADamagedDatabaseWithExitOne() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("damaged.sqlite")
        let database = try GanDatabase.open(path: path)
        let run = try RunStore(database).insert(RunRecord(name: "r", objective: "gan", datasetId: nil, seed: 1, configJson: "{}", totalSteps: 1))
        try RunJournal(database, runId: run.id!).commit(metrics: (0..<20_000).map { step in
            .init(key: "grad_norm/discriminator/layers.\(step % 7).weight", step: step, value: Double(step))
        }, events: [], currentStep: 0)
        try database.close()
        let healthy = try GanPipeProcess.run(["db", "check", "--db", path])
        #expect(healthy.status == 0, "\(healthy)")

        // Scribble over a page in the middle of the metrics b-tree.
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        let size = try handle.seekToEnd()
        let page = UInt64(16384)
        try handle.seek(toOffset: (size / page / 2) * page + 100)
        handle.write(Data((0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 37) }))
        try handle.close()

        let outcome = try GanPipeProcess.run(["db", "check", "--full", "--db", path])
        #expect(outcome.status == 1, "\(outcome)")
        #expect(outcome.stderrLines.count == 1)
        #expect(outcome.standardError.contains("damaged"))
    }
}
