import Foundation
import GanStore

extension DatasetCatalog {
    /// The dataset `reference` (name or id) as Float32 samples with labels, split and metadata,
    /// every part's and array's checksum verified. A damaged dataset throws
    /// `LoaderError.corruptDataset` naming the array and part; it is never used silently.
    public func load(_ reference: String) throws -> LoadedDataset {
        let (record, arrays) = try loadArrays(reference)
        guard let samples = arrays["samples"] else {
            throw LoaderError.corruptDataset(name: record.name, detail: "it has no 'samples' array")
        }
        guard samples.rowCount == record.sampleCount else {
            throw LoaderError.corruptDataset(name: record.name, detail: "'samples' has \(samples.rowCount) rows but sample_count is \(record.sampleCount)")
        }
        let labels = arrays["labels"]
        if let labels, labels.rowCount != record.sampleCount {
            throw LoaderError.corruptDataset(name: record.name, detail: "'labels' has \(labels.rowCount) rows but sample_count is \(record.sampleCount)")
        }
        return LoadedDataset(
            record: record, metadata: DatasetMetadata.decoded(from: record.metadataJson),
            sampleShape: Array(samples.shape.dropFirst()), samples: samples.floatValues(),
            labels: labels.map { $0.integerValues().map { Int32(truncatingIfNeeded: $0) } })
    }

    /// The dataset `reference` with its arrays as stored (element type, shape, scale, offset),
    /// checksums verified.
    public func loadArrays(_ reference: String) throws -> (DatasetRecord, [String: NumericArray]) {
        let record = try find(reference)
        let decoded = try store.withArrays(of: record) { row, bytes in
            (row.name, try Self.decode(row, bytes: bytes, dataset: record.name))
        }
        let arrays = Dictionary(decoded, uniquingKeysWith: { _, last in last })
        return (record, arrays)
    }

    /// Checks every checksum of the dataset `reference` without converting values; returns the
    /// number of parts verified.
    public func verify(_ reference: String) throws -> Int {
        let (record, _) = try loadArrays(reference)
        return try store.partCount(of: record)
    }

    /// One array as `DatasetStore.withArrays` reassembled it (part order, each part's and the
    /// whole array's SHA-256, the byte count), its element type and shape checked.
    static func decode(_ row: DatasetArrayRecord, bytes reassembled: Result<Data, ArrayDamage>, dataset: String) throws -> NumericArray {
        func corrupt(_ detail: String) -> LoaderError {
            .corruptDataset(name: dataset, detail: "array '\(row.name)' \(detail)")
        }
        guard let type = ElementType(rawValue: row.elementType) else { throw corrupt("has the unknown element type '\(row.elementType)'") }
        guard let shape = try? JSONDecoder().decode([Int].self, from: Data(row.shapeJson.utf8)), !shape.isEmpty,
              shape.allSatisfy({ $0 >= 0 }) else {
            throw corrupt("has an unreadable shape \(row.shapeJson)")
        }
        let bytes: [UInt8]
        switch reassembled {
        case .success(let data): bytes = [UInt8](data)
        case .failure(let damage): throw corrupt(damage.detail)
        }
        guard bytes.count == shape.reduce(1, *) * type.byteWidth else {
            throw corrupt("has \(bytes.count) bytes, which do not fit shape \(row.shapeJson) of \(type.rawValue)")
        }
        return NumericArray(elementType: type, shape: shape, bytes: bytes, scale: row.scale, offset: row.offset)
    }
}
