import Foundation
import GanLoader
import GanStore
import GanTestSupport
import Testing

/// Inputs an attacker or an unlucky script would give (issue 14's audit), made at run time:
/// sizes that overflow, empty dimensions, devices, FIFOs, endless streams and a compression
/// bomb. Each is refused in one line, quickly, without a trap, leaving the database unchanged.
/// Every command runs under `timeout` and a 4 GB address-space limit, so a regression that
/// blocks or reads forever fails instead of hanging the suite or exhausting the machine.
@Suite struct HostileInputTests {
    /// A database holding the 8gaussians toy.
    static func database(in folder: TemporaryDirectory) throws -> String {
        try TrainCommandTests.databaseWithData(in: folder)
    }

    /// Runs `ganpipe arguments…` (bounded in time and memory) and expects one error line with `words`,
    /// a non-zero exit other than a signal's or `timeout`'s (124, so a command that reads for a
    /// minute fails), and the database unchanged.
    static func expectRefusedQuickly(_ arguments: [String], database: String, mentioning words: [String],
                                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try DatabaseDump.digest(database)
        let bounded = "ulimit -v 4000000; exec timeout 60 \"$@\""  // 4 GB of address space, 60 s
        let outcome = try GanPipeProcess.run(["-c", bounded, "sh", GanPipeProcess.executablePath] + arguments + ["--db", database],
                                             executable: "/bin/sh")
        #expect(outcome.status == 1, "\(arguments): \(outcome)", sourceLocation: sourceLocation)
        #expect(outcome.stderrLines.count == 1 && outcome.standardError.hasPrefix("ganpipe: error: "), "\(outcome)", sourceLocation: sourceLocation)
        for word in words {
            #expect(outcome.standardError.contains(word), "'\(word)' missing in \(outcome.standardError)", sourceLocation: sourceLocation)
        }
        #expect(try DatabaseDump.digest(database) == before, "\(arguments) changed the database", sourceLocation: sourceLocation)
    }

    @Test func sizesThatOverflowAreRefusedNotTrapped() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        try Data("1,2,3,4\n5,6,7,8\n".utf8).write(to: URL(fileURLWithPath: folder.file("t.csv")))
        try Self.expectRefusedQuickly(["data", "import", folder.file("t.csv"), "--name", "t", "--sample-shape", "4294967296,4294967296,4294967296"],
                                      database: database, mentioning: ["--sample-shape", "not a shape"])
        // float32 IDX, 65536×65536×65536×16384: 2⁶⁴ bytes of data claimed by a 64-byte file.
        let header: [UInt8] = [0, 0, 0x0D, 4, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0x40, 0]
        try Data(header + [UInt8](repeating: 0, count: 64)).write(to: URL(fileURLWithPath: folder.file("big-idx3-ubyte")))
        try Self.expectRefusedQuickly(["data", "import", folder.file("big-idx3-ubyte"), "--name", "b"], database: database,
                                      mentioning: ["65536×65536×65536×16384", "more bytes than any file holds"])
    }

    @Test func emptyDimensionsAreRefusedAtImportAndTraining() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        let npy = DatasetExporter.npy(NumericArray(float32: [], shape: [50, 0]))
        try Data(npy).write(to: URL(fileURLWithPath: folder.file("empty.npy")))
        try Self.expectRefusedQuickly(["data", "import", folder.file("empty.npy"), "--name", "e"], database: database,
                                      mentioning: ["(50, 0)", "size 0"])
        // A dataset stored with no values per sample (by an older ganpipe, or by hand): training
        // refuses it before a run row exists.
        let opened = try GanDatabase.open(path: database)
        try TestDatasets.insert([], shape: [50, 0], into: opened, name: "hollow")
        try opened.close()
        try Self.expectRefusedQuickly(["train", "--dataset", "hollow", "--objective", "gan", "--steps", "2"], database: database,
                                      mentioning: ["hollow", "no values to train on"])
    }

    /// Networks that cannot fit are refused with the estimate before a run row exists: width
    /// 16384 needs about 39 GB, beyond this machine; one network of width 8192 (4.9 GB) and
    /// eight layers at a batch of 65536 (17 GB) are beyond the 4 GB of address space the
    /// commands run in here.
    @Test func networksThatCannotFitInMemoryAreRefusedUpFront() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        for size in [["--generator-width", "16384", "--discriminator-width", "16384"], ["--generator-width", "8192"],
                     ["--batch-size", "65536", "--generator-depth", "8", "--discriminator-depth", "8"]] {
            try Self.expectRefusedQuickly(["train", "--dataset", "8gaussians", "--objective", "wgan-gp", "--steps", "2"] + size, database: database,
                                          mentioning: ["training needs about", "parameters, batch", "of memory available", "smaller batch size"])
        }
    }

    @Test func devicesFIFOsAndStreamsAreRefusedBeforeReading() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        #expect(mkfifo(folder.file("fifo"), 0o600) == 0)
        for (path, kind) in [("/dev/zero", "character device"), ("/dev/urandom", "character device"), (folder.file("fifo"), "FIFO")] {
            try Self.expectRefusedQuickly(["data", "import", path, "--name", "x"], database: database, mentioning: [kind, "regular files only"])
        }
        try Data("1,2\n3,4\n".utf8).write(to: URL(fileURLWithPath: folder.file("t.csv")))
        try Self.expectRefusedQuickly(["data", "import", folder.file("t.csv"), "--name", "x", "--labels", "/dev/zero"], database: database,
                                      mentioning: ["/dev/zero", "character device"])
    }

    @Test func aCompressionBombIsRefusedBeforeItIsInflated() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        // 256 MiB of zeros in about 250 KB; named like data so that only its content gives it away.
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let bomb = (0..<256).reduce(into: [UInt8]()) { bomb, _ in bomb += Gzip.compress(zeros, level: 9) }
        try Data(bomb).write(to: URL(fileURLWithPath: folder.file("bomb-idx3-ubyte.gz")))
        try Self.expectRefusedQuickly(["data", "import", folder.file("bomb-idx3-ubyte.gz"), "--name", "bomb"], database: database,
                                      mentioning: ["neither NPY, IDX nor CSV", "00 00 00 00"])
        // Decompression itself stops at its limit, whatever the content.
        let text = Gzip.compress([UInt8](repeating: 0x31, count: 1 << 16))
        #expect(throws: LoaderError.self) { _ = try Gzip.decompress(text, path: "text.gz", limit: 1 << 12) }
        #expect(try Gzip.decompress(text, path: "text.gz", limit: 1 << 16).count == 1 << 16)
    }

    @Test func outputsNeverReplaceWhatIsNotARegularFile() throws {
        let folder = TemporaryDirectory()
        let database = try TrainCommandTests.databaseWithRuns(["r"], in: folder)
        #expect(mkfifo(folder.file("out.fifo.npy"), 0o600) == 0 && mkfifo(folder.file("out.fifo.safetensors"), 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: folder.file("link.html"), withDestinationPath: folder.file("h.sqlite"))
        let cases: [([String], String)] = [
            (["report", "r", "--out", folder.file("out.fifo.npy")], "FIFO"),
            (["report", "r", "--out", folder.file("link.html")], "symbolic link"),
            (["export", "r", "--to", folder.file("out.fifo.safetensors"), "--force"], "FIFO"),
            (["data", "export", "8gaussians", "--to", folder.file("out.fifo.npy"), "--force"], "FIFO"),
            (["db", "backup", "--to", folder.file("out.fifo.npy"), "--force"], "FIFO"),
        ]
        for (arguments, kind) in cases {
            try Self.expectRefusedQuickly(arguments, database: database, mentioning: [kind, "regular files only"])
        }
        var status = stat()
        #expect(lstat(folder.file("out.fifo.npy"), &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
        #expect(lstat(folder.file("link.html"), &status) == 0 && status.st_mode & S_IFMT == S_IFLNK)
    }

    @Test func runNamesAreNeitherPathsNorTerminalCommands() throws {
        let folder = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.file("work"), withIntermediateDirectories: false)
        let hostile = "../../x\u{1B}[31mred"
        // train refuses such a name (pattern and control characters); a database written by an older ganpipe
        // may still hold one, and everything that prints or derives a file name from it is safe.
        let database = try TrainCommandTests.databaseWithRuns(["../../x"], in: folder)
        let refused = try GanPipeProcess.run(["train", "--db", database, "--dataset", "8gaussians", "--objective", "gan", "--steps", "2", "--name", hostile])
        #expect(refused.status == 1 && refused.stderrLines.count == 1 && refused.standardError.contains("cannot name a run"), "\(refused)")
        try RawDatabase(path: database).write { try $0.execute(sql: "UPDATE runs SET name = ? WHERE id = 1", arguments: [hostile]) }
        let runs = try GanPipeProcess.run(["runs", "--db", database])
        #expect(!runs.standardOutput.contains("\u{1B}") && runs.standardOutput.contains("../../x\\u{1B}[31mred"), "\(runs)")
        let show = try GanPipeProcess.run(["show", "1", "--db", database])
        #expect(!show.standardOutput.contains("\u{1B}"), "\(show)")
        // The default report file stays in the working folder, under a name that is no path.
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        let report = try GanPipeProcess.run(["report", "1", "--db", database], in: folder.file("work"))
        #expect(report.status == 0, "\(report)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("work")) == ["_._.._x__31mred-report.html"])
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == before)
    }

    /// Starts `ganpipe run` on a pipeline of two long runs and returns it once both workers
    /// train, with their pids (from `runs.owner`, `host:pid`).
    static func pipelineInFlight(in folder: TemporaryDirectory) throws -> (Process, database: String, workers: [Int32]) {
        let pipeline = try RunCommandTests.writePipeline(in: folder, steps: 200_000)
        let database = folder.file("p.sqlite")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: GanPipeProcess.executablePath)
        process.arguments = ["run", pipeline, "--db", database, "--jobs", "2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            usleep(200_000)
            guard FileManager.default.fileExists(atPath: database),
                  let opened = try? GanDatabase.open(path: database, access: .readOnly) else { continue }
            let owners = (try? RawDatabase(opened).read {
                try String.fetchAll($0, sql: "SELECT owner FROM runs WHERE status = 'running' AND current_step > 0 AND owner IS NOT NULL")
            }) ?? []
            try? opened.close()
            if owners.count == 2 { return (process, database, owners.compactMap { $0.split(separator: ":").last.flatMap { Int32($0) } }) }
        }
        process.terminate()
        throw CocoaError(.fileReadUnknown)
    }

    /// Waits up to 30 s for `pids` to be gone.
    static func gone(_ pids: [Int32]) -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if pids.allSatisfy({ kill($0, 0) != 0 && errno == ESRCH }) { return true }
            usleep(100_000)
        }
        return false
    }

    static func statuses(_ database: String) throws -> [String] {
        let opened = try GanDatabase.open(path: database, access: .readOnly)
        defer { try? opened.close() }
        return try RawDatabase(opened).read { try String.fetchAll($0, sql: "SELECT status FROM runs ORDER BY id") }
    }

    @Test func aStoppedPipelineStopsItsWorkersEachAfterACheckpoint() throws {
        let folder = TemporaryDirectory()
        let (process, database, workers) = try Self.pipelineInFlight(in: folder)
        #expect(workers.count == 2)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(Self.gone(workers), "workers \(workers) outlived the pipeline")
        #expect(try Self.statuses(database).filter { $0 == "interrupted" }.count == 2)
    }

    @Test func aKilledPipelineLeavesNoOrphans() throws {
        let folder = TemporaryDirectory()
        let (process, database, workers) = try Self.pipelineInFlight(in: folder)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(Self.gone(workers), "workers \(workers) kept training without their pipeline")
        let statuses = try Self.statuses(database)
        #expect(statuses.filter { $0 == "interrupted" }.count == 2, "\(statuses)")
    }

    @Test func sqlIsBoundedInRowsAndTimeAndExposesNoMemory() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
        let rows = try GanPipeProcess.run(["sql", endless, "--db", database, "--format", "json", "--max-rows", "3"])
        #expect(rows.status == 0, "\(rows)")
        #expect(rows.standardOutput == "[{\"x\":1},{\"x\":2},{\"x\":3}]\n")
        #expect(rows.stderrLines.count == 1 && rows.standardError.contains("stopped after 3 rows"), "\(rows)")
        let counting = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
        try Self.expectRefusedQuickly(["sql", counting, "--timeout", "1"], database: database, mentioning: ["longer than 1 s", "--timeout"])
        for leak in ["SELECT hex(fts3_tokenizer('simple'))", "SELECT hex(FTS3_Tokenizer('porter'))", "SELECT fts3_tokenizer('x', x'0000000000000000')"] {
            try Self.expectRefusedQuickly(["sql", leak], database: database, mentioning: ["fts3_tokenizer is not available"])
        }
        // The function is what is disabled, not the word.
        let word = try GanPipeProcess.run(["sql", "SELECT 'fts3_tokenizer' AS word", "--db", database, "--format", "csv"])
        #expect(word.status == 0 && word.standardOutput == "word\nfts3_tokenizer\n", "\(word)")
        try Self.expectRefusedQuickly(["sql", "SELECT 1", "--max-rows=-1"], database: database, mentioning: ["--max-rows"])
    }

    @Test func pipelineMistakesAreFoundBeforeAnythingRuns() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        let pipeline = try String(contentsOfFile: try RunCommandTests.writePipeline(in: folder), encoding: .utf8)
        try pipeline.replacingOccurrences(of: "dataset: [toy]", with: "dataset: [nosuch]")
            .write(toFile: folder.file("undefined.yaml"), atomically: true, encoding: .utf8)
        try (pipeline + "\nreports: /proc/ganpipe-reports\n").write(toFile: folder.file("proc.yaml"), atomically: true, encoding: .utf8)
        try pipeline.replacingOccurrences(of: "seed: [1, 2]", with: "seed: [-1]")
            .write(toFile: folder.file("negative.yaml"), atomically: true, encoding: .utf8)
        try pipeline.replacingOccurrences(of: "steps: 40,", with: "steps: 1.5,")
            .write(toFile: folder.file("fraction.yaml"), atomically: true, encoding: .utf8)
        // 10⁹ runs from a 12 KB file: refused by its count, before a run is planned.
        let thousand = "[" + (1...1000).map(String.init).joined(separator: ", ") + "]"
        try pipeline.replacingOccurrences(of: "seed: [1, 2]", with: "seed: \(thousand)\n  learning_rate: \(thousand)\n  discriminator_steps: \(thousand)")
            .write(toFile: folder.file("billion.yaml"), atomically: true, encoding: .utf8)
        try Self.expectRefusedQuickly(["run", folder.file("negative.yaml"), "--dry-run"], database: database,
                                      mentioning: ["negative.yaml:", "matrix.seed", "'-1'", "whole number from 0"])
        try Self.expectRefusedQuickly(["run", folder.file("fraction.yaml"), "--dry-run"], database: database,
                                      mentioning: ["fraction.yaml:", "train.steps", "'1.5'", "whole number"])
        for dryRun in [["--dry-run"], []] {
            try Self.expectRefusedQuickly(["run", folder.file("billion.yaml")] + dryRun, database: database,
                                          mentioning: ["billion.yaml:", "makes 2000000000 runs", "limit of 1000", "--max-runs"])
            try Self.expectRefusedQuickly(["run", folder.file("undefined.yaml")] + dryRun, database: database,
                                          mentioning: ["undefined.yaml:", "matrix.dataset", "'nosuch'"])
            try Self.expectRefusedQuickly(["run", folder.file("proc.yaml")] + dryRun, database: database,
                                          mentioning: ["/proc/ganpipe-reports", "reports:"])
        }
    }
}
