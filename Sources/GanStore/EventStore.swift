import GRDB

/// Reads of `events` (the trainer writes them through `RunJournal`).
public struct EventStore: Sendable {
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// The events of `runId` in the order they happened: by step, then as written.
    public func events(runId: Int64) throws -> [EventRecord] {
        try database.reader.read { try Self.events(runId: runId, in: $0) }
    }

    /// `events(runId:)` inside the caller's transaction.
    static func events(runId: Int64, in db: Database) throws -> [EventRecord] {
        try EventRecord.filter(Column("run_id") == runId).order(Column("step"), Column("id")).fetchAll(db)
    }
}
