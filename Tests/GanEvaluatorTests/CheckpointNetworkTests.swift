import Foundation
import GanEvaluator
import GanModels
import GanSchema
import GanNN
import GanStore
import GanTensor
import Testing

/// The evaluator rebuilds a network from the description its checkpoint carries, and still
/// reads checkpoints written before descriptions were stored.
@Suite struct CheckpointNetworkTests {
    static let description = NetworkDescription.mlp(inputs: 3, outputs: 2, hiddenLayers: 2, width: 5, activation: .tanh)

    /// The blobs a trainer writes for `description`'s network, called `generator`.
    static func checkpoint(with model: ModelDescription?) throws -> [String: CheckpointBlob] {
        var weights = PhiloxGenerator(seed: 4)
        let module = try description.makeModule(using: &weights)
        var blobs = Dictionary(uniqueKeysWithValues: module.namedParameters.map { path, tensor in
            ("generator/\(path)", CheckpointBlob.float32("generator/\(path)", shape: tensor.shape, values: tensor.scalars))
        })
        if let model { blobs[ModelDescription.blobName] = CheckpointBlob(name: ModelDescription.blobName, elementType: "json", shape: [], data: model.json()) }
        return blobs
    }

    @Test func aCheckpointIsRebuiltFromItsDescriptionOrByItsLayout() throws {
        let model = ModelDescription(generator: Self.description, discriminator: .mlp(inputs: 2, outputs: 1, hiddenLayers: 1, width: 4, activation: .relu))
        #expect(Self.description.parameters.map(\.path) == ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "layers.4.weight", "layers.4.bias"])
        #expect(Self.description.hiddenOutputPaths == ["layers.1", "layers.3"])
        let input = Tensor(shape: [4, 3], scalars: (0..<12).map { Float($0) / 7 - 0.8 })
        let described = try CheckpointNetwork(checkpoint: try Self.checkpoint(with: model), network: "generator", activation: { Issue.record("not needed"); return .relu })
        // Written before descriptions: the layout and the run's activation.
        let probed = try CheckpointNetwork(checkpoint: try Self.checkpoint(with: nil), network: "generator", activation: { .tanh })
        #expect(described.description == Self.description && probed.description == Self.description)
        let output = described.apply(SampleSet(input))
        #expect(output.values == probed.apply(SampleSet(input)).values && output.features == 2)
        // The same as the module the trainer built, by hand: tanh between the linear layers.
        var weights = PhiloxGenerator(seed: 4)
        let reference = try Self.description.makeModule(using: &weights)
        #expect(output.values == GradientMode.withGradientsDisabled { reference(input) }.scalars)
        #expect(model == (try ModelDescription.decode(model.json())))

        // A description whose shapes the blobs do not have is refused, not misread.
        var wrong = model
        wrong.generator = .mlp(inputs: 3, outputs: 2, hiddenLayers: 2, width: 6, activation: .tanh)
        #expect(throws: EvaluatorError.self) { try CheckpointNetwork(checkpoint: try Self.checkpoint(with: wrong), network: "generator", activation: { .tanh }) }
        #expect(NetworkDescription(inputs: 3, layers: [.linear(4, 2)]).problem == "layers.0 (linear) takes 4 features but the layer before gives 3 features")
    }
}
