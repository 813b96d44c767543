import GanTensor

/// Samples as one row-major Float32 matrix `[count, features]` — generated points, held-out
/// real points, or classifier features. Every metric of the evaluator reads this shape.
public struct SampleSet: Sendable, Equatable {
    public var values: [Float]
    public let count: Int
    public let features: Int

    public init(values: [Float], count: Int, features: Int) {
        precondition(values.count == count * features, "SampleSet: \(values.count) values for [\(count), \(features)]")
        self.values = values
        self.count = count
        self.features = features
    }

    /// `[count, features]` from a tensor's scalars.
    public init(_ tensor: Tensor) {
        precondition(tensor.rank == 2, "SampleSet: needs a [count, features] tensor, got \(tensor.shape)")
        self.init(values: tensor.scalars, count: tensor.shape[0], features: tensor.shape[1])
    }

    public var tensor: Tensor { Tensor(shape: [count, features], scalars: values) }

    /// Row `index` as Doubles.
    public func row(_ index: Int) -> [Double] {
        (0..<features).map { Double(values[index * features + $0]) }
    }

    /// The rows at `indices`, in that order.
    public func rows(_ indices: [Int]) -> SampleSet {
        var selected = [Float]()
        selected.reserveCapacity(indices.count * features)
        values.withUnsafeBufferPointer { source in
            for index in indices {
                selected.append(contentsOf: source[(index * features)..<((index + 1) * features)])
            }
        }
        return SampleSet(values: selected, count: indices.count, features: features)
    }

    /// Whether every value is finite.
    public var isFinite: Bool { values.allSatisfy(\.isFinite) }

    /// A uniformly random permutation of `0..<count` (Fisher–Yates with Lemire's unbiased integers).
    public static func permutation(count: Int, using generator: inout PhiloxGenerator) -> [Int] {
        var pool = Array(0..<count)
        if count > 1 {
            for i in 0..<(count - 1) { pool.swapAt(i, i + generator.nextIndex(below: count - i)) }
        }
        return pool
    }

    /// `k` distinct row indices drawn uniformly without replacement (partial Fisher–Yates with
    /// Lemire's unbiased integers), in draw order; all rows in order when `k ≥ count`.
    public static func subsetIndices(count: Int, choosing k: Int, using generator: inout PhiloxGenerator) -> [Int] {
        guard k < count else { return Array(0..<count) }
        var pool = Array(0..<count)
        for i in 0..<k {
            let j = i + generator.nextIndex(below: count - i)
            pool.swapAt(i, j)
        }
        return Array(pool[0..<k])
    }
}
