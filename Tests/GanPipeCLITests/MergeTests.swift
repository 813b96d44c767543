import Foundation
import GanStore
import GanTestSupport
import GRDB
import Testing

/// `ganpipe merge`: runs trained into shards come into the main database whole, once; a
/// conflicting shard is refused before anything is copied.
@Suite struct MergeTests {
    /// A database with dataset `points` and one short run `name` trained and evaluated in it.
    static func shard(_ path: String, run name: String, objective: String = "wgan-gp", samples: Int = 400, evaluate: Bool = true) throws {
        var commands = [["data", "generate", "8gaussians", "--samples", String(samples), "--name", "points", "--seed", "3"],
                        ["train", "--dataset", "points", "--objective", objective, "--steps", "30", "--checkpoint-every", "10",
                         "--generator-width", "16", "--discriminator-width", "16", "--name", name]]
        if evaluate { commands += [["eval", name, "--checkpoints", "all", "--samples", "200"], ["tag", name, "nightly"]] }
        for arguments in commands {
            let outcome = try GanPipeProcess.run(arguments + ["--db", path])
            #expect(outcome.status == 0, "\(outcome)")
        }
    }

    /// Row counts of everything that hangs off run `name`, table by table.
    static func contents(of name: String, in path: String) throws -> [String: Int] {
        try RawDatabase(path: path).read { db in
            let id = try #require(try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE name = ?", arguments: [name]))
            var counts: [String: Int] = [:]
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('runs', 'cluster_tasks')") {
                let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String }
                guard columns.contains("run_id") else { continue }
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table) WHERE run_id = ?", arguments: [id])
            }
            counts["checkpoint_parts"] = try Int.fetchOne(db, sql: "SELECT count(*) FROM checkpoint_parts WHERE checkpoint_id IN (SELECT id FROM checkpoints WHERE run_id = ?)", arguments: [id])
            return counts
        }
    }

    @Test func shardsComeInWholeOnceAndMergingAgainChangesNothing() throws {
        let folder = TemporaryDirectory()
        let (main, first, second, early) = (folder.file("main.sqlite"), folder.file("a.sqlite"), folder.file("b.sqlite"), folder.file("early.sqlite"))
        // `early`: run a before its evaluation; `first`: the same run, evaluated and tagged since.
        try Self.shard(early, run: "a", evaluate: false)
        try FileManager.default.copyItem(atPath: early, toPath: first)
        for arguments in [["eval", "a", "--checkpoints", "all", "--samples", "200"], ["tag", "a", "nightly"]] {
            #expect(try GanPipeProcess.run(arguments + ["--db", first]).status == 0)
        }
        try Self.shard(second, run: "b", objective: "nsgan")
        // The main database already has a run (ids 1…) and the same dataset: ids are renumbered.
        try Self.shard(main, run: "local")
        let merged = try GanPipeProcess.run(["merge", first, second, "--db", main])
        #expect(merged.status == 0 && merged.standardOutput.contains("a: copied") && merged.standardOutput.contains("b: copied"), "\(merged)")
        for (name, shard) in [("a", first), ("b", second)] {
            let there = try Self.contents(of: name, in: shard), here = try Self.contents(of: name, in: main)
            #expect(here == there, "\(name): \(here) vs \(there)")
            #expect(["metrics", "checkpoints", "checkpoint_parts", "evaluations", "checkpoint_views", "step_times", "run_tags"].allSatisfy { (there[$0] ?? 0) > 0 }, "\(there)")
        }
        #expect(try GanPipeProcess.run(["data", "list", "--db", main]).standardOutput.components(separatedBy: "points").count == 2, "one dataset, shared")

        let before = try DatabaseDump.digest(main)
        let again = try GanPipeProcess.run(["merge", first, second, "--db", main, "--json"])
        #expect(again.status == 0 && again.standardOutput.components(separatedBy: "\"outcome\":\"unchanged\"").count == 3, "\(again)")
        #expect(try DatabaseDump.digest(main) == before, "merging the same shards twice changes nothing")

        // A shard behind the run here is kept out; a run behind a shard is brought up to it.
        #expect(try GanPipeProcess.run(["merge", early, "--db", main]).standardOutput.contains("a: kept"))
        let fresh = folder.file("fresh.sqlite")
        #expect(try GanPipeProcess.run(["merge", early, "--db", fresh]).standardOutput.contains("a: copied"))
        let further = try GanPipeProcess.run(["merge", first, "--db", fresh])
        #expect(further.standardOutput.contains("a: updated"), "\(further)")
        #expect(try Self.contents(of: "a", in: fresh) == Self.contents(of: "a", in: first))
    }

    @Test func aConflictingShardIsRefusedBeforeAnythingIsCopied() throws {
        let folder = TemporaryDirectory()
        let (main, other, otherData) = (folder.file("main.sqlite"), folder.file("other.sqlite"), folder.file("data.sqlite"))
        try Self.shard(main, run: "a")
        try Self.shard(other, run: "a", objective: "nsgan")
        try Self.shard(otherData, run: "c", samples: 300)
        let before = try DatabaseDump.digest(main)
        try expectRefused(["merge", other, "--db", main], in: folder, mentioning: ["run 'a'", "another configuration", "nothing was merged"])
        try expectRefused(["merge", otherData, "--db", main], in: folder, mentioning: ["dataset 'points'", "other content"])
        try expectRefused(["merge", main, "--db", main], in: folder, mentioning: ["is the database being merged into"])
        try expectRefused(["merge", folder.file("nope.sqlite"), "--db", main], in: folder, mentioning: ["no database at"])
        try "not a database".write(toFile: folder.file("text.sqlite"), atomically: true, encoding: .utf8)
        try expectRefused(["merge", folder.file("text.sqlite"), "--db", main], in: folder, mentioning: ["text.sqlite"])
        #expect(try DatabaseDump.digest(main) == before)
    }
}
