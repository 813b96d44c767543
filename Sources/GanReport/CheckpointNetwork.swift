import Foundation
import GanStore

/// A trained multilayer perceptron read back from checkpoint blobs, evaluated in plain Swift
/// `Double` loops. GanReport may not import the tensor code (DESIGN §2: it reads the store
/// only), and the report needs just a few thousand forward passes — a contour grid and a few
/// hundred generated samples — so this small, self-contained forward pass is enough.
///
/// Layout (PyTorch `nn.Sequential`, as the trainer stores it): blobs `NETWORK/layers.N.weight`
/// (`[out, in]`, float32 little-endian) and `NETWORK/layers.N.bias` (`[out]`) at even N, the
/// hidden activation after every linear layer but the last, no output activation.
/// `[inputs] → [outputs]` per sample.
public struct CheckpointNetwork: Sendable {
    public struct Layer: Sendable {
        public var index: Int
        public var weight: [Double]
        public var bias: [Double]
        public var inputs: Int
        public var outputs: Int
    }

    public var layers: [Layer]
    public var activation: String
    public var leakySlope: Double

    public var inputs: Int { layers.first?.inputs ?? 0 }
    public var outputs: Int { layers.last?.outputs ?? 0 }

    /// Reads `network` (`generator` or `discriminator`) from `blobs`; nil if it is absent or
    /// its layers do not chain.
    public init?(network: String, blobs: [String: CheckpointBlob], activation: String, leakySlope: Double) {
        var found: [Layer] = []
        let prefix = "\(network)/layers."
        let indices = Set(blobs.keys.compactMap { name -> Int? in
            guard name.hasPrefix(prefix), name.hasSuffix(".weight") else { return nil }
            return Int(name.dropFirst(prefix.count).dropLast(".weight".count))
        }).sorted()
        for index in indices {
            guard let weight = blobs["\(prefix)\(index).weight"], weight.shape.count == 2,
                  let weightValues = Self.floats(weight) else { return nil }
            let (outputs, inputs) = (weight.shape[0], weight.shape[1])
            let biasValues = blobs["\(prefix)\(index).bias"].flatMap(Self.floats) ?? [Double](repeating: 0, count: outputs)
            guard weightValues.count == outputs * inputs, biasValues.count == outputs else { return nil }
            if let previous = found.last, previous.outputs != inputs { return nil }
            found.append(Layer(index: index, weight: weightValues, bias: biasValues, inputs: inputs, outputs: outputs))
        }
        guard !found.isEmpty else { return nil }
        layers = found
        self.activation = activation
        self.leakySlope = leakySlope
    }

    /// The output for one input vector.
    public func callAsFunction(_ input: [Double]) -> [Double] {
        var h = input
        for (position, layer) in layers.enumerated() {
            var next = layer.bias
            layer.weight.withUnsafeBufferPointer { w in
                h.withUnsafeBufferPointer { x in
                    for o in 0..<layer.outputs {
                        var sum = next[o]
                        let row = o * layer.inputs
                        for i in 0..<layer.inputs { sum += w[row + i] * x[i] }
                        next[o] = sum
                    }
                }
            }
            if position < layers.count - 1 { apply(&next) }
            h = next
        }
        return h
    }

    func apply(_ values: inout [Double]) {
        switch activation {
        case "relu": for i in values.indices where values[i] < 0 { values[i] = 0 }
        case "leaky-relu": for i in values.indices where values[i] < 0 { values[i] *= leakySlope }
        case "tanh": for i in values.indices { values[i] = tanh(values[i]) }
        case "sigmoid": for i in values.indices { values[i] = 1 / (1 + exp(-values[i])) }
        default: break
        }
    }

    static func floats(_ blob: CheckpointBlob) -> [Double]? {
        blob.floats?.map(Double.init)
    }
}
