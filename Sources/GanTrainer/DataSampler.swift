import GanTensor

/// Draws minibatches from the training split in shuffled epochs: epoch `e` visits the samples in
/// the order of a Fisher–Yates permutation drawn from its own random stream, so the state that
/// a checkpoint must hold is just `(epoch, position)`.
public struct DataSampler: Sendable {
    /// Where the sampler stands; stored in checkpoints.
    public struct Cursor: Codable, Equatable, Sendable {
        public var epoch: Int
        public var position: Int

        public init(epoch: Int, position: Int) {
            self.epoch = epoch
            self.position = position
        }
    }

    /// The training samples, row-major `[count, features]`.
    public let samples: [Float]
    public let count: Int
    public let features: Int
    private let generator: PhiloxGenerator
    public private(set) var cursor: Cursor
    private var permutation: [Int32]

    /// `generator` seeds the permutations: epoch `e` uses its stream `e`.
    public init(samples: [Float], count: Int, features: Int, generator: PhiloxGenerator, cursor: Cursor = Cursor(epoch: 0, position: 0)) {
        precondition(count > 0 && samples.count == count * features, "DataSampler: \(samples.count) values for \(count)×\(features)")
        self.samples = samples
        self.count = count
        self.features = features
        self.generator = generator
        self.cursor = cursor
        self.permutation = Self.permutation(count: count, epoch: cursor.epoch, generator: generator)
    }

    static func permutation(count: Int, epoch: Int, generator: PhiloxGenerator) -> [Int32] {
        var order = (0..<count).map(Int32.init)
        var stream = generator.stream(UInt64(epoch))
        var i = count - 1
        while i > 0 {
            let j = stream.nextIndex(below: i + 1)
            order.swapAt(i, j)
            i -= 1
        }
        return order
    }

    /// The next `batchSize` samples `[batchSize, features]`, wrapping into the next epoch, and
    /// the index of each in the training split (a conditional run looks up their classes).
    public mutating func next(_ batchSize: Int) -> (samples: Tensor, indices: [Int]) {
        var indices: [Int] = []
        indices.reserveCapacity(batchSize)
        let batch = Tensor.zeros([batchSize, features])
        batch.withUnsafeMutableBufferPointer { buffer in
        let out = buffer.baseAddress!
        samples.withUnsafeBufferPointer { source in
            for row in 0..<batchSize {
                if cursor.position == count {
                    cursor = Cursor(epoch: cursor.epoch + 1, position: 0)
                    permutation = Self.permutation(count: count, epoch: cursor.epoch, generator: generator)
                }
                let index = Int(permutation[cursor.position])
                indices.append(index)
                (out + row * features).update(from: source.baseAddress! + index * features, count: features)
                cursor.position += 1
            }
        }
        }
        return (batch, indices)
    }
}
