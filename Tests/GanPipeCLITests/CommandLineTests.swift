import ArgumentParser
import Foundation
import GanPipeCLI
import GanStore
import GanTestSupport
import GRDB
import Testing

@Suite struct CommandLineTests {
    @Test func parsesEveryCommandAndItsOptions() throws {
        let cases: [([String], String)] = [
            (["db", "init", "--db", "x.sqlite"], "Initialize"),
            (["db", "check", "--full", "--json"], "Check"),
            (["db", "backup", "--to", "b.sqlite", "--force"], "Backup"),
            (["runs", "--status", "completed", "--json"], "RunsCommand"),
            (["show", "my-run", "--json"], "ShowCommand"),
            (["sql", "SELECT 1", "--format", "csv"], "SQLCommand"),
        ]
        for (arguments, expected) in cases {
            let command = try GanPipe.parseAsRoot(arguments)
            #expect(String(describing: type(of: command)).hasSuffix(expected), "\(arguments) parsed as \(type(of: command))")
        }
        for bad in [["runs", "--status", "paused"], ["sql", "SELECT 1", "--format", "xml"], ["db", "backup"], ["show"], ["frobnicate"]] {
            #expect(throws: (any Error).self, "\(bad) was accepted") { try GanPipe.parseAsRoot(bad) }
        }
    }

    /// The figures a nightly job tracks over time: the last line of `bench train --json`.
    @Test func benchTrainReportsItsFiguresAsJSON() throws {
        let outcome = try GanPipeProcess.run(["bench", "train", "--steps", "3", "--width", "16", "--batch-size", "16", "--on-disk", "--json"])
        #expect(outcome.status == 0, "\(outcome)")
        let last = outcome.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "\(outcome)")
        for key in ["ms_per_generator_step", "store_share", "checkpoint_ms", "peak_rss_mb", "rss_growth_mb"] {
            #expect(figures[key] is Double, "\(key) missing from \(last)")
        }
        #expect((figures["ms_per_generator_step"] as? Double ?? 0) > 0)
        #expect((figures["peak_rss_mb"] as? Double ?? 0) > 1)
        #expect(figures["database"] as? String == "file")
    }

    /// The graph is freed after every step: over 10,000 generator steps (50,000 critic steps
    /// with the penalty's double backward) resident memory in the second half does not grow.
    /// One leaked step would hold ≥ 100 KB, 500 MB over the second half. Measured in a process
    /// of its own, so that suites running in parallel do not count.
    @Test func residentMemoryStaysFlatOverTenThousandSteps() throws {
        let outcome = try GanPipeProcess.run(["bench", "train", "--steps", "10000", "--width", "64", "--batch-size", "64", "--on-disk", "--json"])
        #expect(outcome.status == 0, "\(outcome)")
        let last = outcome.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "\(outcome)")
        let growth = try #require(figures["rss_growth_mb"] as? Double, "\(last)")
        #expect(growth < 16, "resident memory grew by \(growth) MB over 5,000 steps: \(last)")
        #expect((figures["peak_rss_mb"] as? Double ?? .infinity) < 256, "\(last)")
    }

    @Test func versionNamesTheSchema() throws {
        let outcome = try GanPipeProcess.run(["--version"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.hasPrefix("ganpipe "))
        #expect(outcome.standardOutput.contains("schema \(SchemaMigrator().latestVersion)"))
    }

    @Test func initListShowAndQueryARealDatabase() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("g.sqlite")
        let created = try GanPipeProcess.run(["db", "init", "--db", path])
        #expect(created.status == 0, "\(created)")
        #expect(created.standardOutput.contains("created database"))
        let database = try GanDatabase.open(path: path)
        _ = try RunStore(database).insert(RunRecord(name: "wgan-gp-seed1", objective: "wgan-gp", datasetId: nil, seed: 1,
                                                     configJson: #"{"objective":"wgan-gp","lambda":10}"#, totalSteps: 100, status: .completed))
        _ = try RunStore(database).insert(RunRecord(name: "gan-seed1", objective: "gan", datasetId: nil, seed: 1, configJson: "{}", totalSteps: 5))
        try database.close()

        let runs = try GanPipeProcess.run(["runs", "--db", path])
        #expect(runs.status == 0)
        #expect(runs.standardOutput.contains("wgan-gp-seed1") && runs.standardOutput.contains("gan-seed1"))
        let completed = try GanPipeProcess.run(["runs", "--status", "completed", "--json"], environment: ["GANPIPE_DB": path])
        let list = try JSONSerialization.jsonObject(with: Data(completed.standardOutput.utf8)) as? [[String: Any]]
        #expect(list?.count == 1)
        #expect(list?.first?["name"] as? String == "wgan-gp-seed1")
        #expect((list?.first?["config"] as? [String: Any])?["lambda"] as? Int == 10)

        let show = try GanPipeProcess.run(["show", "wgan-gp-seed1", "--db", path])
        #expect(show.status == 0 && show.standardOutput.contains("objective    wgan-gp"))
        let showJSON = try GanPipeProcess.run(["show", "2", "--db", path, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(showJSON.standardOutput.utf8)) as? [String: Any]
        #expect((object?["run"] as? [String: Any])?["name"] as? String == "gan-seed1")

        let csv = try GanPipeProcess.run(["sql", "SELECT name, seed FROM runs ORDER BY id", "--format", "csv", "--db", path])
        #expect(csv.standardOutput == "name,seed\nwgan-gp-seed1,1\ngan-seed1,1\n")
        let json = try GanPipeProcess.run(["sql", "SELECT count(*) AS n FROM runs", "--format", "json", "--db", path])
        #expect(json.standardOutput == "[{\"n\":2}]\n")

        let check = try GanPipeProcess.run(["db", "check", "--full", "--db", path])
        #expect(check.status == 0 && check.standardOutput.hasPrefix("ok:"))
        let backup = try GanPipeProcess.run(["db", "backup", "--to", folder.file("b.sqlite"), "--db", path])
        #expect(backup.status == 0, "\(backup)")
        let fromBackup = try GanPipeProcess.run(["sql", "SELECT count(*) FROM runs", "--format", "csv", "--db", folder.file("b.sqlite")])
        #expect(fromBackup.standardOutput.hasSuffix("\n2\n"))
    }

    @Test func theDefaultDatabaseIsInTheWorkingDirectory() throws {
        let folder = TemporaryDirectory()
        let outcome = try GanPipeProcess.run(["db", "init"], in: folder.path)
        #expect(outcome.status == 0)
        #expect(FileManager.default.fileExists(atPath: folder.file("ganpipe.sqlite")))
    }

    /// The release binary alone, copied to an empty folder and run from `/`, creates the schema.
    @Test func theBinaryStandsAlone() throws {
        let folder = TemporaryDirectory()
        let copy = folder.file("ganpipe")
        try GanPipeProcess.copyExecutable(to: copy)
        let path = folder.file("standalone.sqlite")
        let outcome = try GanPipeProcess.run(["db", "init", "--db", path], in: "/", executable: copy)
        #expect(outcome.status == 0, "\(outcome)")
        let database = try GanDatabase.open(path: path, access: .readOnly)
        let tables = try RawDatabase(database).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table'") }
        #expect(tables == 16, "every table of migrations/ (schema v7)")
    }
}
