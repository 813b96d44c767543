import ArgumentParser
import Foundation
import GanLoader
import GanStore
import GanTrainer

extension BenchCommand {
    /// `ganpipe bench train`: milliseconds per generator step of the reference WGAN-GP toy
    /// workload, with full per-step metrics.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time the reference WGAN-GP toy workload: 8gaussians, 3×512 ReLU MLPs, batch 256, 5 discriminator steps, λ = 0.1, Adam 1e-4 β = (0.5, 0.9), metrics every step.",
            discussion: "With --json the last line is one JSON object with ms_per_generator_step, store_share, peak_rss_mb and rss_growth_mb (resident memory at the end minus halfway through the timed steps, after caches have filled: near 0 when memory stays flat, e.g. over --steps 10000 --width 64 --batch-size 64).")

        @Option(help: "OpenBLAS threads.") var threads: Int = 1
        @Option(help: "Generator steps to time (after one untimed warm-up step).") var steps: Int = 20
        @Option(help: "Units per hidden layer (512 is the reference; 64 with --batch-size 64 is the small configuration).") var width: Int = 512
        @Option(help: "Samples per batch.") var batchSize: Int = 256
        @Flag(help: "Write to a database file in a temporary folder instead of an in-memory database.") var onDisk = false
        @Flag(help: "End with one JSON object.") var json = false

        struct Figures: Encodable {
            var threads: Int
            var steps: Int
            var width: Int
            var batchSize: Int
            var database: String
            var msPerGeneratorStep: Double
            var storeShare: Double
            var peakRssMb: Double
            var rssGrowthMb: Double
        }

        func run() throws {
            guard (1...256).contains(threads) else { throw CommandError("--threads must be between 1 and 256 (got \(threads))") }
            guard (1...100_000).contains(steps) else { throw CommandError("--steps must be between 1 and 100000 (got \(steps))") }
            var specification = TrainingSpecification(dataset: "8gaussians", objective: .wganGP, steps: steps + 1, seed: 1)
            specification.gradientPenaltyWeight = 0.1
            specification.generatorWidth = width
            specification.discriminatorWidth = width
            specification.batchSize = batchSize
            specification.threads = threads
            specification.checkpointEvery = steps + 1
            let problems = specification.problems()
            guard problems.isEmpty else { throw CommandError(problems.joined(separator: "; ")) }

            let folder = onDisk ? FileManager.default.temporaryDirectory.appendingPathComponent("ganpipe-bench-\(getpid())") : nil
            if let folder { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
            defer { if let folder { try? FileManager.default.removeItem(at: folder) } }
            let database = try folder.map { try GanDatabase.open(path: $0.appendingPathComponent("bench.sqlite").path) } ?? GanDatabase.inMemory()
            let content = try SyntheticGenerator(kind: .eightGaussians, count: 100_000, seed: 1).generate()
            try DatasetCatalog(database).save(content, name: "8gaussians")

            // Time from the end of the warm-up step to the end of the last step.
            var warmedUp: Double?
            var finished = 0.0
            var residentHalfway = 0.0
            let hooks = TrainerStage.Hooks(progress: { progress in
                if progress.step == 1 { warmedUp = progress.elapsedSeconds }
                if progress.step == 1 + steps / 2 { residentHalfway = Self.residentMegabytes("VmRSS") }
                finished = progress.elapsedSeconds
            })
            let result = try TrainerStage(database).train(name: "bench", specification: specification, hooks: hooks)
            let timed = finished - (warmedUp ?? 0)
            let figures = Figures(threads: threads, steps: steps, width: width, batchSize: batchSize,
                                  database: onDisk ? "file" : "memory",
                                  msPerGeneratorStep: 1000 * timed / Double(steps),
                                  storeShare: result.seconds > 0 ? result.storeSeconds / result.seconds : 0,
                                  peakRssMb: Self.residentMegabytes("VmHWM"),
                                  rssGrowthMb: Self.residentMegabytes("VmRSS") - residentHalfway)
            print(String(format: "%.2f ms per generator step (%d steps, %d thread(s), width %d, batch %d, %@ database); store %.2f%% of the time; peak resident memory %.0f MB, %+.1f MB over the second half",
                         figures.msPerGeneratorStep, steps, threads, width, batchSize, figures.database,
                         100 * figures.storeShare, figures.peakRssMb, figures.rssGrowthMb))
            if json { try printJSON(figures) }
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
