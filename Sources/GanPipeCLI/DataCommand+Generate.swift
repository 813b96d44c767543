import ArgumentParser
import Foundation
import GanLoader

extension SyntheticKind: ExpressibleByArgument {}

extension DataCommand {
    /// `ganpipe data generate KIND --samples N [--seed S] [--name NAME]`.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a toy 2-D dataset (8gaussians, 25gaussians, swissroll, ring, grid).",
            discussion: """
                Parameters follow the reference implementations: 8gaussians (radius 2, std 0.02, / 1.414) and \
                25gaussians ({-4..4}² step 2, std 0.05, / 2.828) as in WGAN-GP's gan_toy.py; swissroll as \
                sklearn make_swiss_roll(noise=0.25)[:, [0, 2]] / 7.5; ring (8 modes on the unit circle, std 0.01) and \
                grid (5×5 at {-4..4}² step 2, std 0.05). Mode centres and std are stored in metadata_json, each \
                sample's mode index as its label. Same kind, samples, seed and test fraction give the same bytes.
                """)

        @OptionGroup var database: DatabaseOptions
        @Argument(help: ArgumentHelp("The distribution.", valueName: "kind")) var kind: SyntheticKind
        @Option(help: "Number of samples.") var samples: Int
        @Option(help: "Seed of the loader's xoshiro256** generator.") var seed: UInt64 = 0
        @Option(help: "Dataset name (default: KIND-SAMPLES-sSEED).") var name: String?
        @Option(help: "Share of samples held out as the test split.") var testFraction: Double = 0.1
        @Flag(help: "Store even if an existing dataset holds the same values.") var allowDuplicate = false
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            do {
                let started = Date()
                let name = self.name ?? "\(kind.rawValue)-\(samples)-s\(seed)"
                let generator = try SyntheticGenerator(kind: kind, count: samples, seed: seed, testFraction: testFraction)
                try DataCommand.requireFreeName(name, database: database)
                let progress = ProgressLine()
                progress.update("generating \(samples) samples of \(kind.rawValue)", 0)
                let content = generator.generate()
                try DataCommand.store(content, name: name, allowDuplicate: allowDuplicate, database: database,
                                      json: json, progress: progress, started: started)
            }
        }
    }
}

extension DataCommand {
    /// `ganpipe data subset SOURCE [--classes K…] [--per-class N --seed S] --name NAME`.
    struct Subset: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a dataset of some classes of a labelled one (the one-class protocol: train on one class, test on all), or a small labelled set of N per class.",
            discussion: """
                The training split keeps the rows whose label is one of --classes; the test split is kept whole \
                (every class, so anomaly scores can be measured against all of them) unless --same-test-classes. \
                --per-class N keeps at most N training samples of each class (all classes unless --classes), chosen \
                by a shuffle of --seed and kept in stored order: a small labelled set for augmentation experiments. \
                Values, element type and metadata (shape, class names) are the source's; metadata.derived_from \
                names the source, its content hash and the classes.
                """)

        @OptionGroup var database: DatabaseOptions
        @Argument(help: ArgumentHelp("The labelled dataset's name or id.", valueName: "dataset")) var source: String
        @Option(parsing: .upToNextOption, help: ArgumentHelp("The labels to keep in the training split (default with --per-class: all).", valueName: "label"))
        var classes: [Int] = []
        @Option(help: "Keep at most N training samples of each class.") var perClass: Int?
        @Option(help: "The seed of the --per-class choice.") var seed: UInt64 = 0
        @Option(help: "The new dataset's name.") var name: String
        @Flag(help: "Filter the test split by the same classes instead of keeping it whole.") var sameTestClasses = false
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let started = Date()
            guard !classes.isEmpty || perClass != nil else { throw CommandError("name the classes to keep: --classes 3 (or several), or --per-class N of every class") }
            if let perClass, perClass < 1 { throw CommandError("--per-class must be at least 1 (got \(perClass))") }
            try DataCommand.requireFreeName(name, database: database)
            let content = try database.reading { opened in
                let catalog = DatasetCatalog(opened)
                return try catalog.subset(of: try catalog.find(source), classes: classes.isEmpty ? nil : Set(classes), perClass: perClass, seed: seed,
                                          wholeTestSplit: !sameTestClasses)
            }
            guard content.trainCount > 0 else { throw CommandError("no training sample of \(source) has class \(classes.map(String.init).joined(separator: ", "))") }
            try DataCommand.store(content, name: name, allowDuplicate: true, database: database, json: json, progress: ProgressLine(), started: started)
        }
    }
}
