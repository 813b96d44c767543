import Foundation
internal import GRDB
internal import GRDBSQLite

/// The trainer's write path for one run: metrics, events, progress, checkpoints and status.
/// Each call is one immediate transaction, so a crash leaves the run at its last commit.
public struct RunJournal: Sendable {
    public let database: GanDatabase
    public let runId: Int64

    public init(_ database: GanDatabase, runId: Int64) {
        self.database = database
        self.runId = runId
    }

    /// A metric value; non-finite values are stored as NULL.
    public struct Metric: Sendable, Equatable {
        public var key: String
        public var step: Int
        public var value: Double

        public init(key: String, step: Int, value: Double) {
            self.key = key
            self.step = step
            self.value = value
        }
    }

    /// An event to record.
    public struct Event: Sendable, Equatable {
        public var step: Int?
        public var kind: String
        public var severity: EventSeverity
        public var message: String

        public init(step: Int?, kind: String, severity: EventSeverity, message: String) {
            self.step = step
            self.kind = kind
            self.severity = severity
            self.message = message
        }
    }

    /// Takes the run for this process inside the caller's transaction. Throws
    /// `StoreError.runBusy` when another live process holds it (see `RunLease`), and
    /// `StoreError.runChangedMeanwhile` when another process trained it after the caller last
    /// looked: it has since completed `totalSteps` (or more), or — for a `fresh` start — it has
    /// a complete checkpoint to resume from.
    func takeLease(_ db: Database, totalSteps: Int, fresh: Bool) throws {
        guard let run = try RecordRow<RunRecord>.fetchOne(db, key: runId)?.record else { throw StoreError.unknownRun(String(runId)) }
        guard RunLease.isAvailable(run) else {
            throw StoreError.runBusy(name: run.name, owner: run.owner ?? "?", heartbeat: run.heartbeatAt ?? "never")
        }
        let completed = run.status == .completed && totalSteps <= run.totalSteps
        let checkpointed = try fresh && CheckpointStore.latestComplete(runId: runId, in: db) != nil
        if completed || checkpointed { throw StoreError.runChangedMeanwhile(name: run.name) }
    }

    /// Marks the run `running` under this process for a start from step 0, atomically with
    /// the checks of `takeLease` (no other live process holds it, none trained it meanwhile),
    /// and records the machine it starts on (`runs.machine_json`).
    public func claim(totalSteps: Int, machineJson: String) throws {
        try write { db in
            try takeLease(db, totalSteps: totalSteps, fresh: true)
            let now = Timestamp.now()
            try db.execute(sql: """
                UPDATE runs SET status = 'running', owner = ?, heartbeat_at = ?, started_at = coalesce(started_at, ?),
                    finished_at = NULL, error = NULL, machine_json = ? WHERE id = ?
                """, arguments: [RunLease.currentOwner, now, now, machineJson, runId])
        }
    }

    /// Writes `metrics`, `events` and the run's progress — and, when given, a checkpoint —
    /// in one transaction. A metric row at an existing (run, key, step) is replaced.
    public func commit(metrics: [Metric], events: [Event], currentStep: Int, checkpoint: [CheckpointBlob]? = nil,
                       times: [(step: Int, elapsedSeconds: Double)] = []) throws {
        try write { db in
            try Self.insert(metrics, runId: runId, in: db)
            for time in times {
                try db.execute(sql: """
                    INSERT INTO step_times (run_id, step, elapsed_seconds) VALUES (?, ?, ?)
                    ON CONFLICT (run_id, step) DO UPDATE SET elapsed_seconds = excluded.elapsed_seconds
                    """, arguments: [runId, time.step, max(0, time.elapsedSeconds)])
            }
            let now = Timestamp.now()
            try record(events, at: now, in: db)
            if let checkpoint {
                try CheckpointStore.write(checkpoint, runId: runId, step: currentStep, in: db)
            }
            try db.execute(sql: "UPDATE runs SET current_step = ?, heartbeat_at = ? WHERE id = ?",
                           arguments: [currentStep, now, runId])
        }
    }

    /// Inserts metric rows (replacing one at an existing run, key and step) by binding each
    /// row straight into one cached statement: the trainer writes about 30 rows a step, and
    /// GRDB's per-row argument arrays cost more than SQLite's own work. An upsert rather than
    /// `INSERT OR REPLACE`, which made SQLite write a 16 KiB statement-journal page per row.
    /// The one writer of `metrics` (the evaluator's classifier losses go through it too).
    static func insert(_ metrics: [Metric], runId: Int64, in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO metrics (run_id, key, step, value) VALUES (?, ?, ?, ?)
            ON CONFLICT (run_id, key, step) DO UPDATE SET value = excluded.value
            """)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        for metric in metrics {
            sqlite3_reset(handle)
            sqlite3_bind_int64(handle, 1, runId)
            _ = metric.key.withCString { sqlite3_bind_text(handle, 2, $0, -1, Self.transient) }
            sqlite3_bind_int64(handle, 3, Int64(metric.step))
            if metric.value.isFinite { sqlite3_bind_double(handle, 4, metric.value) } else { sqlite3_bind_null(handle, 4) }
            let code = sqlite3_step(handle)
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code),
                                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
            }
        }
    }

    /// SQLite's SQLITE_TRANSIENT: it copies bound text before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Ends the run with `status` (and `error` text for a failure).
    public func finish(_ status: RunStatus, error: String? = nil, events: [Event] = []) throws {
        try write { db in
            let now = Timestamp.now()
            try record(events, at: now, in: db)
            try db.execute(sql: "UPDATE runs SET status = ?, error = ?, finished_at = ?, heartbeat_at = ?, owner = NULL WHERE id = ?",
                           arguments: [status.rawValue, error, now, now, runId])
            // The run's last word is read back: a run whose row cannot be read is not done.
            guard db.changesCount == 1, try RecordRow<RunRecord>.fetchOne(db, key: runId)?.record.status == status else {
                throw StoreError.damaged(path: database.path, detail: "the row of run \(runId) cannot be read back")
            }
        }
    }

    /// Prepares a resume from the checkpoint at `step`: takes the run (see `claim()`), removes
    /// metric rows, events and checkpoints past it (and incomplete ones), sets the run's step,
    /// total and status, records `events` and — for a run started before machines were
    /// recorded — `machineJson`: all in one transaction.
    public func rewind(to step: Int, totalSteps: Int, configJson: String? = nil, machineJson: String, events: [Event]) throws {
        try write { db in
            try takeLease(db, totalSteps: totalSteps, fresh: false)
            try db.execute(sql: "DELETE FROM metrics WHERE run_id = ? AND step > ?", arguments: [runId, step])
            try db.execute(sql: "DELETE FROM events WHERE run_id = ? AND step > ?", arguments: [runId, step])
            try db.execute(sql: "DELETE FROM step_times WHERE run_id = ? AND step > ?", arguments: [runId, step])
            try db.execute(sql: "DELETE FROM checkpoints WHERE run_id = ? AND (step > ? OR complete = 0)", arguments: [runId, step])
            let now = Timestamp.now()
            if let configJson {
                try db.execute(sql: "UPDATE runs SET config_json = ?, config_sha256 = ? WHERE id = ?",
                               arguments: [configJson, SHA256.hex(configJson), runId])
            }
            try db.execute(sql: """
                UPDATE runs SET current_step = ?, total_steps = ?, status = 'running', owner = ?, heartbeat_at = ?,
                    finished_at = NULL, error = NULL, machine_json = coalesce(machine_json, ?) WHERE id = ?
                """, arguments: [step, totalSteps, RunLease.currentOwner, now, machineJson, runId])
            try record(events, at: now, in: db)
        }
    }

    /// Seconds of training recorded at the last timed step at or before `step` (0 if none):
    /// where a resumed run's clock continues.
    public func elapsedSeconds(atOrBefore step: Int) throws -> Double {
        try database.reader.read { db in
            try Double.fetchOne(db, sql: "SELECT elapsed_seconds FROM step_times WHERE run_id = ? AND step <= ? ORDER BY step DESC LIMIT 1",
                                arguments: [runId, step]) ?? 0
        }
    }

    private func record(_ events: [Event], at time: String, in db: Database) throws {
        for event in events {
            var record = EventRecord(runId: runId, step: event.step, kind: event.kind, severity: event.severity,
                                     message: event.message, createdAt: time)
            try record.insert(db)
        }
    }

    private func write(_ body: (Database) throws -> Void) throws {
        try GanDatabase.wrap(path: database.path) {
            try database.writer.write(body)
        }
    }
}
