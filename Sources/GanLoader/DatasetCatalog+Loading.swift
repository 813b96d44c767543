import Foundation
import GanStore
import GRDB

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
        let arrays = try database.reader.read { db -> [String: NumericArray] in
            var result: [String: NumericArray] = [:]
            let rows = try DatasetArrayRecord.filter(Column("dataset_id") == record.id).fetchAll(db)
            for row in rows {
                result[row.name] = try Self.decode(row, dataset: record.name, db: db)
            }
            return result
        }
        return (record, arrays)
    }

    /// Checks every checksum of the dataset `reference` without converting values; returns the
    /// number of parts verified.
    public func verify(_ reference: String) throws -> Int {
        let (record, _) = try loadArrays(reference)
        return try database.reader.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM dataset_parts WHERE array_id IN (SELECT id FROM dataset_arrays WHERE dataset_id = ?)
                """, arguments: [record.id]) ?? 0
        }
    }

    /// Reassembles one array through `DatasetStore.reassemble` (part order, each part's and the
    /// whole array's SHA-256, the byte count) and checks its element type and shape.
    static func decode(_ row: DatasetArrayRecord, dataset: String, db: Database) throws -> NumericArray {
        func corrupt(_ detail: String) -> LoaderError {
            .corruptDataset(name: dataset, detail: "array '\(row.name)' \(detail)")
        }
        guard let type = ElementType(rawValue: row.elementType) else { throw corrupt("has the unknown element type '\(row.elementType)'") }
        guard let shape = try? JSONDecoder().decode([Int].self, from: Data(row.shapeJson.utf8)), !shape.isEmpty,
              shape.allSatisfy({ $0 >= 0 }) else {
            throw corrupt("has an unreadable shape \(row.shapeJson)")
        }
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try DatasetStore.reassemble(row, in: db))
        } catch let damage as ArrayDamage {
            throw corrupt(damage.detail)
        }
        guard bytes.count == shape.reduce(1, *) * type.byteWidth else {
            throw corrupt("has \(bytes.count) bytes, which do not fit shape \(row.shapeJson) of \(type.rawValue)")
        }
        return NumericArray(elementType: type, shape: shape, bytes: bytes, scale: row.scale, offset: row.offset)
    }
}
