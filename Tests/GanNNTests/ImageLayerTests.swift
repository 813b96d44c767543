import Foundation
import GanModels
import GanNN
import GanSchema
import GanTensor
import GanTestSupport
import Testing

/// The layers of convolutional GANs: values against PyTorch's definitions, first and second
/// derivatives against finite differences (the penalty differentiates the critic twice), and
/// the state they keep (running statistics, the power-iteration vector).
@Suite struct ImageLayerTests {
    static func uniform(_ shape: [Int], _ low: Float, _ high: Float, seed: UInt64) -> Tensor {
        var generator = PhiloxGenerator(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, using: &generator)
    }

    @Test func batchNormUsesBatchStatisticsInTrainingAndRunningOnesInInference() {
        var generator = PhiloxGenerator(seed: 1)
        let norm = BatchNorm(channels: 2, using: &generator)
        let x = Self.uniform([3, 2, 2, 2], -1, 2, seed: 2)
        let y = norm.forward(x, mode: .training)
        // Per channel over (N, H, W): mean 0, biased variance 1 (up to ε).
        for c in 0..<2 {
            let values = (0..<3).flatMap { n in (0..<4).map { y.scalars[(n * 2 + c) * 4 + $0] } }
            let mean = values.reduce(0, +) / 12
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 12
            #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-3, "channel \(c): \(mean), \(variance)")
            let inputs = (0..<3).flatMap { n in (0..<4).map { x.scalars[(n * 2 + c) * 4 + $0] } }
            let m = inputs.reduce(0, +) / 12
            let unbiased = inputs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 11
            #expect(abs(norm.runningMean.scalars[c] - 0.1 * m) < 1e-6)
            #expect(abs(norm.runningVariance.scalars[c] - (0.9 + 0.1 * unbiased)) < 1e-5)
        }
        let inferred = norm.forward(x, mode: .inference)
        let (m0, v0) = (norm.runningMean.scalars[0], norm.runningVariance.scalars[0])
        #expect(abs(inferred.scalars[0] - (x.scalars[0] - m0) / (v0 + 1e-5).squareRoot()) < 1e-5)
        #expect(norm.namedBuffers.map(\.path) == ["running_mean", "running_var"])
    }

    @Test func layerNormNormalisesEachSampleOnItsOwn() {
        let norm = LayerNorm(sampleShape: [2, 3])
        let x = Self.uniform([4, 2, 3], -2, 3, seed: 3)
        let y = norm.forward(x, mode: .training)
        for n in 0..<4 {
            let values = Array(y.scalars[(n * 6)..<(n * 6 + 6)])
            let mean = values.reduce(0, +) / 6
            #expect(abs(mean) < 1e-5 && abs(values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 6 - 1) < 1e-3)
        }
        // Changing one sample leaves the others' outputs alone (what the per-sample penalty needs).
        let changed = Tensor(shape: [4, 2, 3], scalars: [Float](repeating: 5, count: 6) + Array(x.scalars.dropFirst(6)))
        #expect(Array(norm.forward(changed, mode: .training).scalars.dropFirst(6)) == Array(y.scalars.dropFirst(6)))
    }

    @Test func spectralNormalisationFindsTheLargestSingularValue() {
        var generator = PhiloxGenerator(seed: 4)
        // diag(3, 1, 0.5) rotated: σ₁ = 3.
        let weight = Tensor(shape: [3, 3], scalars: [0, 3, 0, 1, 0, 0, 0, 0, 0.5], requiresGradient: true)
        let estimator = SpectralNormalization(weight: weight, using: &generator)
        for _ in 0..<30 { estimator.iterate(weight) }
        #expect(abs(estimator.sigma(weight) - 3) < 1e-4)
        let normalised = estimator.normalize(weight)
        #expect(zip(normalised.scalars, weight.scalars).allSatisfy { abs($0 - $1 / 3) < 1e-5 })
        // A transposed convolution's output channels are its weight's second axis.
        let convT = Self.uniform([4, 2, 3, 3], -1, 1, seed: 5)
        let columns = SpectralNormalization(weight: convT, outputAxis: 1, using: &generator)
        #expect(columns.u.shape == [2] && columns.v.shape == [36])
    }

    struct LayerCase: Sendable, CustomStringConvertible {
        var description: String
        var inputShape: [Int]
        var layers: [NetworkDescription.Layer]
    }

    static let cases = [
        LayerCase(description: "conv, batch norm, tanh", inputShape: [3, 1, 5, 5],
                  layers: [.conv(1, 2, kernel: 3, stride: 2, padding: 1), .batchNorm(2), .activation(.tanh)]),
        LayerCase(description: "conv transpose, crop, layer norm, tanh", inputShape: [2, 2, 3, 3],
                  layers: [.convTranspose(2, 2, kernel: 4, stride: 2, padding: 1), .crop(height: 5, width: 5), .layerNorm, .activation(.tanh)]),
        LayerCase(description: "spectral conv, tanh, reshape, spectral linear, sigmoid", inputShape: [2, 1, 4, 4],
                  layers: [.conv(1, 2, kernel: 3, stride: 1, padding: 1, spectral: true), .activation(.tanh), .reshape([32]),
                           .linear(32, 3, spectral: true), .activation(.sigmoid)]),
        LayerCase(description: "batch norm 1d after linear", inputShape: [4, 3],
                  layers: [.linear(3, 4), .batchNorm(4), .activation(.tanh)]),
    ]

    /// Builds the case as a network (its input flattened first) and checks ∂/∂x and ∂/∂θ at
    /// first and second order. The checker perturbs the network's own parameter tensors in place.
    @Test("layers differentiate twice", arguments: cases)
    func layerGradients(_ testCase: LayerCase) throws {
        let features = testCase.inputShape.dropFirst().reduce(1, *)
        let sample = Array(testCase.inputShape.dropFirst())
        let description = NetworkDescription(inputs: features, layers: (sample.count > 1 ? [.reshape(sample)] : []) + testCase.layers)
        #expect(description.problem == nil, "\(description.problem ?? "")")
        var generator = PhiloxGenerator(seed: 6)
        let network = try description.makeModule(using: &generator)
        for _ in 0..<3 { network.iterateSpectralNorms() }
        #expect(network.namedParameters.map(\.path) == description.parameters.map(\.path))
        #expect(network.namedParameters.map(\.tensor.shape) == description.parameters.map(\.shape))
        #expect(network.namedBuffers.map(\.path) == description.buffers.map(\.path))
        let f: ([Tensor]) -> Tensor = { inputs in
            let y = network(inputs[0])
            return y * y
        }
        let x = Self.uniform([testCase.inputShape[0], features], -1, 1, seed: 7)
        let first = TensorGradientCheck.firstOrder([x] + network.parameters, f)
        #expect(first.passed, "\(testCase): \(first)")
        let second = TensorGradientCheck.secondOrder([x.copied()] + network.parameters, f)
        #expect(second.passed, "\(testCase): \(second)")
    }
}
