import Foundation
import GanStore
import GanTestSupport
import GRDB
import Testing

/// A full disk and read-only databases, made for real: a small tmpfs, a tmpfs remounted
/// read-only, the immutable file attribute, and a locked folder read as `nobody`. Those need
/// root: without it they are disabled and say so (CI runs as root, so there they run).
@Suite(.serialized) struct StorageFaultTests {
    static func shell(_ command: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static let isRoot = geteuid() == 0

    @Test(.enabled(if: StorageFaultTests.isRoot, "needs root (mount)"))
    func aFullDiskStopsTrainingInOneLineAndKeepsWhatWasCommitted() throws {
        let mountPoint = TemporaryDirectory()
        try #require(try Self.shell("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint.path]) == 0,
                     "mounting a small tmpfs failed")
        defer { _ = try? Self.shell("/bin/umount", [mountPoint.path]) }
        let path = mountPoint.file("full.sqlite")
        let database = try GanDatabase.open(path: path)
        try TestDatasets.insertEightGaussians(into: database, count: 512, testCount: 64)
        try database.close()

        // Each checkpoint holds about 0.8 MB (weights and Adam moments of two 128-wide MLPs).
        let outcome = try GanPipeProcess.run(["train", "--db", path, "--dataset", "8gaussians", "--objective", "wgan-gp",
                                              "--steps", "200", "--batch-size", "32", "--generator-width", "128",
                                              "--discriminator-width", "128", "--checkpoint-every", "5", "--name", "filling"])
        #expect(outcome.status == 1, "\(outcome)")
        // One error line (after the kernel notice, on a CPU where ganpipe replaced OpenBLAS's choice).
        let errors = outcome.stderrLines.filter { !$0.hasPrefix("ganpipe: note: ") }
        #expect(errors.count == 1 && outcome.standardError.contains("is full"), "\(outcome.standardError)")

        let check = try GanPipeProcess.run(["db", "check", "--full", "--db", path])
        #expect(check.status == 0, "\(check)")
        let reader = try GanDatabase.open(path: path, access: .readOnly)
        let run = try RunStore(reader).find("filling")
        let checkpoint = try #require(try CheckpointStore(reader).latestComplete(runId: run.id!))
        #expect(checkpoint.step >= 5, "a checkpoint was committed before the disk filled")
        #expect(try CheckpointStore(reader).blobs(of: checkpoint).count > 10)
        let metricsAtCheckpoint = try RawDatabase(reader).read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM metrics WHERE run_id = ? AND key = 'loss/generator' AND step <= ?",
                             arguments: [run.id, checkpoint.step])
        }
        #expect(metricsAtCheckpoint == checkpoint.step)
        try reader.close()
    }

    @Test(.enabled(if: StorageFaultTests.isRoot, "needs root (chattr +i)"))
    func aReadOnlyDatabaseIsRefusedInOneLineAndLeftAlone() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("frozen.sqlite")
        let database = try GanDatabase.open(path: path)
        try TestDatasets.insertEightGaussians(into: database)
        try database.close()
        let digest = try DatabaseDump.digest(path)
        try #require(try Self.shell("/usr/bin/chattr", ["+i", path]) == 0, "setting the immutable attribute failed")
        defer { _ = try? Self.shell("/usr/bin/chattr", ["-i", path]) }
        for arguments in [["train", "--dataset", "8gaussians", "--objective", "gan", "--steps", "3"],
                          ["data", "generate", "ring", "--samples", "100", "--name", "ring"], ["db", "init"]] {
            let outcome = try GanPipeProcess.run(arguments + ["--db", path])
            #expect(outcome.status == 1, "\(arguments): \(outcome)")
            #expect(outcome.stderrLines.count == 1 && outcome.standardError.contains("cannot write"), "\(arguments): \(outcome.standardError)")
        }
        let runs = try GanPipeProcess.run(["runs", "--db", path])
        #expect(runs.status == 0, "reading still works: \(runs)")
        #expect(try DatabaseDump.digest(path) == digest)
    }

    /// Every read-only command reads a database on a read-only filesystem (a tmpfs mounted
    /// read-only), and in a folder its user may not write (as `nobody`, a 0444 file in a 0555
    /// folder): SQLite cannot make the `-shm` file a WAL reader needs there. Commands that
    /// write are refused in one line; nothing is left beside the database.
    @Test(.enabled(if: StorageFaultTests.isRoot, "needs root (mount, setpriv)"))
    func aDatabaseOnAReadOnlyFilesystemOrFolderServesEveryReadOnlyCommand() throws {
        let folder = TemporaryDirectory()
        let source = try TrainCommandTests.databaseWithRuns(["a", "b"], in: folder)
        let output = folder.file("out")
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        func reads(_ path: String) -> [[String]] {
            [["runs"], ["show", "a"], ["sql", "SELECT count(*) FROM metrics"], ["db", "check"], ["db", "check", "--full"],
             ["data", "list"], ["data", "show", "8gaussians"], ["report", "a", "--out", output + "/a.html"], ["diagnose", "a"],
             ["export", "a", "--to", output + "/a.safetensors"], ["compare", "a", "b", "--html", output + "/c.html"],
             ["data", "export", "8gaussians", "--to", output + "/d.npy"], ["db", "backup", "--to", output + "/backup.sqlite"]]
                .map { $0 + ["--db", path] }
        }
        /// `ganpipe arguments…`, as the user `setpriv` arguments name (none: this process's).
        // Another user may not reach the build folder (a clone under /root): it runs a copy.
        let executable = folder.file("ganpipe")
        try GanPipeProcess.copyExecutable(to: executable)
        func run(_ arguments: [String], as user: [String]) throws -> GanPipeProcess.Outcome {
            user.isEmpty ? try GanPipeProcess.run(arguments)
                : try GanPipeProcess.run(user + [executable] + arguments, executable: "/usr/bin/setpriv")
        }
        func expectReadable(_ path: String, as user: [String] = []) throws {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            for arguments in reads(path) {
                let outcome = try run(arguments, as: user)
                #expect([0, 3].contains(outcome.status) && !outcome.standardError.contains("error"), "\(arguments): \(outcome)")
                for written in try FileManager.default.contentsOfDirectory(atPath: output) { try FileManager.default.removeItem(atPath: output + "/" + written) }
            }
            let train = try run(["train", "--dataset", "8gaussians", "--objective", "gan", "--steps", "2", "--db", path], as: user)
            #expect(train.status == 1 && train.stderrLines.count == 1 && train.standardError.contains("cannot write"), "\(train)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) == [URL(fileURLWithPath: path).lastPathComponent])
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        }

        let mountPoint = folder.file("ro")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        try #require(try Self.shell("/bin/mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint]) == 0, "mounting a tmpfs failed")
        defer { _ = try? Self.shell("/bin/umount", [mountPoint]) }
        try FileManager.default.copyItem(atPath: source, toPath: mountPoint + "/g.sqlite")
        try #require(try Self.shell("/bin/mount", ["-o", "remount,ro", mountPoint]) == 0)
        try expectReadable(mountPoint + "/g.sqlite")

        let locked = folder.file("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: source, toPath: locked + "/g.sqlite")
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: locked + "/g.sqlite")
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: locked)
        try expectReadable(locked + "/g.sqlite", as: ["--reuid=65534", "--regid=65534", "--clear-groups"])
    }

    /// A damaged page of `runs` (bytes of its first row flipped, as a failing disk would):
    /// `train` refuses to add a run to it — it used to train, exit 0, and leave a run that
    /// could not be read back — and the commands that read it say the database is damaged and
    /// how to check it, in one line.
    @Test func aDamagedRunsPageIsReportedNotWrittenInto() throws {
        let folder = TemporaryDirectory()
        let path = try TrainCommandTests.databaseWithRuns(["first"], in: folder)
        let database = try GanDatabase.open(path: path)
        let root = try RawDatabase(database).read { try Int.fetchOne($0, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'runs'") } ?? 0
        try RawDatabase(database).writeWithoutTransaction { _ = try $0.checkpoint(.truncate) }
        try database.close()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let page = (root - 1) * GanDatabase.pageSize
        let firstCell = page + Int(bytes[page + 5]) << 8 + Int(bytes[page + 6])
        for offset in firstCell + 2 ..< firstCell + 40 { bytes[offset] ^= 0x5A }
        try bytes.write(to: URL(fileURLWithPath: path))

        let train = try GanPipeProcess.run(["train", "--db", path, "--dataset", "8gaussians", "--objective", "gan", "--steps", "2",
                                            "--generator-width", "8", "--discriminator-width", "8", "--name", "second"])
        #expect(train.status == 1 && train.stderrLines.count == 1, "\(train)")
        #expect(train.standardError.contains("is damaged") && train.standardError.contains("db check --full --db \(path)"), "\(train)")
        let runs = try GanPipeProcess.run(["runs", "--db", path])
        #expect(runs.status == 1 && runs.stderrLines.count == 1 && runs.standardError.contains("\(path) is damaged"), "\(runs)")
        let check = try GanPipeProcess.run(["db", "check", "--db", path])
        #expect(check.status == 1 && check.standardError.contains("is damaged"), "\(check)")
    }
}
