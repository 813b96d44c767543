import ArgumentParser
import Foundation
import GanEvaluator
import GanStore

/// `ganpipe augment --dataset D --generator RUN`: a classifier trained on a small labelled set,
/// without and with samples of a class-conditional GAN, seed by seed.
struct AugmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Measure data augmentation: a classifier trained on a dataset's training split without and with a conditional GAN's samples.",
        discussion: """
        For each --seeds value, the dataset's classifier network (the evaluator's: convolutional for images of at \
        least 16×16, else an MLP; at least 4,000 Adam steps) is trained on the training split as it is, and again \
        with --per-class samples of every class from the --generator run (a class-conditional run on this dataset, \
        noise seed = the seed); both are tested on the test split. Each classifier is stored as a completed run \
        augment/DATASET/seed=S/… whose config_json holds its provenance and whose evaluations hold \
        classifier/test_accuracy; a rerun reuses what is stored. Query them with \
        `ganpipe sql "SELECT r.name, e.value FROM runs r JOIN evaluations e ON e.run_id = r.id WHERE r.name LIKE 'augment/%' AND e.metric = 'classifier/test_accuracy'"`.
        """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The labelled dataset (a small training split; its test split measures).") var dataset: String
    @Option(help: ArgumentHelp("A class-conditional run trained on that dataset.", valueName: "run")) var generator: String
    @Option(help: ArgumentHelp("latest or a step.", valueName: "step")) var checkpoint = "latest"
    @Option(help: "Generated samples added per class.") var perClass = 500
    @Option(parsing: .upToNextOption, help: ArgumentHelp("The seeds: one classifier pair each.", valueName: "seed")) var seeds: [UInt64] = [1, 2, 3]
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        var options = AugmentationExperiment.Options()
        (options.perClass, options.seeds, options.checkpoint) = (perClass, seeds, try checkpointStep(checkpoint))
        // Every mistake is found before the database is opened to write.
        try database.reading { try AugmentationExperiment($0).check(dataset: dataset, generator: generator, options: options) }
        let progress = ProgressLine()
        let outcomes = try database.writing { opened in
            try AugmentationExperiment(opened).run(dataset: dataset, generator: generator, options: options, progress: { progress.update($1, $0) })
        }
        progress.finish()
        let summary = AugmentationExperiment.Summary(dataset: dataset, generator: generator, perClass: perClass, outcomes: outcomes)
        if json {
            try printJSON(summary)
        } else {
            print(summary.lines.joined(separator: "\n"))
        }
    }
}
