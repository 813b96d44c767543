import Foundation
import GanSchema
import GanNN
import GanStore
import GanTensor

/// A trained MLP (the dataset classifier's) rebuilt from checkpoint blobs for inference:
/// `Linear, activation, …, Linear` in PyTorch's `nn.Sequential` layout (`PREFIX/layers.0.weight`,
/// `PREFIX/layers.2.weight`, …, weights `[out, in]` float32 little-endian). Widths come from the
/// blob shapes. A run's networks are rebuilt from their description (`CheckpointNetwork`).
public struct LayerStack {
    public let layers: [Linear]
    public let activation: Activation

    public init(layers: [Linear], activation: Activation) {
        self.layers = layers
        self.activation = activation
    }

    public var inputCount: Int { layers.first?.inputCount ?? 0 }
    public var outputCount: Int { layers.last?.outputCount ?? 0 }

    /// Reads `prefix/layers.{2i}.weight|bias` for i = 0, 1, … until the first missing index.
    /// Throws `EvaluatorError.unusableCheckpoint` for a missing or misshapen tensor.
    public init(blobs: [String: CheckpointBlob], prefix: String, activation: Activation) throws {
        var layers: [Linear] = []
        while blobs["\(prefix)/\(MLP.layerPath(layers.count)).weight"] != nil {
            let path = "\(prefix)/\(MLP.layerPath(layers.count))"
            let layer = try Self.linear(blobs, path: path, expecting: nil)
            if let previous = layers.last, previous.outputCount != layer.inputCount {
                throw EvaluatorError.unusableCheckpoint("\(path).weight takes \(layer.inputCount) inputs but the layer before gives \(previous.outputCount)")
            }
            layers.append(layer)
        }
        guard !layers.isEmpty else { throw EvaluatorError.unusableCheckpoint("it holds no \(prefix)/layers.0.weight") }
        self.init(layers: layers, activation: activation)
    }

    /// The linear layer stored as `path.weight` and `path.bias`, of `(inputs, outputs)` when
    /// given.
    static func linear(_ blobs: [String: CheckpointBlob], path: String, expecting sizes: (inputs: Int, outputs: Int)?) throws -> Linear {
        guard let weightBlob = blobs["\(path).weight"], let biasBlob = blobs["\(path).bias"] else {
            throw EvaluatorError.unusableCheckpoint("\(path).weight or \(path).bias is missing")
        }
        guard weightBlob.shape.count == 2, biasBlob.shape == [weightBlob.shape[0]],
              sizes.map({ weightBlob.shape == [$0.outputs, $0.inputs] }) ?? true,
              let weights = weightBlob.floats, weights.count == weightBlob.shape[0] * weightBlob.shape[1],
              let bias = biasBlob.floats, bias.count == weightBlob.shape[0] else {
            throw EvaluatorError.unusableCheckpoint("\(path) has shapes \(weightBlob.shape) and \(biasBlob.shape), not the linear layer its description names")
        }
        return Linear(weight: Tensor(shape: weightBlob.shape, scalars: weights), bias: Tensor(shape: biasBlob.shape, scalars: bias))
    }

    /// `[batch, inputs] → ([batch, outputs], [batch, last hidden width])`, without a graph.
    /// The penultimate output is the last hidden layer after its activation (the input itself
    /// for a stack without hidden layers).
    public func forward(_ x: Tensor) -> (output: Tensor, penultimate: Tensor) {
        GradientMode.withGradientsDisabled {
            var h = x, penultimate = x
            for (index, layer) in layers.enumerated() {
                h = layer(h)
                if index < layers.count - 1 {
                    h = activation(h)
                    penultimate = h
                }
            }
            return (h, penultimate)
        }
    }

    /// Runs `forward` over `samples` in batches of `batchSize` rows.
    public func apply(_ samples: SampleSet, batchSize: Int = 1024) -> (output: SampleSet, penultimate: SampleSet) {
        var outputs: [Float] = [], hidden: [Float] = []
        var hiddenWidth = samples.features
        var start = 0
        while start < samples.count {
            let end = min(start + batchSize, samples.count)
            let batch = Tensor(shape: [end - start, samples.features],
                               scalars: Array(samples.values[(start * samples.features)..<(end * samples.features)]))
            let (output, penultimate) = forward(batch)
            outputs += output.scalars
            hidden += penultimate.scalars
            hiddenWidth = penultimate.shape[1]
            start = end
        }
        return (SampleSet(values: outputs, count: samples.count, features: outputCount),
                SampleSet(values: hidden, count: samples.count, features: hiddenWidth))
    }

    /// Float32 blobs of every layer, named `prefix/layers.N.weight|bias`.
    public func blobs(prefix: String) -> [CheckpointBlob] {
        layers.enumerated().flatMap { index, layer in
            [("weight", layer.weight), ("bias", layer.bias)].map { name, tensor in
                CheckpointBlob.float32("\(prefix)/\(MLP.layerPath(index)).\(name)", shape: tensor.shape, values: tensor.scalars)
            }
        }
    }
}
