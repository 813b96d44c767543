internal import GRDB

/// The gateway to `stages`: the status of each pipeline stage of each run.
public struct StageStore: Sendable {
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// The stages of `runId`, keyed by stage.
    public func stages(of runId: Int64) throws -> [StageName: StageRecord] {
        try database.reader.read { db in
            let records = try RecordRow<StageRecord>.filter(Column("run_id") == runId).fetchAll(db).map(\.record)
            return Dictionary(uniqueKeysWithValues: records.map { ($0.stage, $0) })
        }
    }

    /// Marks `stage` of `runId` running and counts the attempt; returns the attempt number.
    @discardableResult
    public func start(_ stage: StageName, of runId: Int64) throws -> Int {
        try write { db in
            try db.execute(sql: """
                INSERT INTO stages (run_id, stage, status, attempts, started_at) VALUES (?, ?, 'running', 1, ?)
                ON CONFLICT (run_id, stage) DO UPDATE SET status = 'running', attempts = attempts + 1,
                    started_at = excluded.started_at, finished_at = NULL, error = NULL
                """, arguments: [runId, stage.rawValue, Timestamp.now()])
            return try Int.fetchOne(db, sql: "SELECT attempts FROM stages WHERE run_id = ? AND stage = ?", arguments: [runId, stage.rawValue]) ?? 1
        }
    }

    /// Records how `stage` of `runId` ended.
    public func finish(_ stage: StageName, of runId: Int64, status: StageStatus, error: String? = nil) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO stages (run_id, stage, status, attempts, started_at, finished_at, error) VALUES (?, ?, ?, 0, ?, ?, ?)
                ON CONFLICT (run_id, stage) DO UPDATE SET status = excluded.status, finished_at = excluded.finished_at,
                    error = excluded.error
                """, arguments: [runId, stage.rawValue, status.rawValue, Timestamp.now(), Timestamp.now(), error])
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        try GanDatabase.wrap(path: database.path) { try database.writer.write(body) }
    }
}
