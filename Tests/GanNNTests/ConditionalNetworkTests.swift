import Foundation
import GanModels
import GanNN
import GanSchema
import GanTensor
import GanTestSupport
import Testing

/// Class-conditional networks: the generator's label embedding and the projection
/// discriminator (Miyato & Koyama 2018) — their values by hand, their paths and saved state
/// against the description, and first and second derivatives (in x, θ and the embedding)
/// against finite differences, including the gradient penalty's double backward.
@Suite struct ConditionalNetworkTests {
    static let labels = [2, 0, 1, 2]

    static func model(critic: NetworkDescription, spectral: Bool = false) -> ModelDescription {
        ModelDescription(generator: .mlp(inputs: 3, outputs: 4, hiddenLayers: 1, width: 5, activation: .tanh), discriminator: critic)
            .conditioned(classes: 3, embedding: 2)
    }

    static let mlpCritic = NetworkDescription.mlp(inputs: 4, outputs: 1, hiddenLayers: 2, width: 5, activation: .tanh)

    @Test func theEmbeddingIsAppendedToZAndTheProjectionAddsAnInnerProduct() throws {
        let model = Self.model(critic: Self.mlpCritic)
        #expect(model.format == 2 && model.classes == 3)
        #expect(model.generator.layers[0].inputs == 5 && model.discriminator.conditioning?.features == 5)
        #expect(model.generator.problem == nil && model.discriminator.problem == nil)
        var stream = PhiloxGenerator(seed: 3)
        let generator = try model.generator.makeModule(using: &stream)
        let critic = try model.discriminator.makeModule(using: &stream)
        let labels = ClassConditioning.oneHot(Self.labels, classes: 3)
        let z = ImageLayerTests.uniform([4, 3], -1, 1, seed: 4)
        // G(z, y) = layers((z, E[y])).
        let embedding = try #require(generator.conditioning).embedding
        var rows: [Float] = []
        for (row, label) in Self.labels.enumerated() {
            let noise: [Float] = Array(z.scalars[(row * 3)..<(row * 3 + 3)])
            let embedded: [Float] = Array(embedding.scalars[(label * 2)..<(label * 2 + 2)])
            rows += noise + embedded
        }
        let unconditional = Sequential(generator.layers, probedLayers: generator.probedLayers)
        #expect(generator(z, labels: labels).scalars == unconditional(Tensor(shape: [4, 5], scalars: rows)).scalars)
        // D(x, y) = ψ(φ(x)) + ⟨E[y], φ(x)⟩.
        let x = ImageLayerTests.uniform([4, 4], -1, 1, seed: 5)
        let body = Sequential(Array(critic.layers.dropLast()), probedLayers: [])
        let phi = body(x)
        let psi = critic.layers.last!.forward(phi, mode: .training)
        let projection = try #require(critic.conditioning).embedding
        let scores = critic(x, labels: labels).scalars
        for (row, label) in Self.labels.enumerated() {
            let inner = (0..<5).reduce(Float(0)) { $0 + phi.scalars[row * 5 + $1] * projection.scalars[label * 5 + $1] }
            #expect(abs(scores[row] - (psi.scalars[row] + inner)) < 1e-5)
        }
        // Uniform rows 1/K give the score averaged over the classes (what the evaluator draws
        // for a critic without labels): D is linear in E[y].
        let averaged = critic(x, labels: Tensor(shape: [4, 3], scalars: [Float](repeating: 1.0 / 3, count: 12))).scalars
        let perClass = (0..<3).map { label in critic(x, labels: ClassConditioning.oneHot([label, label, label, label], classes: 3)).scalars }
        for row in 0..<4 { #expect(abs(averaged[row] - (perClass[0][row] + perClass[1][row] + perClass[2][row]) / 3) < 1e-5) }
        // Paths and saved state are the description's, the embedding last.
        for (network, description) in [(generator, model.generator), (critic, model.discriminator)] {
            #expect(network.namedParameters.map(\.path) == description.parameters.map(\.path))
            #expect(network.namedParameters.map(\.tensor.shape) == description.parameters.map(\.shape))
            #expect(network.namedBuffers.map(\.path) == description.buffers.map(\.path))
        }
        #expect(generator.namedParameters.last?.path == "class_embedding.weight" && embedding.shape == [3, 2])
        #expect(projection.shape == [3, 5])
        // An older reader of format 1 is refused by the format, a newer format by this reader.
        var newer = model
        newer.format = ModelDescription.currentFormat + 1
        #expect(throws: (any Error).self) { try ModelDescription.decode(newer.json()) }
        #expect(try ModelDescription.decode(model.json()) == model)
    }

    /// ∂/∂x and ∂/∂θ (the embedding among θ) of Σ network(x, y)², at first and second order.
    static func expectDerivativesTwice(_ network: Sequential, at x: Tensor, labels: Tensor, _ context: String,
                                       sourceLocation: SourceLocation = #_sourceLocation) {
        let f: ([Tensor]) -> Tensor = { inputs in
            let y = network(inputs[0], labels: labels)
            return y * y
        }
        let first = TensorGradientCheck.firstOrder([x] + network.parameters, f)
        #expect(first.passed, "\(context): \(first)", sourceLocation: sourceLocation)
        let second = TensorGradientCheck.secondOrder([x.copied()] + network.parameters, f)
        #expect(second.passed, "\(context): \(second)", sourceLocation: sourceLocation)
    }

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var critic: NetworkDescription
    }

    static let cases = [
        Case(description: "mlp critic", critic: mlpCritic),
        Case(description: "spectral mlp critic", critic: NetworkDescription(inputs: 4, layers: [.linear(4, 5, spectral: true), .activation(.leakyRelu(slope: 0.2)),
                                                                                            .linear(5, 1, spectral: true)])),
        Case(description: "conv critic with layer norm", critic: NetworkDescription(inputs: 16, layers: [
            .reshape([1, 4, 4]), .conv(1, 2, kernel: 3, stride: 2, padding: 1), .layerNorm, .activation(.tanh), .reshape([8]), .linear(8, 1)])),
    ]

    /// ∂/∂x, ∂/∂θ and ∂/∂E of the critic, first and second order; and of the penalty
    /// (‖∇ₓD(x, y)‖ − 1)², which differentiates through the projection twice.
    @Test("projection critics differentiate twice", arguments: cases)
    func projectionGradients(_ testCase: Case) throws {
        let model = Self.model(critic: testCase.critic)
        if testCase.description.hasPrefix("spectral") { #expect(model.discriminator.conditioning?.spectral == true) }
        var stream = PhiloxGenerator(seed: 6)
        let critic = try model.discriminator.makeModule(using: &stream)
        for _ in 0..<3 { critic.iterateSpectralNorms() }
        #expect(critic.namedBuffers.map(\.path) == model.discriminator.buffers.map(\.path))
        let labels = ClassConditioning.oneHot(Self.labels, classes: 3)
        let x = ImageLayerTests.uniform([4, testCase.critic.inputs], -1, 1, seed: 7)
        Self.expectDerivativesTwice(critic, at: x, labels: labels, "\(testCase)")
        let penalty: ([Tensor]) -> Tensor = { inputs in
            let point = inputs[0]
            let gradient = gradients(of: critic(point, labels: labels).sum(), withRespectTo: [point], createGraph: true)[0]!
            let norms = gradient.l2Norm(alongAxes: [1], epsilon: 1e-12)
            return (norms - 1) * (norms - 1)
        }
        let penaltyCheck = TensorGradientCheck.firstOrder([x.copied()] + critic.parameters, penalty)
        #expect(penaltyCheck.passed, "\(testCase) penalty: \(penaltyCheck)")
    }

    @Test func theGeneratorsEmbeddingDifferentiatesTwice() throws {
        let model = Self.model(critic: Self.mlpCritic)
        var stream = PhiloxGenerator(seed: 8)
        let generator = try model.generator.makeModule(using: &stream)
        let labels = ClassConditioning.oneHot(Self.labels, classes: 3)
        let z = ImageLayerTests.uniform([4, 3], -1, 1, seed: 9)
        Self.expectDerivativesTwice(generator, at: z, labels: labels, "generator")
        // A class no sample has gets no gradient: the rows are selected, not mixed.
        let y = generator(z, labels: ClassConditioning.oneHot([0, 0, 1, 1], classes: 3))
        let embedding = try #require(generator.conditioning).embedding
        let gradient = try #require(gradients(of: (y * y).sum(), withRespectTo: [embedding])[0])
        #expect(gradient.scalars[4..<6].allSatisfy { $0 == 0 } && gradient.scalars[0..<4].contains { $0 != 0 })
    }

    @Test func descriptionsThatCannotBeConditionalAreNamed() {
        var model = Self.model(critic: NetworkDescription(inputs: 4, layers: [.linear(4, 5), .activation(.tanh), .linear(5, 2)]))
        #expect(model.discriminator.problem?.contains("class projection needs a last layer linear from 5 features to one score") == true)
        model = Self.model(critic: Self.mlpCritic)
        model.generator.conditioning?.classes = 1
        #expect(model.generator.problem?.contains("needs 2 to 1000 classes") == true)
    }
}
