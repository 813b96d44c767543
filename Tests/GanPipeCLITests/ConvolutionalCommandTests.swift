import Foundation
import GanStore
import GanTensor
import GanTestSupport
import Testing

/// Convolutional GANs as a user runs them on the shipped 8×8 digits: train with a named
/// architecture, evaluate while training, a report with an image grid per evaluated
/// checkpoint, export with a PyTorch module file, reproducible samples — and the mistakes a
/// user makes refused in one line with the database unchanged.
@Suite struct ConvolutionalCommandTests {
    static func digits(in folder: TemporaryDirectory) throws -> String {
        let csv = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../data/digits.csv.gz").standardized.path
        let path = folder.file("digits.sqlite")
        let imported = try GanPipeProcess.run(["data", "import", csv, "--name", "digits", "--labels-column", "last",
                                               "--sample-shape", "8,8", "--scale", "0.0625", "--db", path])
        #expect(imported.status == 0, "\(imported)")
        return path
    }

    static let small = ["--dataset", "digits", "--architecture", "dcgan", "--channels", "4", "--batch-size", "16", "--noise-dim", "8"]

    @Test func aDCGANTrainsIsEvaluatedReportedExportedAndSampled() throws {
        let folder = TemporaryDirectory()
        let path = try Self.digits(in: folder)
        let trained = try GanPipeProcess.run(["train", "--db", path, "--objective", "nsgan", "--steps", "6", "--checkpoint-every", "3",
                                              "--eval-every", "3", "--name", "dc"] + Self.small)
        #expect(trained.status == 0, "\(trained)")
        let shown = try GanPipeProcess.run(["show", "dc", "--db", path])
        #expect(shown.standardOutput.contains("conv-transpose 4 k4 s2 p1") && shown.standardOutput.contains("batch-norm"), "\(shown)")
        // The bias of a layer that batch norm follows gets a zero gradient by construction:
        // diagnose says so rather than calling it vanishing.
        let diagnosed = try GanPipeProcess.run(["diagnose", "dc", "--db", path])
        let structural = diagnosed.standardOutput.split(separator: "\n").filter { $0.hasSuffix("zero by construction (batch norm follows)") }
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(2).joined(separator: " ") }
        #expect(structural == ["discriminator layers.3.bias", "generator layers.4.bias"], "\(diagnosed)")
        #expect(!diagnosed.standardOutput.contains("vanishing"), "\(diagnosed)")
        let report = folder.file("dc.html")
        #expect(try GanPipeProcess.run(["report", "dc", "--db", path, "--out", report]).status == 0)
        let html = try String(contentsOfFile: report, encoding: .utf8)
        for title in ["Real samples", "Generated at step 3", "Generated at step 6"] {
            #expect(html.contains("alt=\"\(title)\""), "no grid \(title)")
        }
        #expect(html.contains("1 of 3 checkpoints are not evaluated") && !html.contains("Generated at step 0"))
        // The header names the convolutional networks, not an MLP's hidden layers; a
        // non-saturating GAN's losses are not headed as Wasserstein estimates.
        #expect(html.contains("dcgan (D = 4): generator ") && !html.contains("hidden layers \u{d7}"))
        #expect(html.contains(">Losses and discriminator outputs<") && !html.contains("Wasserstein estimate and penalty"))
        let weights = folder.file("dc.safetensors"), module = folder.file("dc_model.py")
        let exported = try GanPipeProcess.run(["export", "dc", "--db", path, "--to", weights, "--torch-module", module])
        #expect(exported.status == 0, "\(exported)")
        let source = try String(contentsOfFile: module, encoding: .utf8)
        #expect(source.contains("nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1, output_padding=0),  # layers.4"))
        #expect(source.contains("nn.BatchNorm2d(8),  # layers.2") && source.contains("def load(path):"))
        let header = try Data(contentsOf: URL(fileURLWithPath: weights))
        let text = String(decoding: header.prefix(4096), as: UTF8.self)
        #expect(text.contains("generator.layers.2.running_var") && text.contains("\"sample_shape\":\"[8,8]\""))
        // How G(z) maps back to the dataset's pixels (stored uint8 e as e × 0.0625).
        #expect(text.contains("\"pixel_scale\":\"0.0625\"") && text.contains("\"pixel_offset\":\"0.0\"")
                && text.contains("stores uint8 elements e as e × pixel_scale + pixel_offset"), "\(text)")
        // The same seed gives the same samples; another seed others.
        let first = folder.file("a.npy"), again = folder.file("b.npy"), other = folder.file("c.npy")
        for (file, seed) in [(first, "4"), (again, "4"), (other, "5")] {
            let sampled = try GanPipeProcess.run(["sample", "dc", "--db", path, "--count", "10", "--seed", seed, "--to", file])
            #expect(sampled.status == 0 && sampled.standardOutput.contains("10 samples of 8×8 from dc at step 6"), "\(sampled)")
        }
        let bytes = try [first, again, other].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        #expect(bytes[0] == bytes[1] && bytes[0] != bytes[2] && bytes[0].count == 128 + 10 * 64 * 4)
    }

    @Test func mistakesAreOneLineAndLeaveTheDatabaseUnchanged() throws {
        let folder = TemporaryDirectory()
        let path = try Self.digits(in: folder)
        let before = try DatabaseDump.digest(path)
        let cases: [([String], String)] = [
            (["--objective", "wgan-gp", "--architecture", "wgan-gp-mnist"], "wgan-gp-mnist is sized for 28×28 images, but the dataset's samples are 1×8×8"),
            (["--objective", "wgan-gp", "--discriminator-normalization", "batch"], "--discriminator-normalization cannot be batch under a gradient penalty"),
            (["--objective", "nsgan", "--channels", "0"], "--channels must be between 1 and 4096 (got 0)"),
            (["--objective", "nsgan", "--discriminator-depth", "1"], "dcgan has 2 critic convolutions; discriminator_depth 1 cannot remove any"),
        ]
        for (arguments, message) in cases {
            let outcome = try GanPipeProcess.run(["train", "--db", path, "--steps", "2"] + Self.small + arguments)
            #expect(outcome.status != 0 && outcome.standardError.contains(message), "\(arguments): \(outcome)")
            #expect(outcome.standardError.split(separator: "\n").count == 1, "\(outcome.standardError)")
        }
        let points = try GanPipeProcess.run(["data", "generate", "8gaussians", "--samples", "200", "--db", path])
        #expect(points.status == 0, "\(points)")
        let afterGenerate = try DatabaseDump.digest(path)
        let conv = try GanPipeProcess.run(["train", "--db", path, "--dataset", "8gaussians-200-s0", "--objective", "nsgan", "--steps", "2",
                                           "--architecture", "dcgan"])
        #expect(conv.status != 0 && conv.standardError.contains("dcgan needs image data"), "\(conv)")
        #expect(try DatabaseDump.digest(path) == afterGenerate && afterGenerate != before)
        let sample = try GanPipeProcess.run(["sample", "nothing", "--db", path, "--to", folder.file("x.npy")])
        #expect(sample.status != 0 && sample.standardError.contains("no run named or numbered 'nothing'"), "\(sample)")
        let wrongName = try GanPipeProcess.run(["sample", "nothing", "--db", path, "--to", folder.file("x.txt")])
        #expect(wrongName.status != 0 && wrongName.standardError.contains("sample writes .npy, .csv or .png files"), "\(wrongName)")
    }

    /// A convolutional run (batch norm in both networks, a spectral-norm variant) killed with
    /// SIGKILL at a random moment (`KillSeed`, named for a replay) and resumed ends with the
    /// same weights, saved state and metric rows as a straight run.
    @Test(arguments: ["batch", "spectral"])
    func killedAndResumedEqualsStraight(critic: String) throws {
        let seed = try KillSeed()
        let folder = TemporaryDirectory()
        let path = try Self.digits(in: folder)
        let arguments = Self.small + ["--objective", critic == "spectral" ? "hinge" : "nsgan", "--discriminator-normalization", critic,
                                      "--steps", "400", "--checkpoint-every", "7", "--db", path]
        #expect(try GanPipeProcess.run(["train", "--name", "straight"] + arguments).status == 0)
        var random = SplitMix64(seed: seed.value)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: GanPipeProcess.executablePath)
        process.arguments = ["train", "--name", "killed"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Killed once it has passed a random step between 10 and 300 (read from the database).
        let target = 10 + Int(random.next() % 290)
        let reader = try GanDatabase.open(path: path, access: .readOnly)
        let reached = waitUntil(timeout: .seconds(120)) { ((try? RunStore(reader).find("killed"))?.currentStep ?? 0) >= target }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try reader.close()
        #expect(reached, "\(seed): the run never reached step \(target)")
        let resumed = try GanPipeProcess.run(["resume", "killed", "--db", path])
        #expect(resumed.status == 0, "\(seed): \(resumed)")
        func results(_ run: String) throws -> (metrics: String, weights: Data) {
            let metrics = try GanPipeProcess.run(["sql", "--db", path, "--format", "csv",
                                                  "SELECT key, step, value FROM metrics JOIN runs ON runs.id = run_id WHERE runs.name = '\(run)' ORDER BY key, step"])
            let file = folder.file("\(run).safetensors")
            #expect(try GanPipeProcess.run(["export", run, "--db", path, "--to", file]).status == 0)
            var weights = try Data(contentsOf: URL(fileURLWithPath: file))
            // The header names the run; the tensors after it must match byte for byte.
            let length = Int(weights.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            weights = weights.dropFirst(8 + length)
            return (metrics.standardOutput, weights)
        }
        let (straightMetrics, straightWeights) = try results("straight")
        let (killedMetrics, killedWeights) = try results("killed")
        #expect(straightMetrics == killedMetrics && straightMetrics.split(separator: "\n").count > 1000, "\(seed)")
        #expect(straightWeights == killedWeights, "\(seed)")
    }
}
