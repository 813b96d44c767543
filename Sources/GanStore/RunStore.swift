internal import GRDB

/// The gateway to `runs` and what hangs off a run.
public struct RunStore: Sendable {
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// Runs in creation order, optionally only those with `status`.
    public func list(status: RunStatus? = nil) throws -> [RunRecord] {
        try database.reader.read { db in
            var request = RecordRow<RunRecord>.order(Column("id"))
            if let status { request = request.filter(Column("status") == status.rawValue) }
            return try request.fetchAll(db).map(\.record)
        }
    }

    /// The run whose name is `reference`, or else whose id is `reference`.
    public func find(_ reference: String) throws -> RunRecord {
        let run = try database.reader.read { db -> RunRecord? in
            if let byName = try RecordRow<RunRecord>.filter(Column("name") == reference).fetchOne(db)?.record { return byName }
            guard let id = Int64(reference) else { return nil }
            return try RecordRow<RunRecord>.fetchOne(db, key: id)?.record
        }
        guard let run else { throw StoreError.unknownRun(reference, nearest: try nearestNames(to: reference)) }
        return run
    }

    /// Up to three run names `reference` may have meant (`EditDistance.nearest`), classifier
    /// runs aside.
    func nearestNames(to reference: String) throws -> [String] {
        let names = try database.reader.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM runs WHERE objective != 'classifier' ORDER BY id")
        }
        return EditDistance.nearest(to: reference, among: names)
    }

    /// The runs whose names match the shell pattern `pattern` (`*`, `?`, `[…]`, as SQLite's
    /// GLOB), oldest first; classifier runs only when the pattern names them (`classifier/…`,
    /// or an augmentation experiment's `augment/…`).
    public func matching(_ pattern: String) throws -> [RunRecord] {
        try database.reader.read { db in
            try RecordRow<RunRecord>.fetchAll(db, sql: """
                SELECT * FROM runs WHERE name GLOB ?
                  AND (objective != 'classifier' OR ? GLOB 'classifier/*' OR ? GLOB 'augment/*') ORDER BY id
                """, arguments: [pattern, pattern, pattern]).map(\.record)
        }
    }

    /// Whether `reference` is a shell pattern rather than a name or id.
    public static func isPattern(_ reference: String) -> Bool {
        reference.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    /// The run numbered `id`, if any.
    public func run(id: Int64) throws -> RunRecord? {
        try database.reader.read { try RecordRow<RunRecord>.fetchOne($0, key: id)?.record }
    }

    /// Inserts `run` and returns it with its id. Every row of `runs` is read first (the table
    /// holds one short row per run): a damaged page is reported before a run is added to it,
    /// not found afterwards when the run cannot be read back.
    public func insert(_ run: RunRecord) throws -> RunRecord {
        try GanDatabase.wrap(path: database.path) {
            try database.writer.write { db in
                if try RecordRow<RunRecord>.fetchAll(db).contains(where: { $0.record.name == run.name }) {
                    throw StoreError.duplicateRun(run.name)
                }
                var run = run
                try run.insert(db)
                return run
            }
        }
    }

    /// Inserts `run` unless a run of that name exists; returns the stored row and whether it
    /// was inserted. Atomic, so two processes registering the same run agree on one row.
    public func insertIfAbsent(_ run: RunRecord) throws -> (run: RunRecord, inserted: Bool) {
        try GanDatabase.wrap(path: database.path) {
            try database.writer.write { db in
                if let existing = try RecordRow<RunRecord>.filter(Column("name") == run.name).fetchOne(db)?.record { return (existing, false) }
                var run = run
                try run.insert(db)
                return (run, true)
            }
        }
    }

    /// The value of metric `key` at the run's last recorded step, with the step.
    public func latestMetric(runId: Int64, key: String) throws -> (step: Int, value: Double?)? {
        try database.reader.read { db in
            try Row.fetchOne(db, sql: "SELECT step, value FROM metrics WHERE run_id = ? AND key = ? ORDER BY step DESC LIMIT 1",
                             arguments: [runId, key]).map { ($0[0], $0[1]) }
        }
    }

    /// The value of evaluation `metric` at the run's last evaluated checkpoint, with the step.
    public func latestEvaluation(runId: Int64, metric: String) throws -> (step: Int, value: Double?)? {
        try database.reader.read { db in
            try Row.fetchOne(db, sql: "SELECT step, value FROM evaluations WHERE run_id = ? AND metric = ? ORDER BY step DESC LIMIT 1",
                             arguments: [runId, metric]).map { ($0[0], $0[1]) }
        }
    }

    /// What `ganpipe show` prints about a run: the row and counts of what hangs off it.
    public struct Summary: Codable, Sendable {
        public var run: RunRecord
        public var datasetName: String?
        public var metricRows: Int
        public var metricKeys: Int
        public var checkpointSteps: [Int]
        public var eventCounts: [String: Int]
        public var evaluationRows: Int
        public var latestMetrics: [String: Double?]
        /// Seconds of training at the last timed step, and that step (`step_times`).
        public var trainingSeconds: Double?
        public var timedStep: Int?
        /// What people wrote about the run (`ganpipe tag`, `ganpipe note`).
        public var tags: [String]
        public var note: String?
    }

    public func summary(of run: RunRecord) throws -> Summary {
        try database.reader.read { db in
            let id = run.id ?? -1
            let datasetName = try String.fetchOne(db, sql: "SELECT name FROM datasets WHERE id = ?", arguments: [run.datasetId])
            let metricRows = try Int.fetchOne(db, sql: "SELECT count(*) FROM metrics WHERE run_id = ?", arguments: [id]) ?? 0
            let metricKeys = try Int.fetchOne(db, sql: "SELECT count(DISTINCT key) FROM metrics WHERE run_id = ?", arguments: [id]) ?? 0
            let steps = try CheckpointStore.completeSteps(runId: id, in: db)
            var eventCounts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT severity, count(*) FROM events WHERE run_id = ? GROUP BY severity", arguments: [id]) {
                eventCounts[row[0]] = row[1]
            }
            let evaluationRows = try Int.fetchOne(db, sql: "SELECT count(*) FROM evaluations WHERE run_id = ?", arguments: [id]) ?? 0
            var latest: [String: Double?] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM latest_metrics WHERE run_id = ?", arguments: [id]) {
                latest[row[0]] = row[1] as Double?
            }
            let timed = try Row.fetchOne(db, sql: "SELECT step, elapsed_seconds FROM step_times WHERE run_id = ? ORDER BY step DESC LIMIT 1",
                                         arguments: [id])
            let tags = try String.fetchAll(db, sql: "SELECT tag FROM run_tags WHERE run_id = ? ORDER BY tag", arguments: [id])
            let note = try String.fetchOne(db, sql: "SELECT note FROM runs WHERE id = ?", arguments: [id])
            return Summary(run: run, datasetName: datasetName, metricRows: metricRows, metricKeys: metricKeys,
                           checkpointSteps: steps, eventCounts: eventCounts, evaluationRows: evaluationRows,
                           latestMetrics: latest, trainingSeconds: timed?[1], timedStep: timed?[0], tags: tags, note: note)
        }
    }
}
