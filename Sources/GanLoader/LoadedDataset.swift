import Foundation
import GanStore

/// A dataset as the trainer and evaluator use it: Float32 samples `[sampleCount, features…]`
/// row-major with `scale` and `offset` applied, optional integer labels `[sampleCount]`, the
/// split (training rows first) and the metadata (mode centres and std for toy datasets).
///
/// ```swift
/// let data = try DatasetCatalog(database).load("8gaussians")
/// let batch = data.rows(0..<64)            // 64 × data.featureCount floats
/// let modes = data.metadata.modes          // [[Double]] in sample coordinates
/// ```
public struct LoadedDataset: Sendable {
    public let record: DatasetRecord
    public let metadata: DatasetMetadata
    /// Shape of one sample, e.g. `[2]` or `[28, 28]`.
    public let sampleShape: [Int]
    /// All samples, `sampleCount × featureCount` floats, training rows first.
    public let samples: [Float]
    /// One class label per sample (for toy datasets with modes: the mode index), or nil.
    public let labels: [Int32]?

    public init(record: DatasetRecord, metadata: DatasetMetadata, sampleShape: [Int], samples: [Float], labels: [Int32]?) {
        self.record = record
        self.metadata = metadata
        self.sampleShape = sampleShape
        self.samples = samples
        self.labels = labels
    }

    public var name: String { record.name }
    public var sampleCount: Int { record.sampleCount }
    public var trainCount: Int { record.trainCount }
    public var testCount: Int { record.testCount }
    /// Floats per sample: the product of `sampleShape`.
    public var featureCount: Int { sampleShape.reduce(1, *) }
    /// Row indices of the training split.
    public var trainRange: Range<Int> { 0..<trainCount }
    /// Row indices of the held-out test split.
    public var testRange: Range<Int> { trainCount..<sampleCount }

    /// The floats of rows `range`, contiguous: `[range.count, featureCount]`.
    public func rows(_ range: Range<Int>) -> ArraySlice<Float> {
        precondition(range.lowerBound >= 0 && range.upperBound <= sampleCount, "rows \(range) outside 0..<\(sampleCount)")
        return samples[(range.lowerBound * featureCount)..<(range.upperBound * featureCount)]
    }

    /// The floats of the rows at `indices` (e.g. a shuffled minibatch), `[indices.count, featureCount]`.
    public func gather(_ indices: [Int]) -> [Float] {
        let width = featureCount
        var result = [Float](repeating: 0, count: indices.count * width)
        samples.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < sampleCount, "row \(index) outside 0..<\(sampleCount)")
                    for j in 0..<width { target[row * width + j] = source[index * width + j] }
                }
            }
        }
        return result
    }

    /// The training samples, `[trainCount, featureCount]`.
    public var trainSamples: ArraySlice<Float> { rows(trainRange) }
    /// The held-out samples, `[testCount, featureCount]`.
    public var testSamples: ArraySlice<Float> { rows(testRange) }
    /// The training labels, if any.
    public var trainLabels: ArraySlice<Int32>? { labels?[trainRange] }
    /// The held-out labels, if any.
    public var testLabels: ArraySlice<Int32>? { labels?[testRange] }
}
