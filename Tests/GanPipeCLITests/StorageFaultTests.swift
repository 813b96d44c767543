import Foundation
import GanStore
import GanTestSupport
import GRDB
import Testing

/// A full disk and a read-only database, made for real: a small tmpfs and the immutable file
/// attribute (both need root, which these tests and CI run as).
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

    @Test func aFullDiskStopsTrainingInOneLineAndKeepsWhatWasCommitted() throws {
        let mountPoint = TemporaryDirectory()
        try #require(try Self.shell("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint.path]) == 0,
                     "mounting a small tmpfs needs root")
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
        let metricsAtCheckpoint = try reader.reader.read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM metrics WHERE run_id = ? AND key = 'loss/generator' AND step <= ?",
                             arguments: [run.id, checkpoint.step])
        }
        #expect(metricsAtCheckpoint == checkpoint.step)
        try reader.close()
    }

    @Test func aReadOnlyDatabaseIsRefusedInOneLineAndLeftAlone() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("frozen.sqlite")
        let database = try GanDatabase.open(path: path)
        try TestDatasets.insertEightGaussians(into: database)
        try database.close()
        let digest = try DatabaseDump.digest(path)
        try #require(try Self.shell("/usr/bin/chattr", ["+i", path]) == 0, "the immutable attribute needs root")
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
}
