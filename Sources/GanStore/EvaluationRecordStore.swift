import Foundation
internal import GRDB

/// The evaluator's gateway to the database: `evaluations` rows (with the run's
/// `checkpoint_views`, written in the same transaction), and the classifier pseudo-runs
/// the evaluator trains (a completed run with one checkpoint, its scores in `evaluations` and
/// its per-epoch loss in `metrics`). Every write is one immediate transaction.
public struct EvaluationRecordStore: Sendable {
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// Writes `rows` and `views` in one transaction; a row at an existing (run, step, metric)
    /// replaces it (its id is kept), as does a view at an existing (run, step, name).
    /// Non-finite values are stored as NULL.
    public func write(_ rows: [EvaluationRecord], views: [CheckpointView] = []) throws {
        try database.writer.write { db in
            try Self.upsert(rows, in: db)
            try CheckpointViewStore.upsert(views, in: db)
        }
    }

    static func upsert(_ rows: [EvaluationRecord], in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO evaluations (run_id, step, metric, value, sample_count, seed, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (run_id, step, metric) DO UPDATE SET
                value = excluded.value, sample_count = excluded.sample_count, seed = excluded.seed,
                created_at = excluded.created_at
            """)
        for row in rows {
            let value = row.value.flatMap { $0.isFinite ? $0 : nil }
            try statement.execute(arguments: [row.runId, row.step, row.metric, value, row.sampleCount, row.seed, row.createdAt])
        }
    }

    /// The evaluations of `runId` (at `step`, if given), by step then metric.
    public func evaluations(runId: Int64, step: Int? = nil) throws -> [EvaluationRecord] {
        try database.reader.read { db in
            var request = RecordRow<EvaluationRecord>.filter(Column("run_id") == runId)
            if let step { request = request.filter(Column("step") == step) }
            return try request.order(Column("step"), Column("metric")).fetchAll(db).map(\.record)
        }
    }

    // MARK: Classifier pseudo-runs

    /// The latest completed run of `objective` trained on exactly `dataset`'s content (its
    /// configuration's `dataset_sha256`), if any.
    public func completedRun(objective: String, trainedOn dataset: DatasetRecord) throws -> RunRecord? {
        try database.reader.read { try Self.completedRun(objective: objective, trainedOn: dataset, in: $0) }
    }

    /// What makes a stored network the same result.
    public enum ResultIdentity: Sendable {
        /// The dataset's classifier: one per objective and dataset content. A stale run of the
        /// same name and objective (its dataset deleted or replaced) is removed first.
        case datasetContent
        /// An experiment's network: one per name, which must hold the same configuration.
        case nameAndConfiguration
    }

    /// Stores a trained network as a completed run `name` of `objective` on `dataset` with one
    /// checkpoint at `steps`, its `scores` in `evaluations` and `metrics` through the trainer's
    /// metric writer — one transaction. If another process stored the same result meanwhile
    /// (`identity`), that one is kept and returned.
    public func saveCompletedRun(name: String, objective: String, dataset: DatasetRecord, configJson: String, steps: Int,
                                 seed: UInt64, blobs: [CheckpointBlob],
                                 scores: [(metric: String, value: Double, sampleCount: Int)],
                                 metrics: [RunJournal.Metric], identity: ResultIdentity = .datasetContent) throws -> RunRecord {
        try database.writer.write { db in
            switch identity {
            case .datasetContent:
                if let existing = try Self.completedRun(objective: objective, trainedOn: dataset, in: db) { return existing }
                try db.execute(sql: "DELETE FROM runs WHERE name = ? AND objective = ?", arguments: [name, objective])
            case .nameAndConfiguration:
                if let existing = try Self.completedRun(named: name, configJson: configJson, in: db) { return existing }
            }
            return try Self.insertCompletedRun(name: name, objective: objective, dataset: dataset, configJson: configJson, steps: steps,
                                               seed: seed, blobs: blobs, scores: scores, metrics: metrics, in: db)
        }
    }

    static func insertCompletedRun(name: String, objective: String, dataset: DatasetRecord, configJson: String, steps: Int,
                                   seed: UInt64, blobs: [CheckpointBlob], scores: [(metric: String, value: Double, sampleCount: Int)],
                                   metrics: [RunJournal.Metric], in db: Database) throws -> RunRecord {
        let now = Timestamp.now()
        var run = RunRecord(name: name, objective: objective, datasetId: dataset.id,
                            seed: Int64(bitPattern: seed), configJson: configJson, totalSteps: steps,
                            status: .completed, createdAt: now)
        run.currentStep = steps
        run.startedAt = now
        run.finishedAt = now
        try run.insert(db)
        try CheckpointStore.write(blobs, runId: run.id!, step: steps, in: db)
        try Self.upsert(scores.map {
            EvaluationRecord(runId: run.id!, step: steps, metric: $0.metric, value: $0.value,
                             sampleCount: $0.sampleCount, seed: Int64(bitPattern: seed), createdAt: now)
        }, in: db)
        try RunJournal.insert(metrics, runId: run.id!, in: db)
        return run
    }

    static func completedRun(objective: String, trainedOn dataset: DatasetRecord, in db: Database) throws -> RunRecord? {
        // An experiment's classifiers (config kind 'augmentation') are trained on the dataset
        // too, but are not its classifier.
        try RecordRow<RunRecord>.fetchOne(db, sql: """
            SELECT * FROM runs
            WHERE objective = ? AND status = 'completed' AND dataset_id = ?
              AND json_extract(config_json, '$.dataset_sha256') = ?
              AND coalesce(json_extract(config_json, '$.kind'), ?) = ?
            ORDER BY id DESC LIMIT 1
            """, arguments: [objective, dataset.id, dataset.contentSha256, objective, objective])?.record
    }

    /// The completed run `name` when it holds `configJson`; nil when there is none. Throws
    /// when a run of that name holds something else (a rerun never replaces another result).
    public func completedRun(named name: String, configJson: String) throws -> RunRecord? {
        try database.reader.read { try Self.completedRun(named: name, configJson: configJson, in: $0) }
    }

    static func completedRun(named name: String, configJson: String, in db: Database) throws -> RunRecord? {
        guard let run = try RecordRow<RunRecord>.fetchOne(db, sql: "SELECT * FROM runs WHERE name = ?", arguments: [name])?.record else { return nil }
        guard run.status == .completed, run.configJson == configJson else {
            throw StoreError.resultConflict(run: name)
        }
        return run
    }
}
