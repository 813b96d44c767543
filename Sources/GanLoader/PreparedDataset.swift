import Foundation
import GanStore

/// A dataset turned into rows, ready to insert: the `datasets` row, each array's row and its
/// 4 MiB parts, every SHA-256 computed. Preparing touches no database, so the slow hashing
/// happens before any lock is taken and a refusal can be decided with reads alone.
public struct PreparedDataset: Sendable {
    /// The `datasets` row (without id).
    public let record: DatasetRecord
    /// Each array's row (dataset id 0 until inserted) and its parts (array id 0 until inserted).
    public let arrays: [(record: DatasetArrayRecord, parts: [DatasetPartRecord])]

    /// Prepares `content` under `name` (validated by `DatasetCatalog.validate(name:)`).
    public init(_ content: DatasetContent, name: String) throws {
        try DatasetCatalog.validate(name: name)
        let named = content.namedArrays
        var arrays: [(record: DatasetArrayRecord, parts: [DatasetPartRecord])] = []
        for (arrayName, array) in named {
            let record = DatasetArrayRecord(
                datasetId: 0, name: arrayName, elementType: array.elementType.rawValue, shapeJson: array.shapeJSON,
                scale: array.scale, offset: array.offset, byteCount: Int64(array.bytes.count), sha256: array.sha256())
            var parts: [DatasetPartRecord] = []
            var start = 0
            repeat {
                let end = min(start + DatasetCatalog.partSize, array.bytes.count)
                parts.append(DatasetPartRecord(arrayId: 0, partIndex: parts.count, data: Data(array.bytes[start..<end])))
                start = end
            } while start < array.bytes.count
            arrays.append((record, parts))
        }
        let contentHash = DatasetContent.contentHash(of: named, arrayHashes: arrays.map(\.record.sha256))
        record = DatasetRecord(
            name: name, kind: content.kind, source: content.source, sourceBytes: content.sourceBytes,
            contentSha256: contentHash, sampleCount: content.sampleCount, trainCount: content.trainCount,
            testCount: content.testCount, seed: content.seed, metadataJson: try content.metadata.encoded())
        self.arrays = arrays
    }

    /// Bytes over all parts.
    public var byteCount: Int {
        arrays.reduce(0) { $0 + Int($1.record.byteCount) }
    }
}
