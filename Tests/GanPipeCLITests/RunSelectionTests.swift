import Foundation
import GanTestSupport
import Testing

/// How users name commands and runs: mistakes in the command line are one line with the fix,
/// `--db` may come first, runs are found by pattern, and a name cut short gets suggestions.
@Suite struct RunSelectionTests {
    @Test func commandLineMistakesAreOneLineWithTheFix() throws {
        let folder = TemporaryDirectory()
        let cases: [([String], [String])] = [
            (["diagnos", "1"], ["unknown command 'diagnos'", "did you mean 'diagnose'?"]),
            (["compar", "a", "b"], ["did you mean 'compare'?"]),
            (["frobnicate"], ["unknown command 'frobnicate'", "ganpipe --help"]),
            (["train", "--steps", "x"], ["the value 'x' is invalid for '--steps", "see 'ganpipe train --help'"]),
            (["runs", "--bogus"], ["unknown option '--bogus'", "see 'ganpipe runs --help'"]),
            (["data", "import"], ["missing expected argument", "see 'ganpipe data import --help'"]),
        ]
        for (arguments, words) in cases {
            try expectRefused(arguments, in: folder, mentioning: words)
            #expect(try GanPipeProcess.run(arguments, in: folder.path).status == 64, "\(arguments)")
        }
        // argument-parser's own help command still works.
        let help = try GanPipeProcess.run(["help", "train"], in: folder.path)
        #expect(help.status == 0 && help.standardOutput.contains("USAGE: ganpipe train"), "\(help)")
    }

    @Test func theDatabaseMayBeNamedBeforeTheCommandAndRunsByPattern() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("runs.sqlite")
        func ganpipe(_ arguments: [String]) throws -> GanPipeProcess.Outcome {
            let outcome = try GanPipeProcess.run(arguments, in: folder.path)
            #expect(outcome.status == 0, "\(arguments): \(outcome)")
            return outcome
        }
        _ = try ganpipe(["--db", path, "data", "generate", "8gaussians", "--samples", "200", "--name", "points"])
        for name in ["sweep/a", "sweep/b", "other"] {
            _ = try ganpipe(["--db=\(path)", "train", "--dataset", "points", "--objective", "wgan-gp", "--steps", "2", "--name", name,
                             "--generator-width", "8", "--discriminator-width", "8"])
        }
        #expect(try ganpipe(["--db", path, "runs"]).standardOutput.contains("sweep/b"))
        let compared = try ganpipe(["compare", "sweep/*", "--db", path, "--json"]).standardOutput
        #expect(compared.contains("sweep/a") && compared.contains("sweep/b") && !compared.contains("\"other\""))
        #expect(try ganpipe(["compare", "sweep/?", "other", "--db", path]).standardOutput.contains("other"))
        try expectRefused(["compare", "sweep/a", "--db", path], in: folder, mentioning: ["at least two runs", "'quickstart/*'"])
        // Grouped: the two runs differ only in name, so over seeds they are one line.
        #expect(try ganpipe(["compare", "sweep/*", "--over-seeds", "--db", path]).standardOutput.contains("(2 runs)"))
        try expectRefused(["compare", "sweep/*", "--group-by", "objektive", "--db", path], in: folder,
                          mentioning: ["no run has the configuration key 'objektive'"])
        try expectRefused(["compare", "sweep/*", "--group-by", "objective", "--over-seeds", "--db", path], in: folder,
                          mentioning: ["either --over-seeds or --group-by"])
        try expectRefused(["compare", "nothing*", "other", "--db", path], in: folder, mentioning: ["no run name matches 'nothing*'"])
        try expectRefused(["show", "sweep/", "--db", path], in: folder, mentioning: ["did you mean 'sweep/a' or 'sweep/b'?"])
        try expectRefused(["report", "otehr", "--db", path], in: folder, mentioning: ["did you mean 'other'?"])
        // A dataset name mistyped: refused in one line with the name meant; the database's
        // contents unchanged (opening it for writing may fold its write-ahead log into the file).
        let contents = try DatabaseDump.digest(path)
        let mistyped = try GanPipeProcess.run(["train", "--dataset", "poins", "--objective", "gan", "--steps", "2", "--db", path])
        #expect(mistyped.status == 1 && mistyped.stderrLines == ["ganpipe: error: no dataset named 'poins' (did you mean 'points'?); list the datasets with `ganpipe data list` or create one with `ganpipe data generate`"],
                "\(mistyped)")
        #expect(try DatabaseDump.digest(path) == contents)
    }

    /// Without --name, a second run of the same objective, dataset and seed (other settings)
    /// gets the next free name instead of failing with "already exists".
    @Test func theDefaultNameMovesToTheNextFreeOne() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("names.sqlite")
        #expect(try GanPipeProcess.run(["data", "generate", "8gaussians", "--samples", "200", "--name", "points", "--db", path]).status == 0)
        var notes: [String] = []
        for width in ["8", "16", "8"] {
            let outcome = try GanPipeProcess.run(["train", "--db", path, "--dataset", "points", "--objective", "wgan-gp", "--steps", "2",
                                                  "--generator-width", width, "--discriminator-width", "8"])
            #expect(outcome.status == 0, "\(outcome)")
            notes += outcome.stderrLines.filter { $0.hasPrefix("ganpipe: note: a run named") }.map(String.init)
        }
        #expect(notes == ["ganpipe: note: a run named wgan-gp-points-seed0 exists; this run is wgan-gp-points-seed0-2 (pass --name to choose)",
                          "ganpipe: note: a run named wgan-gp-points-seed0 exists; this run is wgan-gp-points-seed0-3 (pass --name to choose)"])
        let listed = try GanPipeProcess.run(["runs", "--db", path]).standardOutput
        #expect(["wgan-gp-points-seed0 ", "wgan-gp-points-seed0-2 ", "wgan-gp-points-seed0-3 "].allSatisfy(listed.contains), "\(listed)")
    }
}
