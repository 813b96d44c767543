import ArgumentParser
import Foundation
import GanLoader
import GanStore

/// `ganpipe data …`: the loader stage. Generates the toy distributions of the GAN literature,
/// imports CSV, NPY and IDX (MNIST) files, and lists, shows, exports and deletes datasets.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Generate, import, list, show, export and delete datasets.",
        discussion: """
            Examples:
              ganpipe data generate 8gaussians --samples 100000 --seed 1
              ganpipe data import data/digits.csv.gz --name digits \\
                  --labels-column last --sample-shape 8,8 --scale 0.0625
              F=/usr/share/datasets/fashion-mnist
              ganpipe data import $F/train-images-idx3-ubyte.gz \\
                  --labels $F/train-labels-idx1-ubyte.gz \\
                  --test $F/t10k-images-idx3-ubyte.gz \\
                  --test-labels $F/t10k-labels-idx1-ubyte.gz --name fashion-mnist
            """,
        subcommands: [Generate.self, Import.self, Subset.self, List.self, Show.self, Export.self, Delete.self]
    )

    /// Fails early, before any slow work, if `name` is invalid or taken in an existing database.
    /// A database that does not exist yet (or cannot be read yet) is checked again on save.
    static func requireFreeName(_ name: String, database: DatabaseOptions) throws {
        try DatasetCatalog.validate(name: name)
        try withExistingDatabase(database) { try DatasetCatalog($0).requireFreeName(name) }
    }

    /// Runs `body` on the database opened read-only, if it exists and opens read-only (one that
    /// needs migrating is checked later, inside the write transaction).
    static func withExistingDatabase(_ database: DatabaseOptions, _ body: (GanDatabase) throws -> Void) throws {
        guard FileManager.default.fileExists(atPath: database.resolvedPath),
              let opened = try? database.openForReading() else { return }
        defer { try? opened.close() }
        try body(opened)
    }

    /// Stores `content` and prints what was stored (text or one JSON object).
    static func store(_ content: DatasetContent, name: String, allowDuplicate: Bool, database: DatabaseOptions,
                      json: Bool, progress: ProgressLine, started: Date) throws {
        progress.update("checksumming", 0)
        let prepared = try PreparedDataset(content, name: name)
        // Refusals (taken name, duplicate content) are decided with reads: a database opened for
        // writing is checkpointed on close, which would change its bytes even without a commit.
        try withExistingDatabase(database) { try DatasetCatalog($0).checkCanSave(prepared, allowDuplicate: allowDuplicate) }
        let opened = try database.openForWriting()
        defer { try? opened.close() }
        let record = try DatasetCatalog(opened).save(prepared, allowDuplicate: allowDuplicate) {
            progress.update($0, $1)
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(started)
        let samples = content.samples
        let labelRange = content.labels.map { $0.integerValues() }.flatMap { values in values.min().map { ($0, values.max()!) } }
        if json {
            var object: [String: any Sendable] = [
                "id": record.id ?? 0, "name": record.name, "kind": record.kind.rawValue, "source": record.source,
                "sample_count": record.sampleCount, "train_count": record.trainCount, "test_count": record.testCount,
                "sample_shape": Array(samples.shape.dropFirst()), "element_type": samples.elementType.rawValue,
                "scale": samples.scale, "offset": samples.offset, "content_sha256": record.contentSha256,
                "stored_bytes": samples.bytes.count + (content.labels?.bytes.count ?? 0),
                "seconds": (seconds * 1000).rounded() / 1000, "database": opened.path,
            ]
            object["labels"] = content.labels == nil ? NSNull() : ["min": labelRange?.0 ?? 0, "max": labelRange?.1 ?? 0] as [String: any Sendable]
            object["seed"] = record.seed.map { $0 as any Sendable } ?? NSNull()
            try printJSON(object)
            return
        }
        let shape = samples.shape.dropFirst().map(String.init).joined(separator: "×")
        let scaling = samples.scale == 1 && samples.offset == 0 ? "" : String(format: ", value = e × %.6g + %.6g", samples.scale, samples.offset)
        let labelText = labelRange.map { ", labels \($0.0)…\($0.1)" } ?? ""
        print("stored dataset '\(record.name)' (id \(record.id ?? 0)) in \(opened.path): \(record.sampleCount) samples of \(shape) \(samples.elementType.rawValue)\(scaling)\(labelText); \(record.trainCount) train / \(record.testCount) test; \(String(format: "%.2f", seconds)) s")
    }
}
