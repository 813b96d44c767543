import Foundation
import GanLoader
import GanStore
import GanTestSupport
import GRDB
import Testing

/// Storing, finding, loading and deleting datasets: one transaction, verified checksums,
/// duplicate detection, and agreement with GanStore's reader that the trainer uses.
@Suite struct DatasetCatalogTests {
    func counts(_ database: GanDatabase) throws -> [Int] {
        try RawDatabase(database).read { db in
            try ["datasets", "dataset_arrays", "dataset_parts"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1 }
        }
    }

    @Test func savesAndLoadsBackExactly() throws {
        let database = try GanDatabase.inMemory()
        let catalog = DatasetCatalog(database)
        let content = try SyntheticGenerator(kind: .eightGaussians, count: 1000, seed: 5).generate()
        let record = try catalog.save(content, name: "eight")
        #expect(record.id != nil && record.sampleCount == 1000 && record.trainCount == 900 && record.testCount == 100)
        #expect(record.kind == .synthetic && record.seed == 5 && record.source == "8gaussians")
        let loaded = try catalog.load("eight")
        #expect(loaded.samples == content.samples.floatValues())
        #expect(loaded.labels == content.labels?.integerValues().map { Int32($0) })
        #expect(loaded.featureCount == 2 && loaded.sampleShape == [2] && loaded.trainSamples.count == 1800)
        #expect(loaded.metadata.modes?.count == 8 && loaded.metadata.modeStd == content.metadata.modeStd)
        #expect(loaded.gather([3, 1]) == Array(loaded.rows(3..<4)) + Array(loaded.rows(1..<2)))
        #expect(try catalog.load(String(record.id!)).name == "eight")
        let stored = try #require(try GanStore.DatasetStore(database).array("samples", of: record))
        #expect(try stored.floats() == loaded.samples, "the trainer's reader sees the same floats")
    }

    @Test func uint8ImagesKeepTheirScaleAndAgreeWithTheStoreReader() throws {
        let folder = TemporaryDirectory()
        let database = try GanDatabase.open(path: folder.file("catalog.sqlite"))
        // 5 MiB of pixels: more than one 4 MiB part.
        let pixels = (0..<(1280 * 4096)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var samples = NumericArray(elementType: .uint8, shape: [1280, 64, 64], bytes: pixels)
        samples.scale = 2.0 / 255
        samples.offset = -1
        let content = DatasetContent(kind: .imported, source: "/x", samples: samples, testCount: 280, metadata: DatasetMetadata())
        let record = try DatasetCatalog(database).save(content, name: "pixels")
        #expect(try counts(database) == [1, 1, 2])
        let loaded = try DatasetCatalog(database).load("pixels")
        #expect(loaded.samples.min() == -1 && loaded.samples.max() == 1)
        let stored = try #require(try GanStore.DatasetStore(database).array("samples", of: record))
        #expect(try stored.floats() == loaded.samples)
        #expect(try DatasetCatalog(database).verify("pixels") == 2)
    }

    @Test func takenNamesAndDuplicateContentAreRefusedWithoutWriting() throws {
        let folder = TemporaryDirectory()
        let database = try GanDatabase.open(path: folder.file("catalog.sqlite"))
        let catalog = DatasetCatalog(database)
        let content = try SyntheticGenerator(kind: .ring, count: 100, seed: 1).generate()
        try catalog.save(content, name: "ring")
        let before = try counts(database)
        #expect(throws: LoaderError.nameExists(name: "ring")) { try catalog.save(content, name: "ring") }
        #expect(throws: LoaderError.nameExists(name: "ring")) { try catalog.requireFreeName("ring") }
        #expect(throws: LoaderError.duplicateContent(name: "ring2", existing: "ring")) { try catalog.save(content, name: "ring2") }
        #expect(try counts(database) == before)
        try catalog.save(content, name: "ring2", allowDuplicate: true)
        #expect(try catalog.list().map(\.name) == ["ring", "ring2"])
        for bad in ["", "12", "-x", " x", "a\u{7}b", String(repeating: "n", count: 201)] {
            #expect(throws: LoaderError.self, "\(bad)") { try catalog.save(content, name: bad) }
        }
    }

    @Test func aCorruptPartIsReportedNeverUsed() throws {
        let folder = TemporaryDirectory()
        let database = try GanDatabase.open(path: folder.file("catalog.sqlite"))
        let catalog = DatasetCatalog(database)
        try catalog.save(try SyntheticGenerator(kind: .grid, count: 100, seed: 1).generate(), name: "grid")
        let raw = RawDatabase(database)
        try raw.write { db in
            try db.execute(sql: "UPDATE dataset_parts SET data = zeroblob(length(data)) WHERE array_id = (SELECT id FROM dataset_arrays WHERE name = 'samples')")
        }
        let message = LoaderCorpus.message { _ = try catalog.load("grid") }
        #expect(message == "dataset 'grid' is corrupt: array 'samples' part 0 fails its SHA-256 check (stored \(try partHash(database))…); delete it and import or generate it again")
        try raw.write { try $0.execute(sql: "DELETE FROM dataset_parts WHERE array_id = (SELECT id FROM dataset_arrays WHERE name = 'labels')") }
        #expect(LoaderCorpus.message { _ = try catalog.verify("grid") }?.contains("corrupt") == true)
    }

    func partHash(_ database: GanDatabase) throws -> String {
        try RawDatabase(database).read { db in
            String(try String.fetchOne(db, sql: "SELECT p.sha256 FROM dataset_parts p JOIN dataset_arrays a ON a.id = p.array_id WHERE a.name = 'samples'")!.prefix(12))
        }
    }

    @Test func deleteIsRefusedWhileRunsUseTheDatasetUnlessForced() throws {
        let folder = TemporaryDirectory()
        let database = try GanDatabase.open(path: folder.file("catalog.sqlite"))
        let catalog = DatasetCatalog(database)
        let record = try catalog.save(try SyntheticGenerator(kind: .swissroll, count: 100, seed: 1).generate(), name: "roll")
        _ = try RunStore(database).insert(RunRecord(name: "run-a", objective: "wgan-gp", datasetId: record.id, seed: 1, configJson: "{}", totalSteps: 1))
        #expect(throws: LoaderError.datasetInUse(name: "roll", runs: ["run-a"])) { try catalog.delete("roll", force: false) }
        #expect(try counts(database) == [1, 1, 1])
        let (deleted, detached) = try catalog.delete("roll", force: true)
        #expect(deleted.name == "roll" && detached == ["run-a"])
        #expect(try counts(database) == [0, 0, 0])
        #expect(try RunStore(database).find("run-a").datasetId == nil)
        #expect(throws: LoaderError.unknownDataset("roll")) { try catalog.delete("roll", force: false) }
        #expect(throws: LoaderError.unknownDataset("nope")) { try catalog.load("nope") }
    }
}
