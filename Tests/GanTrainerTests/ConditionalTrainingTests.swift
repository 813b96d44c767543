import Foundation
import GanSchema
import GanStore
import GanTestSupport
import GanTensor
import GanTrainer
import Testing

/// Class-conditional runs through the trainer: every objective with an MLP and with DCGAN,
/// resumed bit for bit (the embeddings and their optimizer state are checkpointed like any
/// weight), and the datasets a conditional run cannot use refused before a run exists.
@Suite struct ConditionalTrainingTests {
    /// The bars of `ConvolutionalTrainingTests`, labelled by the bar's row (4 classes).
    static func database(in folder: TemporaryDirectory) throws -> GanDatabase {
        let database = try GanDatabase.open(path: folder.file("labelled.sqlite"))
        var generator = PhiloxGenerator(seed: 3)
        var values: [Float] = [], labels: [UInt8] = []
        for _ in 0..<256 {
            let label = generator.nextIndex(below: 4)
            labels.append(UInt8(label))
            for pixel in 0..<64 { values.append(pixel / 8 == 2 * label ? 0.9 : 0.05 + 0.05 * generator.nextUniformFloat()) }
        }
        try TestDatasets.insert(values, shape: [256, 8, 8], into: database, name: "bars", testCount: 32, labels: labels)
        try TestDatasets.insert(Array(values.prefix(64 * 64)), shape: [64, 64], into: database, name: "unlabelled", testCount: 8)
        try TestDatasets.insert(Array(values.prefix(64 * 64)), shape: [64, 64], into: database, name: "one-class", testCount: 8,
                                labels: [UInt8](repeating: 0, count: 64))
        try TestDatasets.insert(Array(values.prefix(64 * 64)), shape: [64, 64], into: database, name: "gap", testCount: 8,
                                labels: (0..<64).map { $0 % 2 == 0 ? 0 : 2 })
        return database
    }

    struct Case: Sendable, CustomStringConvertible {
        var objective: Objective
        var architecture: Architecture
        var discriminator: Normalization?
        var description: String { "\(objective.rawValue) \(architecture.rawValue), critic \(discriminator?.rawValue ?? "default")" }
    }

    @Test(arguments: [Case(objective: .nsgan, architecture: .dcgan), Case(objective: .gan, architecture: .mlp),
                      Case(objective: .hinge, architecture: .dcgan, discriminator: .spectral), Case(objective: .wgan, architecture: .mlp),
                      Case(objective: .wganGP, architecture: .dcgan), Case(objective: .wganGP, architecture: .mlp),
                      Case(objective: .wganLP, architecture: .mlp, discriminator: .spectral)])
    func everyObjectiveTrainsConditionallyAndResumesExactly(_ testCase: Case) throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        var specification = ConvolutionalTrainingTests.specification(testCase.objective, testCase.architecture)
        specification.discriminatorNormalization = testCase.discriminator
        specification.conditional = true
        specification.classEmbedding = 3
        if testCase.architecture == .mlp { (specification.generatorWidth, specification.discriminatorWidth, specification.generatorDepth) = (16, 16, 1) }
        let blobs = try ConvolutionalTrainingTests.trainStraightAndResumed(specification, in: database)
        // Both embeddings are weights of the checkpoint, with their gradient norms recorded.
        #expect(blobs["generator/class_embedding.weight"]?.shape == [4, 3])
        let projection = try #require(blobs["discriminator/class_embedding.weight"])
        #expect(projection.shape.first == 4)
        if testCase.discriminator == .spectral { #expect(blobs["discriminator/class_embedding.weight_u"]?.shape == [4]) }
        let rows = try ResumeTests.metricRows(database, run: "straight")
        for key in ["grad_norm/generator/class_embedding.weight", "grad_norm/discriminator/class_embedding.weight"] {
            #expect(rows.contains { $0.hasPrefix(key + "@") }, "no \(key)")
        }
        // The same configuration without conditional is another run with other networks.
        var unconditional = specification
        (unconditional.conditional, unconditional.classEmbedding) = (nil, nil)
        #expect(unconditional.canonicalJSON() != specification.canonicalJSON())
        unconditional.conditional = false
        #expect(unconditional.canonicalJSON() == { var s = specification; (s.conditional, s.classEmbedding) = (nil, nil); return s.canonicalJSON() }())
    }

    @Test func datasetsAConditionalRunCannotUseAreRefusedBeforeARunExists() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        var specification = ConvolutionalTrainingTests.specification(.wganGP, .mlp)
        specification.conditional = true
        let cases: [(String, String?, String)] = [
            ("unlabelled", nil, "a conditional run needs class labels, but dataset 'unlabelled' has none (or its training split has one class)"),
            ("one-class", nil, "dataset 'one-class' has none (or its training split has one class)"),
            ("gap", nil, "embeds the classes 0…2, but dataset 'gap''s training split has no sample of class 1"),
            ("bars", "linear 8, relu, linear 2", "the discriminator ends with 2 values per sample, but needs 1"),
        ]
        for (dataset, critic, message) in cases {
            var wrong = specification
            wrong.dataset = dataset
            wrong.discriminatorLayers = critic
            do {
                _ = try TrainerStage(database).train(name: "refused", specification: wrong)
                Issue.record("\(dataset) was not refused")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
                #expect(!"\(error)".contains("\n"))
            }
        }
        var embedding = ConvolutionalTrainingTests.specification(.wganGP, .mlp)
        embedding.classEmbedding = 4
        #expect(embedding.problems().map(\.description) == ["class_embedding applies only to a conditional run; set conditional: true or drop it"])
        #expect(throws: (any Error).self) { _ = try RunStore(database).find("refused") }
    }
}
