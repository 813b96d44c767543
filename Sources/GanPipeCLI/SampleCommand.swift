import ArgumentParser
import Foundation
import GanEvaluator
import GanLoader
import GanReport
import GanStore

/// `ganpipe sample RUN --to FILE.npy|.csv|.png` and `--into-dataset NAME`: samples of a
/// checkpoint's generator, reproducible by seed, or a latent interpolation between two seeds.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw samples from a checkpoint's generator (the same samples for the same seed) into a file or a new dataset.",
        discussion: """
        z is standard normal from the seed's own stream; the generator runs in inference mode (batch norm's running \
        statistics). --to writes .npy (float32 [count, sample shape…]: the dataset's sample_shape, e.g. 28×28, else \
        [count, features]), .csv (a header, then one sample per row, features flattened) or .png (a grid of image \
        samples, grey from the output range: [0, 1] or [−1, 1] when the samples lie in it). --into-dataset stores them \
        as a new dataset (all in its training split) whose provenance — run, checkpoint, seed — `ganpipe data show` \
        prints. --interpolate A B draws --count points (default 10) on the great circle from seed A's z to seed B's \
        (slerp); its ends are the first samples of `--seed A` and `--seed B`. --noise-to also writes z as .npy, so \
        another framework can reproduce G(z) (see `ganpipe export --torch-module`). A class-conditional run draws \
        class-balanced samples (sample i of class i mod K), or all of --class K; a dataset it makes keeps their labels \
        (so it can train a classifier), and .csv files gain a label column.
        """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("The run's name or id.", valueName: "run")) var reference: String
    @Option(help: ArgumentHelp("latest or a step.", valueName: "step")) var checkpoint = "latest"
    @Option(help: "Number of samples (default 64; 10 points for --interpolate).") var count: Int?
    @Option(help: "Seed of the noise.") var seed: UInt64 = 0
    @Option(name: .customLong("class"), help: ArgumentHelp("A class-conditional run: draw every sample of this class.", valueName: "K"))
    var label: Int?
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Two seeds: a latent interpolation from the first's z to the second's.", valueName: "seed"))
    var interpolate: [UInt64] = []
    @Option(name: .customLong("to"), help: ArgumentHelp("The file to write: .npy, .csv or .png.", valueName: "file"))
    var destination: String?
    @Option(help: ArgumentHelp("Also store the samples as a new dataset of this name.", valueName: "name")) var intoDataset: String?
    @Option(help: ArgumentHelp("Also write the noise z as .npy.", valueName: "file.npy")) var noiseTo: String?
    @Flag(help: "Print one JSON object.") var json = false

    enum Format: String { case npy, csv, png }

    func run() throws {
        let step = try checkpointStep(checkpoint)
        guard destination != nil || intoDataset != nil else {
            throw CommandError("say where the samples go: --to FILE.npy|.csv|.png, --into-dataset NAME, or both")
        }
        guard interpolate.isEmpty || interpolate.count == 2 else {
            throw CommandError("--interpolate takes two seeds, the ends (got \(interpolate.count))")
        }
        let format = try destination.map { path -> Format in
            guard let format = Format(rawValue: URL(fileURLWithPath: path).pathExtension.lowercased()) else {
                throw CommandError("\(path): sample writes .npy, .csv or .png files; name it FILE.npy, FILE.csv or FILE.png")
            }
            return format
        }
        if let noiseTo, !noiseTo.lowercased().hasSuffix(".npy") {
            throw CommandError("\(noiseTo) is not a .npy file; --noise-to writes NumPy files (name it FILE.npy)")
        }
        let draw = try database.reading { opened -> GeneratorSampler.Draw in
            if let name = intoDataset {
                do {
                    try DatasetCatalog(opened).requireFreeName(name)
                } catch LoaderError.nameExists {
                    throw CommandError("a dataset named '\(name)' already exists; choose another --into-dataset")
                } catch LoaderError.invalidArgument(let message) {
                    throw CommandError(message.replacingOccurrences(of: "pass another --name", with: "pass another --into-dataset"))
                }
            }
            let sampler = GeneratorSampler(opened)
            if interpolate.count == 2 {
                return try sampler.interpolate(run: reference, step: step, from: interpolate[0], to: interpolate[1], count: count ?? 10, label: label)
            }
            return try sampler.draw(run: reference, step: step, count: count ?? 64, seed: seed, label: label)
        }
        let shape = [draw.samples.count] + (draw.sampleShape ?? [draw.samples.features])
        if format == .png, shape.count < 3 {
            throw CommandError("a .png grid needs image samples and \(draw.run)'s are \(draw.samples.features) numbers each; write .npy or .csv")
        }
        if let destination, let format {
            try writeOutput(try encode(draw, shape: shape, as: format), to: destination, option: "--to")
        }
        if let noiseTo {
            try writeOutput(Data(DatasetExporter.npy(NumericArray(float32: draw.noise.values, shape: [draw.noise.count, draw.noise.features]))),
                            to: noiseTo, option: "--noise-to")
        }
        let seeds = interpolate.count == 2 ? interpolate : [seed]
        if let name = intoDataset {
            var metadata = DatasetMetadata()
            metadata.sampleShape = Array(shape.dropFirst())
            metadata.split = "generated"
            metadata.generatedBy = .init(run: draw.run, checkpoint: draw.step, seeds: seeds, interpolation: interpolate.count == 2,
                                         label: draw.labels == nil ? nil : label ?? (interpolate.count == 2 ? 0 : nil))
            let content = DatasetContent(kind: .synthetic, source: "ganpipe sample", seed: Int64(bitPattern: seeds[0]),
                                         samples: NumericArray(float32: draw.samples.values, shape: shape),
                                         labels: draw.labels.map { NumericArray(int32: $0.map(Int32.init), shape: [$0.count]) },
                                         testCount: 0, metadata: metadata)
            try database.writing { try DatasetCatalog($0).save(content, name: name, allowDuplicate: true) }
        }
        var what = interpolate.count == 2 ? "interpolating from seed \(seeds[0]) to seed \(seeds[1])" : "seed \(seed)"
        if let labels = draw.labels { what += label.map { ", class \($0)" } ?? ", classes 0…\(labels.max() ?? 0) in turn" }
        if json {
            var object: [String: any Sendable] = ["run": draw.run, "step": draw.step, "count": draw.samples.count, "seeds": seeds.map { Int(bitPattern: UInt($0)) },
                                                  "interpolation": interpolate.count == 2, "shape": shape]
            if let labels = draw.labels { object["classes"] = Array(Set(labels)).sorted() }
            if let destination { object["path"] = destination }
            if let intoDataset { object["dataset"] = intoDataset }
            try printJSON(object)
        } else {
            let targets = [destination, intoDataset.map { "dataset \($0)" }].compactMap { $0 }.joined(separator: " and ")
            print("wrote \(targets): \(draw.samples.count) sample\(draw.samples.count == 1 ? "" : "s") of \(shape.dropFirst().map(String.init).joined(separator: "×")) from \(draw.run) at step \(draw.step), \(what)")
        }
    }

    func encode(_ draw: GeneratorSampler.Draw, shape: [Int], as format: Format) throws -> Data {
        switch format {
        case .npy:
            return Data(DatasetExporter.npy(NumericArray(float32: draw.samples.values, shape: shape)))
        case .csv:
            var text = (draw.labels == nil ? [] : ["label"]) + (0..<draw.samples.features).map { "x\($0)" }
            var lines = [text.joined(separator: ",")]
            for row in 0..<draw.samples.count {
                let values = draw.samples.values[(row * draw.samples.features)..<((row + 1) * draw.samples.features)]
                text = (draw.labels.map { ["\($0[row])"] } ?? []) + values.map { $0.isFinite ? String(format: "%.9g", $0) : "nan" }
                lines.append(text.joined(separator: ","))
            }
            return Data((lines.joined(separator: "\n") + "\n").utf8)
        case .png:
            // The first channel of each sample, [height, width] from [channels?, height, width].
            let (height, width) = (shape[shape.count - 2], shape[shape.count - 1])
            let finite = draw.samples.values.filter(\.isFinite)
            let (low, high) = (Double(finite.min() ?? 0), Double(finite.max() ?? 1))
            let range: (Double, Double) = low >= 0 && high <= 1 ? (0, 1) : low >= -1 && high <= 1 ? (-1, 1) : (low, high)
            let samples = (0..<draw.samples.count).map { row in
                draw.samples.values[(row * draw.samples.features)..<(row * draw.samples.features + height * width)].map(Double.init)
            }
            let columns = interpolate.count == 2 ? samples.count : Int(Double(samples.count).squareRoot().rounded(.up))
            return ImageGrid.png(samples: samples, height: height, width: width, low: range.0, high: range.1, columns: columns)
        }
    }
}

/// `--checkpoint latest|STEP` as `sample` and `score` take it: nil for the latest.
func checkpointStep(_ text: String) throws -> Int? {
    switch text.lowercased() {
    case "latest", "last": return nil
    default:
        guard let step = Int(text), step >= 0 else { throw CommandError("--checkpoint must be latest or a step ≥ 0 (got '\(text)')") }
        return step
    }
}
