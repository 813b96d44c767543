import Foundation
import GanSchema
import GanStore
import GanTestSupport
import GanTensor
import GanTrainer
import Testing

/// Convolutional GANs through the trainer: every objective with the architectures that suit
/// it, per-layer probes on convolutions, exact resume (running statistics and spectral-norm
/// vectors included), and networks that do not fit the data refused before a run exists.
@Suite struct ConvolutionalTrainingTests {
    /// 8×8 "images" of a bright bar at one of four rows, in [0, 1].
    static func database(in folder: TemporaryDirectory) throws -> GanDatabase {
        let database = try GanDatabase.open(path: folder.file("images.sqlite"))
        var generator = PhiloxGenerator(seed: 3)
        var values: [Float] = []
        for _ in 0..<256 {
            let row = generator.nextIndex(below: 4) * 2
            for pixel in 0..<64 { values.append(pixel / 8 == row ? 0.9 : 0.05 + 0.05 * generator.nextUniformFloat()) }
        }
        try TestDatasets.insert(values, shape: [256, 8, 8], into: database, name: "bars", testCount: 32)
        try TestDatasets.insertEightGaussians(into: database)
        return database
    }

    static func specification(_ objective: Objective, _ architecture: Architecture, steps: Int = 6) -> TrainingSpecification {
        var specification = TrainingSpecification(dataset: "bars", objective: objective, steps: steps, seed: 5, architecture: architecture)
        specification.batchSize = 8
        specification.channels = 4
        specification.noiseDimension = 6
        specification.discriminatorSteps = 2
        specification.checkpointEvery = 3
        return specification
    }

    struct Case: Sendable, CustomStringConvertible {
        var objective: Objective
        var discriminator: Normalization?
        var description: String { "\(objective.rawValue), critic \(discriminator?.rawValue ?? "default")" }
    }

    /// DCGAN (batch norm in G; batch, layer or spectral norm in D as the objective allows) under
    /// every objective: stopped at step 3 and resumed equals straight, bit for bit.
    @Test(arguments: [Case(objective: .nsgan, discriminator: nil), Case(objective: .gan, discriminator: nil),
                      Case(objective: .hinge, discriminator: .spectral), Case(objective: .wgan, discriminator: nil),
                      Case(objective: .wganGP, discriminator: nil), Case(objective: .wganLP, discriminator: .spectral)])
    func everyObjectiveTrainsAndResumesExactly(_ testCase: Case) throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        var specification = Self.specification(testCase.objective, .dcgan)
        specification.discriminatorNormalization = testCase.discriminator
        let blobs = try ConvolutionalTrainingTests.trainStraightAndResumed(specification, in: database)
        // The saved state: running statistics of the generator's batch norms, spectral vectors.
        #expect(blobs["generator/layers.2.running_mean"] != nil && blobs["generator/layers.5.running_var"] != nil)
        if testCase.discriminator == .spectral {
            #expect(blobs["discriminator/layers.1.weight_u"]?.shape == [4] && blobs["discriminator/layers.1.weight_v"]?.shape == [16])
        }
        // Per-layer probes name the convolutions and the hidden activations by their paths.
        let rows = try ResumeTests.metricRows(database, run: "straight")
        for key in ["grad_norm/discriminator/layers.1.weight", "grad_norm/generator/layers.4.weight", "activation_grad_norm/discriminator/layers.2"] {
            #expect(rows.contains { $0.hasPrefix(key + "@") }, "no \(key)")
        }
    }

    /// Trains `specification` as run `straight`, and as run `resumed` stopped after step 3 and
    /// resumed; expects both to end with the same checkpoint and metric rows, and returns the
    /// straight run's final checkpoint.
    static func trainStraightAndResumed(_ specification: TrainingSpecification, in database: GanDatabase,
                                        sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: CheckpointBlob] {
        let straight = try TrainerStage(database).train(name: "straight", specification: specification)
        #expect(straight.status == .completed, "\(straight)", sourceLocation: sourceLocation)
        var calls = 0
        _ = try TrainerStage(database).train(name: "resumed", specification: specification, hooks: .init(shouldStop: {
            calls += 1
            return calls > 3
        }))
        let resumed = try TrainerStage(database).resume("resumed")
        #expect(resumed.status == .completed && resumed.startedAtStep == 3, sourceLocation: sourceLocation)
        let blobs = try ResumeTests.finalBlobs(database, run: "straight")
        #expect(blobs == (try ResumeTests.finalBlobs(database, run: "resumed")), sourceLocation: sourceLocation)
        #expect(try ResumeTests.metricRows(database, run: "straight") == ResumeTests.metricRows(database, run: "resumed"), sourceLocation: sourceLocation)
        return blobs
    }

    /// The WGAN-GP paper's 28×28 networks are refused on 8×8 images, a convolutional network on
    /// points, and a batch-normalised critic under a gradient penalty — before any run exists.
    /// The biases whose gradient is 0 by construction, which neither the trainer's health
    /// watch nor `diagnose` calls vanishing: a layer's before batch norm, and a Wasserstein
    /// critic's output bias (only reshapes or identity after it).
    @Test func biasesWithAZeroGradientByConstructionAreNamed() {
        let network = NetworkDescription(inputs: 16, layers: [
            .reshape([1, 4, 4]), .conv(1, 2, kernel: 3, padding: 1), .batchNorm(2), .activation(.relu),
            .reshape([32]), .linear(32, 8), .activation(.relu), .linear(8, 1), .reshape([1]),
        ])
        #expect(network.zeroGradientBiases(shiftInvariantLoss: false) == ["layers.1.bias": .batchNormFollows])
        #expect(network.zeroGradientBiases(shiftInvariantLoss: true) == ["layers.1.bias": .batchNormFollows, "layers.7.bias": .outputShift])
        var squashed = network
        squashed.layers.append(.activation(.sigmoid))
        #expect(squashed.zeroGradientBiases(shiftInvariantLoss: true) == ["layers.1.bias": .batchNormFollows])
    }

    @Test func networksThatDoNotFitAreRefusedBeforeARunExists() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        var points = Self.specification(.nsgan, .dcgan)
        points.dataset = "8gaussians"
        var batch = Self.specification(.wganGP, .dcgan)
        batch.discriminatorNormalization = .batch
        var shallow = Self.specification(.nsgan, .dcgan)
        shallow.discriminatorDepth = 1
        let cases: [(TrainingSpecification, String)] = [
            (Self.specification(.wganGP, .wganGPMNIST), "wgan-gp-mnist is sized for 28×28 images, but the dataset's samples are 1×8×8"),
            (points, "dcgan needs image data, but dataset '8gaussians' has samples of 2 values"),
            (batch, "discriminator_normalization cannot be batch under a gradient penalty"),
            (shallow, "dcgan has 2 critic convolutions; discriminator_depth 1 cannot remove any"),
        ]
        for (specification, message) in cases {
            #expect(throws: (any Error).self) { try TrainerStage(database).train(name: "refused", specification: specification) }
            do {
                _ = try TrainerStage(database).train(name: "refused", specification: specification)
            } catch {
                #expect("\(error)".contains(message), "\(error)")
                #expect(!"\(error)".contains("\n"))
            }
        }
        #expect(throws: (any Error).self) { _ = try RunStore(database).find("refused") }
        // A resume with another architecture's checkpoint is refused, not misread.
        _ = try TrainerStage(database).train(name: "dcgan", specification: Self.specification(.nsgan, .dcgan, steps: 3))
        let record = try RunStore(database).find("dcgan")
        var other = Self.specification(.nsgan, .dcgan, steps: 6)
        other.channels = 5
        #expect(record.status == .completed)
        let session = TrainingSession(specification: other, model: try other.model(for: DataShape(features: 64, image: [1, 8, 8], range: 0...1)),
                                      samples: [Float](repeating: 0.5, count: 64 * 8), sampleCount: 8, features: 64)
        let blobs = try CheckpointStore(database).blobs(of: try #require(try CheckpointStore(database).latestComplete(runId: record.id!)))
        #expect(throws: TrainerError.self) { try session.restore(from: blobs) }
    }

    /// Networks written by hand: sizes chained from the data, reshapes at the ends implied, a
    /// spectral-norm critic trained with the hinge loss; mistakes named by item.
    @Test func handWrittenNetworksTrainAndTheirMistakesAreNamed() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        var specification = Self.specification(.hinge, .mlp)
        specification.generatorLayers = "linear 32, relu, reshape 8x2x2, conv-transpose 4 k4 s2 p1, batch-norm, relu, conv-transpose 1 k4 s2 p1, sigmoid"
        specification.discriminatorLayers = "conv 4 k3 s2 p1 sn, leaky-relu(0.2), conv 8 k3 s2 p1 sn, leaky-relu 0.1, reshape 32, linear 1 sn"
        let result = try TrainerStage(database).train(name: "custom", specification: specification)
        #expect(result.status == .completed)
        let model = try specification.model(for: DataShape(features: 64, image: [1, 8, 8], range: 0...1))
        #expect(model.discriminator.layers.first == .reshape([1, 8, 8]) && model.generator.layers.last == .reshape([64]))
        #expect(model.discriminator.layers[1] == .conv(1, 4, kernel: 3, stride: 2, padding: 1, spectral: true))
        #expect(model.discriminator.layers[4] == NetworkDescription.Layer(kind: .leakyRelu, slope: 0.1))
        #expect(model.generator.layers[4] == .batchNorm(4))
        let mistakes: [(String, String)] = [
            ("conv 4 k3, tanh, linear 1", "'linear 1' follows an image of 4×6×6; flatten it first with reshape 144"),
            ("conv 4 s2", "'conv 4 s2' needs a kernel size, e.g. k5"),
            ("conv 4 k9", "gives no image from 1×8×8"),
            ("relu 3", "'relu 3' takes no sizes"),
            ("batch-norm sn", "cannot be spectrally normalised"),
            ("conv 4 k3 op1", "only conv-transpose takes"),
            (", relu", "has an empty item between commas"),
            (" ", "lists no layers"),
        ]
        for (text, message) in mistakes {
            var wrong = Self.specification(.hinge, .mlp)
            wrong.discriminatorLayers = text
            #expect(throws: (any Error).self) { _ = try TrainerStage(database).train(name: "wrong", specification: wrong) }
            do { _ = try TrainerStage(database).train(name: "wrong", specification: wrong) } catch {
                #expect("\(error)".contains(message), "\(text): \(error)")
            }
        }
    }
}
