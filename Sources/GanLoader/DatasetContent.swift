import Foundation
import GanStore

/// A dataset ready to be stored: its arrays, split, provenance and metadata. Built by
/// `SyntheticGenerator` and `DatasetImporter`, written by `DatasetCatalog.save`.
///
/// Rows are ordered train first: the first `trainCount` rows are the training split, the last
/// `testCount` the held-out test split (the meaning of `datasets.train_count`/`test_count`).
public struct DatasetContent: Sendable {
    public var kind: DatasetKind
    /// The generator name or the main file's absolute path.
    public var source: String
    public var sourceBytes: Int64?
    public var seed: Int64?
    /// `[count, features…]`.
    public var samples: NumericArray
    /// `[count]` integer class labels, if any.
    public var labels: NumericArray?
    public var testCount: Int
    public var metadata: DatasetMetadata

    public var sampleCount: Int { samples.rowCount }
    public var trainCount: Int { samples.rowCount - testCount }

    public init(kind: DatasetKind, source: String, sourceBytes: Int64? = nil, seed: Int64? = nil,
                samples: NumericArray, labels: NumericArray? = nil, testCount: Int, metadata: DatasetMetadata) {
        precondition(samples.shape.count >= 1, "samples need a first (sample) dimension")
        precondition(labels == nil || labels!.rowCount == samples.rowCount, "labels and samples differ in count")
        precondition(testCount >= 0 && testCount <= samples.rowCount, "test count out of range")
        self.kind = kind
        self.source = source
        self.sourceBytes = sourceBytes
        self.seed = seed
        self.samples = samples
        self.labels = labels
        self.testCount = testCount
        self.metadata = metadata
    }

    /// The arrays by stored name: `samples`, then `labels` if present.
    public var namedArrays: [(name: String, array: NumericArray)] {
        [("samples", samples)] + (labels.map { [("labels", $0)] } ?? [])
    }

    /// SHA-256 over the arrays' names, types, shapes, scaling and bytes — equal for two datasets
    /// exactly when they hold the same values (the split and provenance do not count).
    /// `arrayHashes` are the arrays' own SHA-256s in `namedArrays` order.
    public static func contentHash(of arrays: [(name: String, array: NumericArray)], arrayHashes: [String]) -> String {
        var text = ""
        for ((name, array), hash) in zip(arrays, arrayHashes) {
            text += "\(name) \(array.elementType.rawValue) \(array.shapeJSON) \(array.scale) \(array.offset) \(hash)\n"
        }
        return SHA256.hex(text)
    }
}

/// `datasets.kind`.
public typealias DatasetKind = DatasetRecord.Kind
