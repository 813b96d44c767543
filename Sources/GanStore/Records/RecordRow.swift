internal import GRDB

/// A record type's place in the schema: the table its rows live in.
///
/// The `…Record` types are public plain data that every stage reads and builds; how they map
/// to rows is GanStore's business alone. A conformance has no access level in Swift: a public
/// type conforming to a GRDB protocol would hand GRDB to every target that sees the type, and
/// the compiler refuses it under `internal import GRDB` ("cannot use protocol … in a public
/// conformance"). So the records conform to this internal protocol, and GRDB reads and writes
/// them as `RecordRow`s.
protocol StoredRecord: Codable, Sendable {
    static var databaseTableName: String { get }

    /// Takes the id SQLite gave the inserted row (see `IdentifiedRecord`); nothing by default.
    mutating func didInsert(rowID: Int64)
}

extension StoredRecord {
    mutating func didInsert(rowID: Int64) {}

    /// Inserts the row inside the caller's transaction.
    mutating func insert(_ db: Database) throws {
        var row = RecordRow(self)
        try row.insert(db)
        self = row.record
    }

    /// Updates the row with this record's primary key inside the caller's transaction.
    func update(_ db: Database) throws {
        try RecordRow(self).update(db)
    }

    /// Deletes the row with this record's primary key inside the caller's transaction; whether
    /// there was one.
    @discardableResult
    func delete(_ db: Database) throws -> Bool {
        try RecordRow(self).delete(db)
    }
}

/// A stored record whose table has an `id INTEGER PRIMARY KEY`: an inserted row takes the id
/// SQLite gave it.
protocol IdentifiedRecord: StoredRecord {
    var id: Int64? { get set }
}

extension IdentifiedRecord {
    mutating func didInsert(rowID: Int64) {
        id = rowID
    }
}

/// A row of `Record`'s table as GRDB reads and writes it: through `Record`'s `Codable`
/// conformance, Swift's camelCase properties as the schema's snake_case columns
/// (`runId` ↔ `run_id`). Queries name it (`RecordRow<RunRecord>.filter(…)`) and hand back
/// `.record`.
struct RecordRow<Record: StoredRecord>: Codable, FetchableRecord, MutablePersistableRecord {
    var record: Record

    init(_ record: Record) {
        self.record = record
    }

    init(from decoder: any Decoder) throws {
        record = try Record(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
    }

    static var databaseTableName: String { Record.databaseTableName }
    static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        record.didInsert(rowID: inserted.rowID)
    }
}
