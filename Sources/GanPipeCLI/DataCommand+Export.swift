import ArgumentParser
import Foundation
import GanLoader

extension DatasetExporter.Split: ExpressibleByArgument {}

extension DataCommand {
    /// `ganpipe data export NAME --to FILE.npy|.csv`.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a dataset's samples to a .npy, .csv or .csv.gz file.",
            discussion: """
                .npy holds float32 values with scale and offset applied (--raw: the stored elements, e.g. uint8 \
                pixels); .csv holds one sample per line with the label last. Nothing is written if the file exists, \
                unless --force.
                """)

        @OptionGroup var database: DatabaseOptions
        @Argument(help: ArgumentHelp("The dataset's name or id.", valueName: "dataset")) var reference: String
        @Option(help: ArgumentHelp("The file to write (.npy, .csv or .csv.gz).", valueName: "file")) var to: String
        @Option(help: "Which rows: all, train or test.") var split: DatasetExporter.Split = .all
        @Option(help: ArgumentHelp("Also write the labels to this .npy file.", valueName: "file")) var labelsTo: String?
        @Flag(help: "Write stored elements, without scale and offset.") var raw = false
        @Flag(help: "Replace existing files.") var force = false
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            do {
                let opened = try database.openForReading()
                defer { try? opened.close() }
                let (record, arrays) = try DatasetCatalog(opened).loadArrays(reference)
                let exporter = DatasetExporter(arrays: arrays, trainCount: record.trainCount)
                let rows = try exporter.write(to: to, split: split, raw: raw, labelsPath: labelsTo, overwrite: force)
                if json {
                    try printJSON(["dataset": record.name, "path": to, "rows": rows, "split": split.rawValue,
                                   "labels_path": labelsTo ?? NSNull(), "raw": raw] as [String: any Sendable])
                } else {
                    print("wrote \(rows) samples of '\(record.name)' (\(split.rawValue)) to \(to)\(labelsTo.map { " and their labels to \($0)" } ?? "")")
                }
            }
        }
    }

    /// `ganpipe data delete NAME [--force]`.
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a dataset (refused while runs use it, unless --force).")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: ArgumentHelp("The dataset's name or id.", valueName: "dataset")) var reference: String
        @Flag(help: "Delete even if runs use it; their dataset_id becomes NULL.") var force = false
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            do {
                guard FileManager.default.fileExists(atPath: database.resolvedPath) else {
                    _ = try database.openForReading()  // the store's one-line "no database" error
                    return
                }
                do {
                    let reader = try database.openForReading()
                    defer { try? reader.close() }
                    try DatasetCatalog(reader).checkCanDelete(reference, force: force)
                }
                let opened = try database.openForWriting()
                defer { try? opened.close() }
                let (record, runs) = try DatasetCatalog(opened).delete(reference, force: force)
                if json {
                    try printJSON(["deleted": record.name, "id": record.id ?? 0, "detached_runs": runs] as [String: any Sendable])
                } else {
                    print("deleted dataset '\(record.name)' (id \(record.id ?? 0))\(runs.isEmpty ? "" : "; \(runs.count) run(s) no longer reference it: \(runs.joined(separator: ", "))")")
                }
            }
        }
    }
}
