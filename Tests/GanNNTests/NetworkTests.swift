import GanNN
import GanTensor
import Testing

@Suite struct NetworkTests {
    @Test func linearFollowsPyTorchLayoutAndInitialisationBounds() {
        var generator = PhiloxGenerator(seed: 1)
        let layer = Linear(inputs: 16, outputs: 3, using: &generator)
        #expect(layer.weight.shape == [3, 16] && layer.bias.shape == [3])
        let bound: Float = 0.25
        #expect(layer.weight.scalars.allSatisfy { $0 >= -bound && $0 < bound })
        #expect(layer.bias.scalars.allSatisfy { $0 >= -bound && $0 < bound })
        // Spread over the interval, not stuck at a point.
        #expect((layer.weight.scalars.max() ?? 0) - (layer.weight.scalars.min() ?? 0) > bound)
        let x = Tensor(rows: [Array(repeating: 1, count: 16)])
        let expected = (0..<3).map { row in (0..<16).reduce(layer.bias.scalars[row]) { $0 + layer.weight.scalars[row * 16 + $1] } }
        let y = layer(x).scalars
        for (a, e) in zip(y, expected) { #expect(abs(a - e) < 1e-5) }
    }

    /// `Linear, activation, …, Linear[, output activation]` as a Sequential, probing every hidden
    /// activation, weights drawn in order from `generator`.
    static func mlp(_ sizes: [Int], activation: Activation, output: Activation? = nil, using generator: inout PhiloxGenerator) -> Sequential {
        var layers: [any NetworkLayer] = []
        for index in 0..<(sizes.count - 1) {
            if index > 0 { layers.append(ActivationLayer(activation)) }
            layers.append(Linear(inputs: sizes[index], outputs: sizes[index + 1], using: &generator))
        }
        if let output { layers.append(ActivationLayer(output)) }
        return Sequential(layers, probedLayers: Array(stride(from: 1, to: 2 * sizes.count - 3, by: 2)))
    }

    /// What the trainer's one discriminator pass over a real and a generated batch stacked
    /// rests on: without batch normalization every row's output and hidden activations are the
    /// same, bit for bit, whether the row goes through alone or stacked under another batch;
    /// with it they are not, and the network says so (`mixesSamples`).
    @Test func rowsAreIndependentUnlessANetworkMixesSamples() {
        var generator = PhiloxGenerator(seed: 4)
        let mlp = Self.mlp([2, 64, 64, 64, 1], activation: .relu, using: &generator)
        let normalized = Sequential([Linear(inputs: 2, outputs: 8, using: &generator),
                                     BatchNorm(channels: 8, using: &generator), ActivationLayer(.relu),
                                     Linear(inputs: 8, outputs: 1, using: &generator)], probedLayers: [2])
        let first = Tensor.normal([64, 2], using: &generator), second = Tensor.normal([64, 2], using: &generator)
        let stacked = Tensor.concat([first, second], alongAxis: 0)
        #expect(!mlp.mixesSamples && normalized.mixesSamples)
        let alone = [mlp.forward(first), mlp.forward(second)], together = mlp.forward(stacked)
        #expect(together.output.scalars == alone[0].output.scalars + alone[1].output.scalars)
        for (layer, hidden) in together.hidden.enumerated() {
            #expect(hidden.scalars == alone[0].hidden[layer].scalars + alone[1].hidden[layer].scalars)
        }
        let normalizedTogether = normalized(stacked).scalars
        #expect(normalizedTogether != normalized(first).scalars + normalized(second).scalars)
    }

    @Test func aSequentialNamesParametersAsPyTorchAndReturnsTheHiddenActivations() {
        var generator = PhiloxGenerator(seed: 2)
        let mlp = Self.mlp([2, 8, 8, 8, 1], activation: .relu, using: &generator)
        #expect(mlp.namedParameters.map(\.path) == [
            "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
            "layers.4.weight", "layers.4.bias", "layers.6.weight", "layers.6.bias",
        ])
        #expect(mlp.parameterCount == (2 * 8 + 8) + 2 * (8 * 8 + 8) + (8 + 1))
        let (output, hidden) = mlp.forward(Tensor.normal([5, 2], using: &generator))
        #expect(output.shape == [5, 1])
        #expect(hidden.map(\.shape) == [[5, 8], [5, 8], [5, 8]])
        #expect(hidden.allSatisfy { $0.scalars.allSatisfy { $0 >= 0 } })
    }

    @Test func sameSeedSameWeights() {
        var a = PhiloxGenerator(seed: 9), b = PhiloxGenerator(seed: 9), c = PhiloxGenerator(seed: 10)
        let first = Self.mlp([2, 4, 4, 2], activation: .tanh, using: &a)
        let second = Self.mlp([2, 4, 4, 2], activation: .tanh, using: &b)
        let third = Self.mlp([2, 4, 4, 2], activation: .tanh, using: &c)
        #expect(first.parameters.map(\.scalars) == second.parameters.map(\.scalars))
        #expect(first.parameters.map(\.scalars) != third.parameters.map(\.scalars))
    }

    @Test func outputActivationsAndNames() {
        var generator = PhiloxGenerator(seed: 4)
        let mlp = Self.mlp([3, 4, 2], activation: .leakyRelu(slope: 0.2), output: .tanh, using: &generator)
        let y = mlp(Tensor.normal([10, 3], standardDeviation: 10, using: &generator))
        #expect(y.scalars.allSatisfy { $0 > -1 && $0 < 1 })
        for name in Activation.names { #expect(Activation(name: name)?.name == name) }
        #expect(Activation(name: "swish") == nil)
    }
}
