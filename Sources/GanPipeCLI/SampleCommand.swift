import ArgumentParser
import Foundation
import GanEvaluator
import GanLoader
import GanStore

/// `ganpipe sample RUN --to FILE.npy`: samples of a checkpoint's generator, reproducible by seed.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw samples from a checkpoint's generator into a NumPy file (the same samples for the same seed).",
        discussion: """
        z is standard normal from the seed's own stream; the generator runs in inference mode (batch norm's running \
        statistics). The file holds float32 [count, sample shape…] (the dataset's sample_shape, e.g. 28×28, else [count, features]). \
        --noise-to also writes z [count, noise_dimension], so another framework can reproduce G(z) (see `ganpipe export --torch-module`).
        """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("The run's name or id.", valueName: "run")) var reference: String
    @Option(help: ArgumentHelp("latest or a step.", valueName: "step")) var checkpoint = "latest"
    @Option(help: "Number of samples.") var count = 64
    @Option(help: "Seed of the noise.") var seed: UInt64 = 0
    @Option(name: .customLong("to"), help: ArgumentHelp("The .npy file to write.", valueName: "file.npy")) var destination: String
    @Option(help: ArgumentHelp("Also write the noise z as .npy.", valueName: "file.npy")) var noiseTo: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let step: Int?
        switch checkpoint.lowercased() {
        case "latest", "last": step = nil
        default:
            guard let parsed = Int(checkpoint), parsed >= 0 else { throw CommandError("--checkpoint must be latest or a step ≥ 0 (got '\(checkpoint)')") }
            step = parsed
        }
        for path in [destination] + (noiseTo.map { [$0] } ?? []) where !path.lowercased().hasSuffix(".npy") {
            throw CommandError("\(path) is not a .npy file; sample writes NumPy files (name it FILE.npy)")
        }
        let opened = try database.openForReading()
        defer { try? opened.close() }
        let draw = try GeneratorSampler(opened).draw(run: reference, step: step, count: count, seed: seed)
        let shape = [draw.samples.count] + (draw.sampleShape ?? [draw.samples.features])
        try writeOutput(Data(DatasetExporter.npy(NumericArray(float32: draw.samples.values, shape: shape))), to: destination, option: "--to")
        if let noiseTo {
            try writeOutput(Data(DatasetExporter.npy(NumericArray(float32: draw.noise.values, shape: [draw.noise.count, draw.noise.features]))),
                            to: noiseTo, option: "--noise-to")
        }
        if json {
            try printJSON(["run": draw.run, "step": draw.step, "count": draw.samples.count, "seed": Int(seed), "path": destination, "shape": shape] as [String: any Sendable])
        } else {
            print("wrote \(destination): \(draw.samples.count) samples of \(shape.dropFirst().map(String.init).joined(separator: "×")) from \(draw.run) at step \(draw.step), seed \(seed)")
        }
    }
}
