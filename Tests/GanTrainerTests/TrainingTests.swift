import Foundation
import GanModels
import GanSchema
import GanStore
import GanTestSupport
import GanTrainer
import GRDB
import Testing

/// Small networks, few steps: the real trainer on a real database file.
@Suite struct TrainingTests {
    static func small(_ objective: Objective, steps: Int = 12, seed: UInt64 = 7) -> TrainingSpecification {
        var specification = TrainingSpecification(dataset: "8gaussians", objective: objective, steps: steps, seed: seed)
        specification.batchSize = 32
        specification.generatorWidth = 16
        specification.discriminatorWidth = 16
        specification.generatorDepth = 2
        specification.discriminatorDepth = 2
        specification.discriminatorSteps = 2
        specification.checkpointEvery = 5
        return specification
    }

    /// A database in `folder` with the 8gaussians test data.
    static func database(in folder: TemporaryDirectory) throws -> GanDatabase {
        let database = try GanDatabase.open(path: folder.file("training.sqlite"))
        try TestDatasets.insertEightGaussians(into: database)
        return database
    }

    static func keys(_ database: GanDatabase, run: String) throws -> Set<String> {
        try RawDatabase(database).read {
            Set(try String.fetchAll($0, sql: "SELECT DISTINCT key FROM metrics JOIN runs ON runs.id = run_id WHERE runs.name = ?", arguments: [run]))
        }
    }

    @Test(arguments: Objective.allCases)
    func everyObjectiveTrainsAndRecordsItsMetrics(objective: Objective) throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        let result = try TrainerStage(database).train(name: "r", specification: Self.small(objective))
        #expect(result.status == .completed && result.step == 12)
        let keys = try Self.keys(database, run: "r")
        var expected: Set<String> = [
            "loss/discriminator", "loss/generator", "score/real", "score/fake",
            "input_grad_norm/real", "input_grad_norm/fake", "generator/sample_grad_norm",
            "activation_grad_norm/discriminator/layers.1", "activation_grad_norm/discriminator/layers.3",
        ]
        for network in ["generator", "discriminator"] {
            for layer in [0, 2, 4] {
                expected.insert("grad_norm/\(network)/layers.\(layer).weight")
                expected.insert("grad_norm/\(network)/layers.\(layer).bias")
            }
        }
        if objective.isWasserstein { expected.insert("wasserstein_estimate") } else { expected.insert("discriminator/accuracy") }
        if objective.hasGradientPenalty { expected.formUnion(["penalty", "input_grad_norm/interpolates"]) }
        if objective == .wgan { expected.insert("clip/fraction_at_bound") }
        #expect(keys == expected, "missing \(expected.subtracting(keys)), unexpected \(keys.subtracting(expected))")
        try RawDatabase(database).read { db in
            let steps = try Int.fetchAll(db, sql: "SELECT step FROM checkpoints WHERE complete ORDER BY step")
            #expect(steps == [0, 5, 10, 12])
            let rows = try Int.fetchOne(db, sql: "SELECT count(*) FROM metrics WHERE key = 'loss/generator'")
            #expect(rows == 12)
            let nulls = try Int.fetchOne(db, sql: "SELECT count(*) FROM metrics WHERE value IS NULL")
            #expect(nulls == 0)
        }
        let run = try RunStore(database).find("r")
        #expect(run.status == .completed && run.currentStep == 12 && run.owner == nil && run.finishedAt != nil)
        #expect(try TrainingSpecification.decode(canonicalJSON: run.configJson) == Self.small(objective))
    }

    @Test func wganKeepsEveryDiscriminatorWeightWithinTheClip() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        var specification = Self.small(.wgan)
        specification.learningRate = 0.05
        _ = try TrainerStage(database).train(name: "clip", specification: specification)
        let checkpoint = try #require(try CheckpointStore(database).latestComplete(runId: 1))
        let blobs = try CheckpointStore(database).blobs(of: checkpoint)
        var checked = 0
        for (name, blob) in blobs where name.hasPrefix("discriminator/") {
            blob.data.withUnsafeBytes { raw in
                for value in raw.bindMemory(to: Float.self) { #expect(abs(value) <= 0.01) }
            }
            checked += 1
        }
        #expect(checked == 6)
        let fraction = try RawDatabase(database).read { try Double.fetchOne($0, sql: "SELECT value FROM metrics WHERE key = 'clip/fraction_at_bound' ORDER BY step DESC") }
        #expect((fraction ?? 0) > 0.1, "with a large learning rate, weights pile up at ±c")
    }

    @Test func metricsEveryNRecordsOnlyThoseStepsAndTheLast() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        var specification = Self.small(.nsgan, steps: 10)
        specification.metricsEvery = 4
        _ = try TrainerStage(database).train(name: "sparse", specification: specification)
        let steps = try RawDatabase(database).read { try Int.fetchAll($0, sql: "SELECT step FROM metrics WHERE key = 'loss/generator' ORDER BY step") }
        #expect(steps == [4, 8, 10])
    }

    /// Measuring is not training: a run that records every gradient norm at every step ends
    /// with the same checkpoint, bit for bit, as one that records them only at its last step.
    /// With a batch-normalized discriminator (the measurement of ‖∇ₓD‖ must leave its running
    /// statistics alone) and with one whose real and generated batches go through in one pass.
    @Test(arguments: ["linear 16, batch-norm, relu, linear 16, relu, linear 1", nil])
    func measuringDoesNotChangeTraining(discriminatorLayers: String?) throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        var specification = Self.small(.nsgan, steps: 6)
        specification.discriminatorLayers = discriminatorLayers
        specification.metricsEvery = 1
        _ = try TrainerStage(database).train(name: "every", specification: specification)
        specification.metricsEvery = 6
        _ = try TrainerStage(database).train(name: "last", specification: specification)
        let every = try ResumeTests.finalBlobs(database, run: "every"), last = try ResumeTests.finalBlobs(database, run: "last")
        #expect(every.keys.contains { $0.contains("running_mean") } == (discriminatorLayers != nil))
        for (name, blob) in every { #expect(blob == last[name], "\(name) differs") }
    }

    /// `TrainingSpecification.Key` names exactly the keys of the stored configuration, and a
    /// problem names the key of the setting that is wrong.
    @Test func problemsNameTheKeysOfTheStoredConfiguration() throws {
        var full = Self.small(.wgan)
        full.generatorFrozenAfter = 0
        (full.architecture, full.channels, full.generatorNormalization, full.discriminatorNormalization) = (.mlp, 8, .batch, .spectral)
        (full.generatorLayers, full.discriminatorLayers) = ("linear 2", "linear 1")
        (full.conditional, full.classEmbedding) = (true, 4)
        let stored = try #require(try JSONSerialization.jsonObject(with: Data(full.canonicalJSON().utf8)) as? [String: Any])
        #expect(Set(stored.keys) == Set(TrainingSpecification.Key.allCases.map(\.rawValue)))
        var invalid = full
        invalid.batchSize = 0
        invalid.clip = 0
        invalid.noiseDimension = 1 << 20
        #expect(invalid.problems().map(\.key) == [.batchSize, .noiseDimension, .clip])
        #expect(invalid.problems()[0].description == "batch_size must be between 1 and 65536 (got 0)")
    }

    /// Every checkpoint carries the description its weights follow: the parameter paths the
    /// blobs are named by, and the hidden outputs the activation-gradient keys are named by.
    @Test func checkpointsCarryTheNetworksTheyHold() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        _ = try TrainerStage(database).train(name: "described", specification: Self.small(.wganGP, steps: 2))
        let store = CheckpointStore(database)
        let blobs = try store.blobs(of: try #require(try store.latestComplete(runId: 1)))
        let model = try ModelDescription.decode(try #require(blobs[ModelDescription.blobName]).data)
        #expect(model == ModelDescription(Self.small(.wganGP), features: 2))
        for network in ["generator", "discriminator"] {
            let stored = Set(blobs.keys.filter { $0.hasPrefix(network + "/") })
            #expect(stored == Set(try #require(model.network(network)).parameters.map { "\(network)/\($0.path)" }))
        }
        let keys = try Self.keys(database, run: "described").filter { $0.hasPrefix(MetricKey.activationGradientNormPrefix) }
        #expect(keys == Set(model.discriminator.hiddenOutputPaths.map(MetricKey.activationGradientNorm)))
        #expect(model.discriminator.summary == "2→16→16→1 relu")
    }

    @Test func invalidSpecificationsAreRefusedBeforeAnythingIsWritten() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        var specification = Self.small(.wganGP)
        specification.batchSize = 0
        specification.activation = "swish"
        #expect(throws: TrainerError.self) { try TrainerStage(database).train(name: "bad", specification: specification) }
        var unknown = Self.small(.gan)
        unknown.dataset = "nope"
        #expect(throws: StoreError.unknownDataset("nope")) { try TrainerStage(database).train(name: "bad", specification: unknown) }
        #expect(try RunStore(database).list().isEmpty)
        _ = try TrainerStage(database).train(name: "taken", specification: Self.small(.gan, steps: 1))
        #expect(throws: StoreError.duplicateRun("taken")) { try TrainerStage(database).train(name: "taken", specification: Self.small(.gan, steps: 1)) }
    }
}

@Suite struct FrozenGeneratorTests {
    /// After `generatorFrozenAfter` steps the generator's weights stop changing, the
    /// discriminator keeps learning, and the generator's gradient is still recorded.
    @Test func aFrozenGeneratorIsMeasuredButNotUpdated() throws {
        let folder = TemporaryDirectory()
        let database = try TrainingTests.database(in: folder)
        var specification = TrainingTests.small(.gan, steps: 12)
        specification.generatorFrozenAfter = 6
        specification.checkpointEvery = 6
        _ = try TrainerStage(database).train(name: "frozen", specification: specification)
        let store = CheckpointStore(database)
        let atFreeze = try store.blobs(of: try #require(try store.checkpoint(runId: 1, step: 6)))
        let atEnd = try store.blobs(of: try #require(try store.latestComplete(runId: 1)))
        for (name, blob) in atFreeze where name.hasPrefix("generator/") {
            #expect(atEnd[name] == blob, "\(name) changed after the freeze")
        }
        #expect(atFreeze.filter { $0.key.hasPrefix("discriminator/") } != atEnd.filter { $0.key.hasPrefix("discriminator/") })
        let steps = try RawDatabase(database).read { try Int.fetchAll($0, sql: "SELECT step FROM metrics WHERE key = 'generator/sample_grad_norm' ORDER BY step") }
        #expect(steps == Array(1...12))
        var invalid = specification
        invalid.generatorFrozenAfter = 12
        #expect(!invalid.problems().isEmpty)
    }
}
