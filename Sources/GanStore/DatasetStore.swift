import Foundation
internal import GRDB

/// Reads stored datasets back: the row, and each array's bytes reassembled from its parts with
/// every checksum verified. A corrupt part is reported, never returned.
public struct DatasetStore: Sendable {
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// One array of a dataset, bytes verified.
    public struct StoredArray: Sendable {
        public var record: DatasetArrayRecord
        public var shape: [Int]
        public var bytes: Data

        /// The values as Float32: each stored element `e` becomes `e * scale + offset`
        /// (decoded by `TypedArrayCodec`).
        public func floats() throws -> [Float] {
            guard let type = ElementType(rawValue: record.elementType) else {
                throw StoreError.corruptBlob("array \(record.name) (unknown element type \(record.elementType))")
            }
            let count = shape.reduce(1, *)
            guard bytes.count == count * type.byteWidth else { throw StoreError.corruptBlob("array \(record.name)") }
            return TypedArrayCodec.floats(bytes, as: type, count: count, scale: record.scale, offset: record.offset)
        }
    }

    public func find(_ name: String) throws -> DatasetRecord {
        guard let record = try database.reader.read({ try RecordRow<DatasetRecord>.filter(Column("name") == name).fetchOne($0)?.record }) else {
            let names = try database.reader.read { try String.fetchAll($0, sql: "SELECT name FROM datasets ORDER BY id") }
            throw StoreError.unknownDataset(name, nearest: EditDistance.nearest(to: name, among: names))
        }
        return record
    }

    /// The array `arrayName` of dataset `name`, or nil if the dataset has no such array.
    public func array(_ arrayName: String, of dataset: DatasetRecord) throws -> StoredArray? {
        try database.reader.read { db in
            guard let record = try RecordRow<DatasetArrayRecord>
                .filter(Column("dataset_id") == dataset.id && Column("name") == arrayName).fetchOne(db)?.record else { return nil }
            let bytes: Data
            do {
                bytes = try Self.reassemble(record, in: db)
            } catch let damage as ArrayDamage {
                throw StoreError.corruptBlob("dataset '\(dataset.name)' array '\(arrayName)' (\(damage.detail))")
            }
            let shape = (try? JSONDecoder().decode([Int].self, from: Data(record.shapeJson.utf8))) ?? []
            return StoredArray(record: record, shape: shape, bytes: bytes)
        }
    }

    /// The shape of one sample of `dataset`: the stored samples array's axes after the first
    /// when it has more than one (an IDX or NPY image import, `[28, 28]`), else the metadata's
    /// `sample_shape` when it accounts for every feature (a CSV import with `--sample-shape`),
    /// else nil (flat vectors). Reads no sample values.
    public func sampleShape(of dataset: DatasetRecord) throws -> [Int]? {
        let shapeJson = try database.reader.read { db in
            try String.fetchOne(db, sql: "SELECT shape_json FROM dataset_arrays WHERE dataset_id = ? AND name = 'samples'",
                                arguments: [dataset.id])
        }
        guard let shapeJson, let shape = try? JSONDecoder().decode([Int].self, from: Data(shapeJson.utf8)), shape.count >= 2 else { return nil }
        let sample = Array(shape.dropFirst())
        if sample.count >= 2 { return sample }
        return dataset.sampleShape.flatMap { CheckedSize.product($0) == sample[0] ? $0 : nil }
    }

    /// How `dataset`'s samples are stored: element type, and the scale and offset that turn a
    /// stored element e into the value e × scale + offset that ganpipe trains on. Reads no
    /// sample values.
    public func sampleEncoding(of dataset: DatasetRecord) throws -> (elementType: String, scale: Double, offset: Double)? {
        try database.reader.read { db in
            try Row.fetchOne(db, sql: "SELECT element_type, scale, \"offset\" FROM dataset_arrays WHERE dataset_id = ? AND name = 'samples'",
                             arguments: [dataset.id]).map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// The bytes of `record` from its parts in order, checking that no part is missing, each
    /// part's SHA-256, the byte count and the whole array's SHA-256. The one reader of
    /// `dataset_parts`: the loader, trainer and evaluator all go through it.
    static func reassemble(_ record: DatasetArrayRecord, in db: Database) throws -> Data {
        var bytes = Data(capacity: Int(max(record.byteCount, 0)))
        var hasher = SHA256()
        let parts = try RecordRow<DatasetPartRecord>.filter(Column("array_id") == record.id).order(Column("part_index")).fetchCursor(db)
        var expectedIndex = 0
        while let part = try parts.next()?.record {
            guard part.partIndex == expectedIndex else { throw ArrayDamage.missingPart(expectedIndex) }
            guard SHA256.hex(part.data) == part.sha256 else { throw ArrayDamage.partChecksum(part: part.partIndex, stored: part.sha256) }
            hasher.update(part.data)
            bytes.append(part.data)
            expectedIndex += 1
        }
        guard bytes.count == record.byteCount else { throw ArrayDamage.byteCount(found: bytes.count, recorded: record.byteCount) }
        guard hasher.finalizeHex() == record.sha256 else { throw ArrayDamage.arrayChecksum }
        return bytes
    }
}

/// What is wrong with a stored array's parts (see `DatasetStore.reassemble`).
public enum ArrayDamage: Error, Equatable, Sendable {
    case missingPart(Int)
    case partChecksum(part: Int, stored: String)
    case byteCount(found: Int, recorded: Int64)
    case arrayChecksum

    /// A phrase that follows the array's name: "part 0 fails its SHA-256 check (…)".
    public var detail: String {
        switch self {
        case .missingPart(let index): return "is missing part \(index)"
        case .partChecksum(let part, let stored): return "part \(part) fails its SHA-256 check (stored \(stored.prefix(12))…)"
        case .byteCount(let found, let recorded): return "has \(found) bytes in its parts but byte_count \(recorded)"
        case .arrayChecksum: return "fails its whole-array SHA-256 check"
        }
    }
}
