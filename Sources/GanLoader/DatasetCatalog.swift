import Foundation
import GanStore
import GRDB

/// The gateway to `datasets`, `dataset_arrays` and `dataset_parts`: stores a `DatasetContent`
/// in one immediate transaction (so a failure leaves no partial dataset), lists, finds and
/// deletes datasets, and loads them back with every checksum verified
/// (`DatasetCatalog+Loading.swift`).
public struct DatasetCatalog: Sendable {
    public let database: GanDatabase

    /// Bytes per row of `dataset_parts` (4 MiB): far below SQLite's blob limit, few rows.
    public static let partSize = 4 << 20

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// Refuses names SQL users and shells would trip over: empty, longer than 200 characters,
    /// with control characters or leading/trailing spaces, starting with `-`, or all digits
    /// (which would read as an id).
    public static func validate(name: String) throws {
        let problem: String?
        if name.isEmpty { problem = "is empty" }
        else if name.count > 200 { problem = "is longer than 200 characters" }
        else if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { problem = "contains control characters" }
        else if name.first!.isWhitespace || name.last!.isWhitespace { problem = "starts or ends with a space" }
        else if name.hasPrefix("-") { problem = "starts with '-'" }
        else if name.allSatisfy(\.isNumber) { problem = "is all digits (it would read as an id)" }
        else { problem = nil }
        if let problem { throw LoaderError.invalidArgument("the dataset name '\(name)' \(problem); pass another --name") }
    }

    /// Throws `nameExists` if `name` is taken (a read, for checking before slow work; `save`
    /// checks again inside its transaction).
    public func requireFreeName(_ name: String) throws {
        try Self.validate(name: name)
        let taken = try database.reader.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM datasets WHERE name = ?)", arguments: [name]) ?? false
        }
        if taken { throw LoaderError.nameExists(name: name) }
    }

    /// Stores `content` as `name` in one transaction and returns the new row. Refuses a taken
    /// name, and (unless `allowDuplicate`) content equal to an existing dataset's.
    @discardableResult
    public func save(_ content: DatasetContent, name: String, allowDuplicate: Bool = false,
                     progress: ((String, Double) -> Void)? = nil) throws -> DatasetRecord {
        try save(try PreparedDataset(content, name: name), allowDuplicate: allowDuplicate, progress: progress)
    }

    /// Throws what `save` would refuse (a taken name, duplicate content) using reads only, so a
    /// caller can refuse before opening the database for writing.
    public func checkCanSave(_ prepared: PreparedDataset, allowDuplicate: Bool) throws {
        try database.reader.read { try Self.check(prepared, allowDuplicate: allowDuplicate, db: $0) }
    }

    /// Stores a prepared dataset in one immediate transaction (checksums were computed before,
    /// so the write lock is held only to insert). The checks of `checkCanSave` run again inside.
    @discardableResult
    public func save(_ prepared: PreparedDataset, allowDuplicate: Bool = false,
                     progress: ((String, Double) -> Void)? = nil) throws -> DatasetRecord {
        progress?("writing", 0)
        let totalParts = prepared.arrays.reduce(0) { $0 + $1.parts.count }
        return try database.writer.write { db in
            try Self.check(prepared, allowDuplicate: allowDuplicate, db: db)
            var dataset = prepared.record
            try dataset.insert(db)
            var written = 0
            for (record, parts) in prepared.arrays {
                var record = record
                record.datasetId = dataset.id!
                try record.insert(db)
                for var part in parts {
                    part.arrayId = record.id!
                    try part.insert(db)
                    written += 1
                    progress?("writing", Double(written) / Double(totalParts))
                }
            }
            return dataset
        }
    }

    static func check(_ prepared: PreparedDataset, allowDuplicate: Bool, db: Database) throws {
        let name = prepared.record.name
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM datasets WHERE name = ?)", arguments: [name]) ?? false {
            throw LoaderError.nameExists(name: name)
        }
        if !allowDuplicate,
           let existing = try String.fetchOne(db, sql: "SELECT name FROM datasets WHERE content_sha256 = ? ORDER BY id LIMIT 1",
                                              arguments: [prepared.record.contentSha256]) {
            throw LoaderError.duplicateContent(name: name, existing: existing)
        }
    }

    /// Throws `datasetInUse` if runs use the dataset `reference` and not `force` (reads only).
    public func checkCanDelete(_ reference: String, force: Bool) throws {
        let dataset = try find(reference)
        let users = try runs(using: dataset)
        if !users.isEmpty && !force { throw LoaderError.datasetInUse(name: dataset.name, runs: users) }
    }

    /// Every dataset, oldest first.
    public func list() throws -> [DatasetRecord] {
        try database.reader.read { try DatasetRecord.order(Column("id")).fetchAll($0) }
    }

    /// The dataset named `reference`, or else numbered `reference`.
    public func find(_ reference: String) throws -> DatasetRecord {
        let found = try database.reader.read { db -> DatasetRecord? in
            if let byName = try DatasetRecord.filter(Column("name") == reference).fetchOne(db) { return byName }
            guard let id = Int64(reference) else { return nil }
            return try DatasetRecord.fetchOne(db, key: id)
        }
        guard let found else { throw LoaderError.unknownDataset(reference) }
        return found
    }

    /// The arrays of `dataset` (without their bytes), by name.
    public func arrays(of dataset: DatasetRecord) throws -> [DatasetArrayRecord] {
        try database.reader.read { db in
            try DatasetArrayRecord.filter(Column("dataset_id") == dataset.id).order(Column("name").desc).fetchAll(db)
        }
    }

    /// The names of the runs that use `dataset`.
    public func runs(using dataset: DatasetRecord) throws -> [String] {
        try database.reader.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM runs WHERE dataset_id = ? ORDER BY id", arguments: [dataset.id])
        }
    }

    /// Deletes the dataset `reference` with its arrays and parts. Refused while runs use it
    /// unless `force`, which leaves those runs with `dataset_id` NULL. Returns the deleted row
    /// and the runs that were detached.
    public func delete(_ reference: String, force: Bool) throws -> (dataset: DatasetRecord, detachedRuns: [String]) {
        try database.writer.write { db in
            var candidate = try DatasetRecord.filter(Column("name") == reference).fetchOne(db)
            if candidate == nil, let id = Int64(reference) { candidate = try DatasetRecord.fetchOne(db, key: id) }
            guard let dataset = candidate else { throw LoaderError.unknownDataset(reference) }
            let runs = try String.fetchAll(db, sql: "SELECT name FROM runs WHERE dataset_id = ? ORDER BY id", arguments: [dataset.id])
            if !runs.isEmpty && !force { throw LoaderError.datasetInUse(name: dataset.name, runs: runs) }
            _ = try dataset.delete(db)
            return (dataset, runs)
        }
    }
}
