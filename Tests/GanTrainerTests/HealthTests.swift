import Foundation
import GanSchema
import GanStore
import GanTestSupport
import GanTrainer
import Testing

@Suite struct HealthTests {
    @Test func vanishingEpisodesWarnOncePerEpisode() {
        var health = GradientHealth(vanishingThreshold: 1e-3, explodingThreshold: 1e3, window: 3)
        var warnings: [Int] = []
        let values: [Double] = [1e-4, 1e-4, 1e-4, 1e-4, 1, 1e-4, 1e-4, 1e-4, 1e4, 1e4, 1e4]
        for (step, value) in values.enumerated() {
            for event in health.observe(step: step, norms: [("grad_norm/discriminator/layers.0.weight", value)]) {
                warnings.append(step)
                #expect(event.severity == .warning)
                #expect(event.message.contains("layers.0.weight"))
            }
        }
        #expect(warnings == [2, 7, 10])
    }

    @Test func aNonFiniteWeightFailsTheRunAndNamesTheLayer() throws {
        let folder = TemporaryDirectory()
        let database = try TrainingTests.database(in: folder)
        var specification = TrainingTests.small(.wganGP, steps: 50)
        // A learning rate this large on plain SGD drives the weights to infinity within steps.
        specification.optimizer = .sgd
        specification.beta1 = 0
        specification.learningRate = 9
        specification.gradientPenaltyWeight = 0
        let result = try TrainerStage(database).train(name: "boom", specification: specification)
        #expect(result.status == .failed)
        let message = try #require(result.error)
        #expect(message.contains("non-finite") && message.contains("layers."))
        let run = try RunStore(database).find("boom")
        #expect(run.status == .failed && run.error == message)
        let events = try RunStore(database).contents(of: run, bucketsPerKey: 1).events.filter { $0.kind == "non_finite" }
        #expect(events.count == 1 && events[0].severity == .error && events[0].step == result.step + 1)
        // The last good checkpoint is still loadable.
        let checkpoint = try #require(try CheckpointStore(database).latestComplete(runId: 1))
        let blobs = try CheckpointStore(database).blobs(of: checkpoint)
        #expect(!blobs.isEmpty)
    }
}
