import Foundation
import GanStore
import GanTestSupport
import GRDB
import Testing

/// What users do to runs once trained: list them by filters, tag and annotate, rename, delete
/// (everything that hangs off a run goes with it, nothing else does) and compact the file; a
/// run a live process trains is refused, mistakes are one line with the database unchanged.
@Suite struct RunManagementTests {
    static func database(in folder: TemporaryDirectory) throws -> String {
        let path = folder.file("runs.sqlite")
        #expect(try GanPipeProcess.run(["data", "generate", "8gaussians", "--samples", "200", "--name", "points", "--db", path]).status == 0)
        for (name, objective) in [("sweep/a", "wgan-gp"), ("sweep/b", "wgan-gp"), ("other", "gan")] {
            let outcome = try GanPipeProcess.run(["train", "--db", path, "--dataset", "points", "--objective", objective, "--steps", "4",
                                                  "--checkpoint-every", "2", "--name", name, "--generator-width", "8", "--discriminator-width", "8"])
            #expect(outcome.status == 0, "\(outcome)")
        }
        return path
    }

    static func ganpipe(_ arguments: [String], _ path: String) throws -> String {
        let outcome = try GanPipeProcess.run(arguments + ["--db", path])
        #expect(outcome.status == 0, "\(arguments): \(outcome)")
        return outcome.standardOutput
    }

    static func names(_ arguments: [String], _ path: String) throws -> [String] {
        let json = try ganpipe(["runs", "--json"] + arguments, path)
        let runs = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
        return runs.compactMap { $0["name"] as? String }
    }

    @Test func runsAreFilteredTaggedAndAnnotated() throws {
        let folder = TemporaryDirectory()
        let path = try Self.database(in: folder)
        #expect(try Self.ganpipe(["tag", "sweep/*", "baseline", "lr=1e-4"], path).contains("added 4 tags to 2 runs"))
        #expect(try Self.ganpipe(["tag", "sweep/b", "best"], path).contains("added 1 tag to 1 run"))
        // Adding a tag twice changes nothing.
        #expect(try Self.ganpipe(["tag", "sweep/b", "best"], path).contains("added 0 tags"))
        #expect(try Self.names(["--tag", "baseline"], path) == ["sweep/a", "sweep/b"])
        #expect(try Self.names(["--tag", "baseline", "--tag", "best"], path) == ["sweep/b"])
        #expect(try Self.names(["--objective", "gan"], path) == ["other"])
        #expect(try Self.names(["sweep/?", "other"], path) == ["sweep/a", "sweep/b", "other"])
        #expect(try Self.names(["--dataset", "points", "--status", "completed"], path).count == 3)
        #expect(try Self.names(["--pipeline", "nightly"], path).isEmpty)
        #expect(try Self.ganpipe(["runs", "--tag", "nothing"], path).hasPrefix("no runs match these filters"))
        _ = try Self.ganpipe(["tag", "sweep/a", "baseline", "--remove"], path)
        #expect(try Self.names(["--tag", "baseline"], path) == ["sweep/b"])

        _ = try Self.ganpipe(["note", "sweep/b", "lower learning rate\nsecond line"], path)
        #expect(try Self.ganpipe(["note", "sweep/b"], path) == "lower learning rate\nsecond line\n")
        let shown = try Self.ganpipe(["show", "sweep/b"], path)
        #expect(shown.contains("  tags         baseline, best, lr=1e-4") && shown.contains("  note         lower learning rate\n               second line"), "\(shown)")
        let json = try Self.ganpipe(["runs", "--json", "sweep/b"], path)
        #expect(json.contains("\"tags\":[\"baseline\",\"best\",\"lr=1e-4\"]") && json.contains("\"note\":\"lower learning rate\\nsecond line\""), "\(json)")
        _ = try Self.ganpipe(["note", "sweep/b", "--clear"], path)
        #expect(try Self.ganpipe(["note", "sweep/b"], path) == "(no note)\n")
        // Tags and notes are there for SQL too.
        #expect(try Self.ganpipe(["sql", "SELECT r.name FROM run_tags t JOIN runs r ON r.id = t.run_id WHERE t.tag = 'best'"], path).contains("sweep/b"))

        try expectRefused(["tag", "sweep/a", "two words", "--db", path], in: folder, mentioning: ["'two words' cannot be a tag", "ganpipe note"])
        try expectRefused(["tag", "nothing*", "x", "--db", path], in: folder, mentioning: ["no run name matches 'nothing*'"])
        try expectRefused(["note", "sweep/a", "", "--db", path], in: folder, mentioning: ["a note has 1 to 10,000 characters"])
        try expectRefused(["note", "sweep/a", "x", "--clear", "--db", path], in: folder, mentioning: ["either a note or --clear"])
    }

    @Test func renameKeepsEverythingAndRefusesNamesThatWouldMislead() throws {
        let folder = TemporaryDirectory()
        let path = try Self.database(in: folder)
        let metricsBefore = try Self.ganpipe(["sql", "SELECT count(*) FROM metrics WHERE run_id = 3"], path)
        #expect(try Self.ganpipe(["rename", "other", "gan/first"], path) == "renamed other to gan/first\n")
        #expect(try Self.names([], path) == ["sweep/a", "sweep/b", "gan/first"])
        #expect(try Self.ganpipe(["sql", "SELECT count(*) FROM metrics WHERE run_id = 3"], path) == metricsBefore)
        try expectRefused(["rename", "gan/first", "sweep/a", "--db", path], in: folder, mentioning: ["a run named 'sweep/a' already exists"])
        for (name, problem) in [("42", "all-digit name would shadow the run ids"), ("new*", "kept for patterns"),
                                (" padded", "leading or trailing spaces"), ("bell\u{07}", "control characters"),
                                (String(repeating: "x", count: 201), "1 to 200 characters")] {
            try expectRefused(["rename", "gan/first", name, "--db", path], in: folder, mentioning: ["cannot name a run", problem])
        }
        try expectRefused(["rename", "gan/frist", "x", "--db", path], in: folder, mentioning: ["did you mean 'gan/first'?"])
        // train --name follows the same rule.
        try expectRefused(["train", "--db", path, "--dataset", "points", "--objective", "gan", "--steps", "2", "--name", "7"],
                          in: folder, mentioning: ["'7' cannot name a run", "shadow the run ids"])
    }

    @Test func deleteTakesEverythingOfTheRunAndNothingElse() throws {
        let folder = TemporaryDirectory()
        let path = try Self.database(in: folder)
        _ = try Self.ganpipe(["tag", "sweep/a", "scratch"], path)
        func counts(_ id: Int) throws -> String {
            try Self.ganpipe(["sql", "--format", "csv", """
                SELECT (SELECT count(*) FROM checkpoints WHERE run_id = \(id)), (SELECT count(*) FROM metrics WHERE run_id = \(id)),
                       (SELECT count(*) FROM step_times WHERE run_id = \(id)), (SELECT count(*) FROM run_tags WHERE run_id = \(id)),
                       (SELECT count(*) FROM checkpoint_parts WHERE checkpoint_id IN (SELECT id FROM checkpoints WHERE run_id = \(id)))
                """], path).split(separator: "\n").last.map(String.init) ?? ""
        }
        let kept = try counts(2)
        #expect(try counts(1).hasPrefix("3,"), "sweep/a has checkpoints at steps 0, 2 and 4")
        let contents = try DatabaseDump.digest(path)
        #expect(try Self.ganpipe(["delete", "sweep/a", "--dry-run"], path) == "would delete sweep/a\n")
        #expect(try DatabaseDump.digest(path) == contents)

        let deleted = try Self.ganpipe(["delete", "sweep/a"], path)
        #expect(deleted.hasPrefix("deleted 1 run (3 checkpoints, ") && deleted.hasSuffix(": sweep/a\n"), "\(deleted)")
        #expect(try counts(1) == "0,0,0,0,0")
        #expect(try counts(2) == kept)
        #expect(try Self.names([], path) == ["sweep/b", "other"])
        #expect(try Self.ganpipe(["db", "check"], path).contains("ok"))

        // The space comes back with vacuum.
        let size = { ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0 }
        _ = try Self.ganpipe(["delete", "sweep/*"], path)
        let compacted = try Self.ganpipe(["db", "vacuum", "--json"], path)
        let report = try JSONSerialization.jsonObject(with: Data(compacted.utf8)) as? [String: Int] ?? [:]
        #expect((report["bytes_after"] ?? .max) < (report["bytes_before"] ?? 0) && size() == report["bytes_after"], "\(compacted)")
        #expect(try Self.names([], path) == ["other"])

        try expectRefused(["delete", "sweep/a", "--db", path], in: folder, mentioning: ["no run named or numbered 'sweep/a'"])
        try expectRefused(["delete", "other", "nothing*", "--db", path], in: folder, mentioning: ["no run name matches 'nothing*'"])
    }

    /// A run some live process trains is neither deleted nor renamed: pid 1 exists on every
    /// machine and started before the heartbeat, so it holds the run.
    @Test func aRunBeingTrainedIsLeftAlone() throws {
        let folder = TemporaryDirectory()
        let path = try Self.database(in: folder)
        try RawDatabase(path: path).write { db in
            try db.execute(sql: "UPDATE runs SET status = 'running', owner = ?, heartbeat_at = ? WHERE name = 'sweep/b'",
                           arguments: ["\(ProcessInfo.processInfo.hostName):1", Timestamp.now()])
        }
        try RawDatabase(path: path).writeWithoutTransaction { _ = try $0.checkpoint(.truncate) }
        try expectRefused(["delete", "sweep/*", "--db", path], in: folder, mentioning: ["run 'sweep/b' is being trained by process"])
        try expectRefused(["rename", "sweep/b", "renamed", "--db", path], in: folder, mentioning: ["is being trained"])
        #expect(try Self.names([], path) == ["sweep/a", "sweep/b", "other"])
    }
}
