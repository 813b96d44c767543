import Foundation
internal import GRDB

/// What `DatasetStore` refuses to write; the loader's `DatasetCatalog` words each one for its
/// users.
public enum DatasetRefusal: Error, Equatable, Sendable {
    /// A dataset with this name exists.
    case nameTaken(String)
    /// The dataset `name` would hold the same content as the existing dataset `existing`.
    case sameContent(name: String, existing: String)
    /// No dataset with this name or id.
    case unknown(String)
    /// Runs still use the dataset.
    case inUse(name: String, runs: [String])
}

/// The writer's side of `datasets`, `dataset_arrays` and `dataset_parts` and the catalogue's
/// queries: the loader's `DatasetCatalog` validates, names and prepares, this stores.
extension DatasetStore {
    /// One array's row and its parts, ready to insert (ids are set on insertion).
    public typealias PreparedArray = (record: DatasetArrayRecord, parts: [DatasetPartRecord])

    /// Whether a dataset named `name` exists.
    public func nameExists(_ name: String) throws -> Bool {
        try database.reader.read { try Self.nameExists(name, in: $0) }
    }

    /// What `insert` would refuse for `dataset` (a taken name; unless `allowDuplicate`, content
    /// equal to an existing dataset's), using reads only.
    public func refusal(toInsert dataset: DatasetRecord, allowDuplicate: Bool) throws -> DatasetRefusal? {
        try database.reader.read { try Self.refusal(toInsert: dataset, allowDuplicate: allowDuplicate, in: $0) }
    }

    /// Inserts `dataset` with its arrays and parts in one immediate transaction and returns the
    /// row with its id; throws a `DatasetRefusal` (checked again inside the transaction)
    /// instead. `progress` gets the fraction of parts written.
    public func insert(_ dataset: DatasetRecord, arrays: [PreparedArray], allowDuplicate: Bool,
                       progress: ((Double) -> Void)? = nil) throws -> DatasetRecord {
        let totalParts = arrays.reduce(0) { $0 + $1.parts.count }
        return try database.writer.write { db in
            if let refusal = try Self.refusal(toInsert: dataset, allowDuplicate: allowDuplicate, in: db) { throw refusal }
            var dataset = dataset
            try dataset.insert(db)
            var written = 0
            for (record, parts) in arrays {
                var record = record
                record.datasetId = dataset.id!
                try record.insert(db)
                for var part in parts {
                    part.arrayId = record.id!
                    try part.insert(db)
                    written += 1
                    progress?(Double(written) / Double(totalParts))
                }
            }
            return dataset
        }
    }

    /// Every dataset, oldest first.
    public func list() throws -> [DatasetRecord] {
        try database.reader.read { try RecordRow<DatasetRecord>.order(Column("id")).fetchAll($0).map(\.record) }
    }

    /// The dataset named `reference`, or else numbered `reference`, if any.
    public func lookup(_ reference: String) throws -> DatasetRecord? {
        try database.reader.read { try Self.lookup(reference, in: $0) }
    }

    /// The dataset numbered `id`, if any.
    public func dataset(id: Int64) throws -> DatasetRecord? {
        try database.reader.read { try RecordRow<DatasetRecord>.fetchOne($0, key: id)?.record }
    }

    /// The arrays of `dataset` (without their bytes), by name, descending.
    public func arrays(of dataset: DatasetRecord) throws -> [DatasetArrayRecord] {
        try database.reader.read { db in
            try RecordRow<DatasetArrayRecord>.filter(Column("dataset_id") == dataset.id).order(Column("name").desc).fetchAll(db).map(\.record)
        }
    }

    /// Every array of `dataset` in one read: `transform` gets each row with its bytes from
    /// `reassemble` (or what is wrong with its parts), one array at a time.
    public func withArrays<T>(of dataset: DatasetRecord,
                              _ transform: (DatasetArrayRecord, Result<Data, ArrayDamage>) throws -> T) throws -> [T] {
        try database.reader.read { db in
            try RecordRow<DatasetArrayRecord>.filter(Column("dataset_id") == dataset.id).fetchAll(db).map(\.record).map { record in
                let bytes: Result<Data, ArrayDamage>
                do {
                    bytes = .success(try Self.reassemble(record, in: db))
                } catch let damage as ArrayDamage {
                    bytes = .failure(damage)
                }
                return try transform(record, bytes)
            }
        }
    }

    /// The number of parts over all arrays of `dataset`.
    public func partCount(of dataset: DatasetRecord) throws -> Int {
        try database.reader.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM dataset_parts WHERE array_id IN (SELECT id FROM dataset_arrays WHERE dataset_id = ?)
                """, arguments: [dataset.id]) ?? 0
        }
    }

    /// The names of the runs that use `dataset`, oldest first.
    public func runNames(using dataset: DatasetRecord) throws -> [String] {
        try database.reader.read { try Self.runNames(using: dataset, in: $0) }
    }

    /// Deletes the dataset `reference` (name, or else id) with its arrays and parts in one
    /// transaction. Refused (`DatasetRefusal.inUse`) while runs use it unless `force`, which
    /// leaves those runs with `dataset_id` NULL. Returns the deleted row and the detached runs.
    public func delete(_ reference: String, force: Bool) throws -> (dataset: DatasetRecord, detachedRuns: [String]) {
        try database.writer.write { db in
            guard let dataset = try Self.lookup(reference, in: db) else { throw DatasetRefusal.unknown(reference) }
            let runs = try Self.runNames(using: dataset, in: db)
            if !runs.isEmpty && !force { throw DatasetRefusal.inUse(name: dataset.name, runs: runs) }
            _ = try dataset.delete(db)
            return (dataset, runs)
        }
    }

    static func nameExists(_ name: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM datasets WHERE name = ?)", arguments: [name]) ?? false
    }

    static func refusal(toInsert dataset: DatasetRecord, allowDuplicate: Bool, in db: Database) throws -> DatasetRefusal? {
        if try nameExists(dataset.name, in: db) { return .nameTaken(dataset.name) }
        if !allowDuplicate,
           let existing = try String.fetchOne(db, sql: "SELECT name FROM datasets WHERE content_sha256 = ? ORDER BY id LIMIT 1",
                                              arguments: [dataset.contentSha256]) {
            return .sameContent(name: dataset.name, existing: existing)
        }
        return nil
    }

    static func lookup(_ reference: String, in db: Database) throws -> DatasetRecord? {
        if let byName = try RecordRow<DatasetRecord>.filter(Column("name") == reference).fetchOne(db)?.record { return byName }
        guard let id = Int64(reference) else { return nil }
        return try RecordRow<DatasetRecord>.fetchOne(db, key: id)?.record
    }

    static func runNames(using dataset: DatasetRecord, in db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT name FROM runs WHERE dataset_id = ? ORDER BY id", arguments: [dataset.id])
    }
}
