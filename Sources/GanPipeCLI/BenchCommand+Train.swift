import ArgumentParser
import Foundation
import GanSchema
import GanLoader
import GanStore
import GanTensor
import GanTrainer

/// What `ganpipe bench train` times.
enum BenchWorkload: String, ExpressibleByArgument, CaseIterable {
    /// The WGAN-GP toy experiment: 8gaussians, MLPs.
    case toy
    /// The WGAN-GP authors' MNIST networks (D = --channels) on 28×28 images, batch 50, λ = 10.
    case wganGPMNIST = "wgan-gp-mnist"
}

extension BenchCommand {
    /// `ganpipe bench train`: milliseconds per generator step of the reference WGAN-GP toy
    /// workload, with full per-step metrics.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time a reference WGAN-GP workload: toy (8gaussians, 3×512 ReLU MLPs, batch 256, λ = 0.1) or wgan-gp-mnist (the paper's convolutional networks with D = 64 on 28×28 images, batch 50, λ = 10); 5 discriminator steps, Adam 1e-4 β = (0.5, 0.9), metrics every step (--metrics-every to change).",
            discussion: "With --json the last line is one JSON object with ms_per_generator_step, store_share (of the timed steps: metric rows), checkpoint_ms (the final checkpoint's commit, 13 MB at the reference size), peak_rss_mb and rss_growth_mb (resident memory at the end minus halfway through the timed steps, after caches have filled: near 0 when memory stays flat, e.g. over --steps 10000 --width 64 --batch-size 64).")

        @Option(help: "toy or wgan-gp-mnist.") var workload: BenchWorkload = .toy
        @Option(help: "OpenBLAS threads.") var threads: Int = 1
        @Option(help: "Generator steps to time (between an untimed warm-up step and an untimed final step that writes the checkpoint).") var steps: Int = 20
        @Option(help: "toy: units per hidden layer (512 is the reference; 64 with --batch-size 64 is the small configuration).") var width: Int = 512
        @Option(help: "wgan-gp-mnist: the base channel count D.") var channels: Int = 64
        @Option(help: "Samples per batch (default: 256 toy, 50 wgan-gp-mnist).") var batchSize: Int?
        @Option(help: "Record metrics every N generator steps (1, the default, is the full per-step record; a large N times training alone).") var metricsEvery: Int = 1
        @Flag(help: "Write to a database file in a temporary folder instead of an in-memory database.") var onDisk = false
        @Flag(help: "End with one JSON object.") var json = false

        struct Figures: Encodable {
            var workload: String
            var threads: Int
            var steps: Int
            var metricsEvery: Int
            var width: Int?
            var channels: Int?
            var batchSize: Int
            var database: String
            var msPerGeneratorStep: Double
            var storeShare: Double
            var checkpointMs: Double
            var peakRssMb: Double
            var rssGrowthMb: Double
        }

        func run() throws {
            guard (1...256).contains(threads) else { throw CommandError("--threads must be between 1 and 256 (got \(threads))") }
            guard (1...100_000).contains(steps) else { throw CommandError("--steps must be between 1 and 100000 (got \(steps))") }
            guard metricsEvery >= 1 else { throw CommandError("--metrics-every must be at least 1 (got \(metricsEvery))") }
            let toy = workload == .toy
            var specification = TrainingSpecification(dataset: toy ? "8gaussians" : "images", objective: .wganGP, steps: steps + 2, seed: 1,
                                                      architecture: toy ? .mlp : .wganGPMNIST)
            if toy {
                specification.gradientPenaltyWeight = 0.1
                specification.generatorWidth = width
                specification.discriminatorWidth = width
            } else {
                specification.channels = channels
            }
            let batchSize = self.batchSize ?? (toy ? 256 : 50)
            specification.batchSize = batchSize
            specification.threads = threads
            specification.checkpointEvery = steps + 2
            specification.metricsEvery = metricsEvery
            let problems = specification.problems()
            guard problems.isEmpty else { throw CommandError(TrainCommand.message(problems)) }

            let folder = onDisk ? FileManager.default.temporaryDirectory.appendingPathComponent("ganpipe-bench-\(getpid())") : nil
            if let folder { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
            defer { if let folder { try? FileManager.default.removeItem(at: folder) } }
            let database = try folder.map { try GanDatabase.open(path: $0.appendingPathComponent("bench.sqlite").path) } ?? GanDatabase.inMemory()
            if toy {
                let content = try SyntheticGenerator(kind: .eightGaussians, count: 100_000, seed: 1).generate()
                try DatasetCatalog(database).save(content, name: "8gaussians")
            } else {
                try DatasetCatalog(database).save(Self.images(), name: "images")
            }

            // Time from the end of the warm-up step to the end of the last timed step. One more
            // step follows and writes the run's final checkpoint, reported on its own
            // (checkpoint_ms): a run checkpoints every 1000 steps by default, not every few.
            var warmedUp = (seconds: 0.0, store: 0.0), finished = (seconds: 0.0, store: 0.0)
            var residentHalfway = 0.0
            let hooks = TrainerStage.Hooks(progress: { progress in
                if progress.step == 1 { warmedUp = (progress.elapsedSeconds, progress.storeSeconds) }
                if progress.step == 1 + steps / 2 { residentHalfway = Self.residentMegabytes("VmRSS") }
                if progress.step == steps + 1 { finished = (progress.elapsedSeconds, progress.storeSeconds) }
            })
            let result = try TrainerStage(database).train(name: "bench", specification: specification, hooks: hooks)
            let timed = finished.seconds - warmedUp.seconds
            let figures = Figures(workload: workload.rawValue, threads: threads, steps: steps, metricsEvery: metricsEvery,
                                  width: toy ? width : nil, channels: toy ? nil : channels, batchSize: batchSize,
                                  database: onDisk ? "file" : "memory",
                                  msPerGeneratorStep: 1000 * timed / Double(steps),
                                  storeShare: timed > 0 ? (finished.store - warmedUp.store) / timed : 0,
                                  checkpointMs: 1000 * (result.storeSeconds - finished.store),
                                  peakRssMb: Self.residentMegabytes("VmHWM"),
                                  rssGrowthMb: Self.residentMegabytes("VmRSS") - residentHalfway)
            print(String(format: "%.2f ms per generator step (%@, %d steps, %d thread(s), %@, batch %d, metrics every %d step(s), %@ database); store %.2f%% of the step, final checkpoint %.0f ms; peak resident memory %.0f MB, %+.1f MB over the second half",
                         figures.msPerGeneratorStep, workload.rawValue, steps, threads, toy ? "width \(width)" : "D = \(channels)", batchSize, metricsEvery, figures.database,
                         100 * figures.storeShare, figures.checkpointMs, figures.peakRssMb, figures.rssGrowthMb))
            if json { try printJSON(figures) }
        }

        /// 10,000 28×28 images of uniform noise in [0, 1] (the time of a step does not depend on
        /// what the images show), the last 1,000 held out.
        static func images() -> DatasetContent {
            var generator = PhiloxGenerator(seed: 1)
            let values = (0..<(10_000 * 784)).map { _ in generator.nextUniformFloat() }
            var metadata = DatasetMetadata()
            metadata.sampleShape = [28, 28]
            return DatasetContent(kind: .synthetic, source: "bench: uniform noise images", seed: 1,
                                  samples: NumericArray(float32: values, shape: [10_000, 28, 28]), testCount: 1000, metadata: metadata)
        }

        /// A field of /proc/self/status in MB: `VmHWM` the peak resident set size, `VmRSS` the current.
        static func residentMegabytes(_ field: String) -> Double {
            guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
                  let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
            return kilobytes / 1024
        }
    }
}
