import ArgumentParser
import Foundation
import GanLoader

extension ImportFormat: ExpressibleByArgument {}

extension DataCommand {
    /// `ganpipe data import PATH --name NAME [--format csv|npy|idx] [--labels PATH] …`.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import a CSV, NPY or IDX file (raw or .gz) as a dataset.",
            discussion: """
                The format comes from the name (.csv/.tsv/.txt, .npy, idx/-ubyte; a trailing .gz is \
                decompressed) or else the first bytes. Every file is read and checked before the database is \
                opened for writing; the dataset is stored in one transaction. uint8 images from IDX or NPY are \
                stored as bytes with scale 1/255; CSV values that are all integers in 0…255 are stored as bytes \
                with scale 1 (pass --scale to map them, e.g. 0.0625 for the 0…16 UCI digits). Without --test, the \
                last --test-fraction of the rows (after --shuffle-seed, if given) is the test split. Only                 regular files are read (not devices, FIFOs or sockets), each at most 4 GiB on disk and                 decompressed (or half the machine's memory, if less).
                """)

        @OptionGroup var database: DatabaseOptions
        @Argument(help: ArgumentHelp("The samples file.", valueName: "path")) var path: String
        @Option(help: "Dataset name.") var name: String
        @Option(help: "File format (default: from the name or content).") var format: ImportFormat?
        @Option(help: ArgumentHelp("A labels file, one label per sample (IDX, NPY or one-column CSV).", valueName: "path"))
        var labels: String?
        @Option(help: ArgumentHelp("CSV only: the label column: first, last, a 1-based number or a header name.", valueName: "column"))
        var labelsColumn: String?
        @Option(help: ArgumentHelp("A separate test-samples file; its rows become the test split.", valueName: "path"))
        var test: String?
        @Option(help: ArgumentHelp("The labels of --test.", valueName: "path")) var testLabels: String?
        @Option(help: "Share of rows held out as the test split when there is no --test file (default 0.1).")
        var testFraction: Double?
        @Option(help: "Shuffle the rows with this seed before splitting (default: keep file order).") var shuffleSeed: UInt64?
        @Option(help: "CSV only: the cell separator (default ',' or a tab for .tsv).") var delimiter: String?
        @Option(help: "Stored element e stands for e × scale + offset (default 1/255 for uint8 images, else 1).")
        var scale: Double?
        @Option(help: "See --scale (default 0).") var offset: Double?
        @Option(help: ArgumentHelp("Shape of one sample, e.g. 8,8 for 64-column CSV digits.", valueName: "d1,d2,…"))
        var sampleShape: String?
        @Option(help: ArgumentHelp("Class names in label order, comma-separated.", valueName: "names")) var labelNames: String?
        @Flag(help: "Store even if an existing dataset holds the same values.") var allowDuplicate = false
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            do {
                let started = Date()
                var importer = DatasetImporter(path: path)
                importer.format = format
                importer.labelsPath = labels
                importer.testPath = test
                importer.testLabelsPath = testLabels
                importer.labelColumn = labelsColumn.map(CSVReader.LabelColumn.init(argument:))
                importer.testFraction = testFraction
                importer.shuffleSeed = shuffleSeed
                importer.scale = scale
                importer.offset = offset
                importer.labelNames = labelNames.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                if let delimiter {
                    let unescaped = delimiter == "\\t" ? "\t" : delimiter
                    guard unescaped.count == 1, let character = unescaped.first, character.isASCII else {
                        throw CommandError("--delimiter must be one ASCII character (or \\t), got '\(delimiter)'")
                    }
                    importer.delimiter = character
                }
                if let sampleShape {
                    let parts = sampleShape.split(whereSeparator: { $0 == "," || $0 == "x" || $0 == "×" }).map { Int($0) }
                    guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
                        throw CommandError("--sample-shape must be positive integers separated by commas, e.g. 8,8; got '\(sampleShape)'")
                    }
                    importer.sampleShape = parts.map { $0! }
                }
                if let scale, !(scale.isFinite && scale != 0) { throw CommandError("--scale must be finite and non-zero, got \(scale)") }
                if let offset, !offset.isFinite { throw CommandError("--offset must be finite, got \(offset)") }
                try DataCommand.requireFreeName(name, database: database)
                let progress = ProgressLine()
                let content = try importer.read { progress.update($0, $1) }
                try DataCommand.store(content, name: name, allowDuplicate: allowDuplicate, database: database,
                                      json: json, progress: progress, started: started)
            }
        }
    }
}
