import ArgumentParser
import Foundation
import GanLoader
import GanStore

extension DataCommand {
    /// `ganpipe data list [--json]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the datasets in the database.")

        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print one JSON array of datasets.") var json = false

        func run() throws {
            let opened = try database.openForReading()
            defer { try? opened.close() }
            let catalog = DatasetCatalog(opened)
            let datasets = try catalog.list()
            let views = try datasets.map { try DatasetView($0, arrays: catalog.arrays(of: $0), runs: nil) }
            if json {
                let data = try JSONSerialization.data(withJSONObject: views.map(\.object), options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            if datasets.isEmpty {
                print("no datasets in \(opened.path); create one with `ganpipe data generate` or `ganpipe data import`")
                return
            }
            var table = TextTable(columns: ["id", "name", "kind", "samples", "train/test", "shape", "type", "labels", "source"])
            for view in views {
                let record = view.record
                table.rows.append([
                    String(record.id ?? 0), record.name, record.kind.rawValue, String(record.sampleCount),
                    "\(record.trainCount)/\(record.testCount)", view.sampleShapeText, view.samples?.elementType ?? "?",
                    view.labels == nil ? "no" : "yes", view.shortSource,
                ])
            }
            print(table.render())
        }
    }

    /// `ganpipe data show NAME [--json] [--verify]`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one dataset: provenance, arrays, split, metadata and the runs that use it.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: ArgumentHelp("The dataset's name or id.", valueName: "dataset")) var reference: String
        @Flag(help: "Also check every stored part's SHA-256 (exits 1 if one fails).") var verify = false
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            do {
                let opened = try database.openForReading()
                defer { try? opened.close() }
                let catalog = DatasetCatalog(opened)
                let record = try catalog.find(reference)
                let view = try DatasetView(record, arrays: catalog.arrays(of: record), runs: catalog.runs(using: record))
                let verifiedParts = verify ? try catalog.verify(record.name) : nil
                if json {
                    var object = view.object
                    if let verifiedParts { object["verified_parts"] = verifiedParts }
                    try printJSON(object)
                    return
                }
                var lines = [
                    "dataset \(record.name) (id \(record.id ?? 0))",
                    "  kind        \(record.kind.rawValue)",
                    "  source      \(record.source)\(record.sourceBytes.map { " (\($0) bytes)" } ?? "")",
                    "  samples     \(record.sampleCount): \(record.trainCount) train, \(record.testCount) test",
                    "  shape       \(view.sampleShapeText) per sample",
                ]
                if let seed = record.seed { lines.append("  seed        \(seed)") }
                let metadata = try? JSONDecoder().decode(DatasetMetadata.self, from: Data(record.metadataJson.utf8))
                if let provenance = metadata?.generatedBy { lines.append("  generated   \(provenance.description)") }
                if let subset = metadata?.derivedFrom {
                    let kept = subset.perClass.map { "at most \($0) training samples per class (seed \(subset.seed ?? 0)) of classes " } ?? "the training samples of classes "
                    lines.append("  subset      of \(subset.dataset): \(kept)\(subset.classes.map(String.init).joined(separator: ", ")); test split \(subset.wholeTestSplit ? "whole" : "of the same classes")")
                }
                lines.append("  content     sha256 \(record.contentSha256)")
                lines.append("  created     \(record.createdAt)")
                for array in view.arrays {
                    lines.append("  array       \(array.name) \(array.elementType) \(array.shapeJson), e × \(array.scale) + \(array.offset), \(array.byteCount) bytes, sha256 \(array.sha256.prefix(16))…")
                }
                lines.append("  runs        \(view.runs?.isEmpty ?? true ? "none" : view.runs!.joined(separator: ", "))")
                lines.append("  metadata    \(record.metadataJson)")
                if let verifiedParts { lines.append("  verified    \(verifiedParts) parts, every checksum ok") }
                print(lines.joined(separator: "\n"))
            }
        }
    }
}

/// A dataset as `list` and `show` present it.
struct DatasetView {
    var record: DatasetRecord
    var arrays: [DatasetArrayRecord]
    var runs: [String]?

    init(_ record: DatasetRecord, arrays: [DatasetArrayRecord], runs: [String]?) {
        self.record = record
        self.arrays = arrays
        self.runs = runs
    }

    var samples: DatasetArrayRecord? { arrays.first { $0.name == "samples" } }
    var labels: DatasetArrayRecord? { arrays.first { $0.name == "labels" } }

    var sampleShape: [Int] {
        guard let json = samples?.shapeJson, let shape = try? JSONDecoder().decode([Int].self, from: Data(json.utf8)) else { return [] }
        return Array(shape.dropFirst())
    }

    var sampleShapeText: String { sampleShape.isEmpty ? "-" : sampleShape.map(String.init).joined(separator: "×") }

    /// The file name only, for tables.
    var shortSource: String {
        record.kind == .imported ? URL(fileURLWithPath: record.source).lastPathComponent : record.source
    }

    /// snake_case keys, metadata as an object.
    var object: [String: any Sendable] {
        var object: [String: any Sendable] = [
            "id": record.id ?? 0, "name": record.name, "kind": record.kind.rawValue, "source": record.source,
            "source_bytes": record.sourceBytes.map { $0 as any Sendable } ?? NSNull(),
            "content_sha256": record.contentSha256, "sample_count": record.sampleCount,
            "train_count": record.trainCount, "test_count": record.testCount,
            "seed": record.seed.map { $0 as any Sendable } ?? NSNull(), "created_at": record.createdAt,
            "sample_shape": sampleShape,
            "metadata": (try? JSONSerialization.jsonObject(with: Data(record.metadataJson.utf8))) as? [String: any Sendable] ?? [:],
            "arrays": arrays.map { array -> [String: any Sendable] in
                ["name": array.name, "element_type": array.elementType,
                 "shape": (try? JSONDecoder().decode([Int].self, from: Data(array.shapeJson.utf8))) ?? [],
                 "scale": array.scale, "offset": array.offset, "byte_count": array.byteCount, "sha256": array.sha256]
            },
        ]
        if let runs { object["runs"] = runs }
        return object
    }
}
