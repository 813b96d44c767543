import Foundation
import GanLoader
import GanStore
import GanTestSupport
import GRDB
import Testing

/// `ganpipe data …` end to end through the real binary: generate, import, list, show, export,
/// delete, and every bad input refused with one line, a non-zero exit and unchanged files.
@Suite struct DataCommandTests {
    func run(_ arguments: [String], in folder: TemporaryDirectory, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let outcome = try GanPipeProcess.run(arguments, in: folder.path)
        #expect(outcome.status == 0, "\(arguments): \(outcome)", sourceLocation: sourceLocation)
        #expect(outcome.standardError.isEmpty, "no progress output in a pipe: \(outcome.standardError)", sourceLocation: sourceLocation)
        return outcome.standardOutput
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func generateListShowExportReimportAndDelete() throws {
        let folder = TemporaryDirectory()
        let stored = try json(try run(["data", "generate", "8gaussians", "--samples", "2000", "--seed", "3", "--json"], in: folder))
        #expect(stored["name"] as? String == "8gaussians-2000-s3" && stored["train_count"] as? Int == 1800)
        let other = TemporaryDirectory()
        let again = try json(try run(["data", "generate", "8gaussians", "--samples", "2000", "--seed", "3", "--json"], in: other))
        #expect(again["content_sha256"] as? String == stored["content_sha256"] as? String, "same seed, same bytes")
        _ = try run(["data", "generate", "swissroll", "--samples", "500", "--name", "roll", "--test-fraction", "0.2"], in: folder)

        let list = try run(["data", "list"], in: folder)
        #expect(list.contains("8gaussians-2000-s3") && list.contains("roll") && list.contains("1800/200") && list.contains("400/100"))
        let listed = try JSONSerialization.jsonObject(with: Data(try run(["data", "list", "--json"], in: folder).utf8)) as? [[String: Any]]
        #expect(listed?.map { $0["name"] as? String } == ["8gaussians-2000-s3", "roll"])
        let shown = try json(try run(["data", "show", "8gaussians-2000-s3", "--json", "--verify"], in: folder))
        let metadata = try #require(shown["metadata"] as? [String: Any])
        #expect((metadata["modes"] as? [[Double]])?.count == 8 && (metadata["mode_std"] as? Double ?? 0) > 0.014)
        #expect(shown["verified_parts"] as? Int == 2)
        #expect(try run(["data", "show", "2"], in: folder).contains("dataset roll (id 2)"))

        // CSV export reads back to the same values: the re-import is reported as a duplicate.
        _ = try run(["data", "export", "8gaussians-2000-s3", "--to", "eight.csv"], in: folder)
        _ = try run(["data", "export", "8gaussians-2000-s3", "--to", "eight.npy", "--split", "test", "--labels-to", "labels.npy"], in: folder)
        #expect(FileManager.default.fileExists(atPath: folder.file("eight.npy")) && FileManager.default.fileExists(atPath: folder.file("labels.npy")))
        try expectRefused(["data", "import", "eight.csv", "--name", "copy", "--labels-column", "last"], in: folder,
                          mentioning: ["same arrays", "'8gaussians-2000-s3'", "--allow-duplicate"])
        let copy = try json(try run(["data", "import", "eight.csv", "--name", "copy", "--labels-column", "last", "--allow-duplicate", "--json"], in: folder))
        #expect(copy["content_sha256"] as? String == stored["content_sha256"] as? String)
        let test = try json(try run(["data", "import", "eight.npy", "--name", "test-part", "--labels", "labels.npy", "--test-fraction", "0", "--json"], in: folder))
        #expect(test["sample_count"] as? Int == 200 && test["element_type"] as? String == "float32")

        #expect(try run(["data", "delete", "copy"], in: folder).contains("deleted dataset 'copy'"))
        #expect(!(try run(["data", "list"], in: folder)).contains("copy "))
    }

    @Test func importsTheCommittedUCIDigitsInOneCommand() throws {
        let digits = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("data/digits.csv.gz").path
        let folder = TemporaryDirectory()
        let stored = try json(try run(["data", "import", digits, "--name", "digits", "--labels-column", "last",
                                       "--sample-shape", "8,8", "--scale", "0.0625", "--json"], in: folder))
        #expect(stored["sample_count"] as? Int == 1797 && stored["sample_shape"] as? [Int] == [8, 8])
        #expect(stored["element_type"] as? String == "uint8" && (stored["labels"] as? [String: Int])?["max"] == 9)
        #expect(stored["train_count"] as? Int == 1617 && stored["test_count"] as? Int == 180)
    }

    @Test func deleteIsRefusedWhileARunUsesTheDataset() throws {
        let folder = TemporaryDirectory()
        _ = try run(["data", "generate", "ring", "--samples", "100", "--name", "ring"], in: folder)
        let database = try GanDatabase.open(path: folder.file("ganpipe.sqlite"))
        let dataset = try DatasetCatalog(database).find("ring")
        _ = try RunStore(database).insert(RunRecord(name: "gp-1", objective: "wgan-gp", datasetId: dataset.id, seed: 1, configJson: "{}", totalSteps: 1))
        try database.close()
        try expectRefused(["data", "delete", "ring"], in: folder, mentioning: ["'ring'", "gp-1", "--force"])
        #expect(try run(["data", "delete", "ring", "--force"], in: folder).contains("gp-1"))
    }

    @Test func aCorruptPartIsReportedByShowVerifyAndExport() throws {
        let folder = TemporaryDirectory()
        _ = try run(["data", "generate", "25gaussians", "--samples", "1000", "--name", "g25"], in: folder)
        let database = try GanDatabase.open(path: folder.file("ganpipe.sqlite"))
        try RawDatabase(database).write { db in
            try db.execute(sql: "UPDATE dataset_parts SET data = zeroblob(length(data)) WHERE part_index = 0 AND array_id = (SELECT min(id) FROM dataset_arrays)")
        }
        try database.close()
        try expectRefused(["data", "show", "g25", "--verify"], in: folder, mentioning: ["dataset 'g25' is corrupt", "part 0", "SHA-256"])
        try expectRefused(["data", "export", "g25", "--to", "g.npy"], in: folder, mentioning: ["corrupt"])
    }
}
