import Foundation
import GanSchema
import GanStore
import GRDB

/// The evaluator's gateway to the database: the few reads GanStore has no method for, and
/// every write of the stage — `evaluations` rows and classifier pseudo-runs — each in one
/// immediate transaction. The only file of GanEvaluator that speaks SQL.
public struct EvaluationStore: Sendable {
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    public func dataset(id: Int64) throws -> DatasetRecord? {
        try database.reader.read { try DatasetRecord.fetchOne($0, key: id) }
    }

    public func run(id: Int64) throws -> RunRecord? {
        try database.reader.read { try RunRecord.fetchOne($0, key: id) }
    }

    /// Steps of the complete checkpoints of `runId`, ascending.
    public func checkpointSteps(runId: Int64) throws -> [Int] {
        try database.reader.read {
            try Int.fetchAll($0, sql: "SELECT step FROM checkpoints WHERE run_id = ? AND complete = 1 ORDER BY step", arguments: [runId])
        }
    }

    /// Writes `rows` in one transaction; a row at an existing (run, step, metric) replaces it
    /// (its id is kept).
    public func write(_ rows: [EvaluationRecord]) throws {
        try database.writer.write { db in try Self.upsert(rows, in: db) }
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
            var request = EvaluationRecord.filter(Column("run_id") == runId)
            if let step { request = request.filter(Column("step") == step) }
            return try request.order(Column("step"), Column("metric")).fetchAll(db)
        }
    }

    // MARK: Classifier pseudo-runs

    /// The completed classifier run trained on exactly this dataset's content, if any.
    public func classifierRun(for dataset: DatasetRecord) throws -> RunRecord? {
        try database.reader.read { db in
            try RunRecord.fetchOne(db, sql: """
                SELECT * FROM runs
                WHERE objective = ? AND status = 'completed' AND dataset_id = ?
                  AND json_extract(config_json, '$.dataset_sha256') = ?
                ORDER BY id DESC LIMIT 1
                """, arguments: [DatasetClassifier.objective, dataset.id, dataset.contentSha256])
        }
    }

    /// Stores a trained classifier as a completed pseudo-run with one checkpoint, its test
    /// accuracy in `evaluations` and its per-epoch loss in `metrics` — one transaction. A stale
    /// classifier run of the same name (its dataset deleted or replaced) is removed first. If
    /// another process stored a classifier for the same content meanwhile, that one is kept
    /// and returned.
    public func saveClassifier(name: String, dataset: DatasetRecord, configJson: String, steps: Int,
                               blobs: [CheckpointBlob], evaluations: [(metric: String, value: Double, sampleCount: Int)],
                               seed: UInt64, lossHistory: [(step: Int, value: Double)]) throws -> RunRecord {
        try database.writer.write { db in
            if let existing = try RunRecord.fetchOne(db, sql: """
                SELECT * FROM runs WHERE objective = ? AND status = 'completed' AND dataset_id = ?
                  AND json_extract(config_json, '$.dataset_sha256') = ? ORDER BY id DESC LIMIT 1
                """, arguments: [DatasetClassifier.objective, dataset.id, dataset.contentSha256]) {
                return existing
            }
            try db.execute(sql: "DELETE FROM runs WHERE name = ? AND objective = ?", arguments: [name, DatasetClassifier.objective])
            let now = Timestamp.now()
            var run = RunRecord(name: name, objective: DatasetClassifier.objective, datasetId: dataset.id,
                                seed: Int64(bitPattern: seed), configJson: configJson, totalSteps: steps,
                                status: .completed, createdAt: now)
            run.currentStep = steps
            run.startedAt = now
            run.finishedAt = now
            try run.insert(db)
            try CheckpointStore.write(blobs, runId: run.id!, step: steps, in: db)
            try Self.upsert(evaluations.map {
                EvaluationRecord(runId: run.id!, step: steps, metric: $0.metric, value: $0.value,
                                 sampleCount: $0.sampleCount, seed: Int64(bitPattern: seed), createdAt: now)
            }, in: db)
            for point in lossHistory {
                try db.execute(sql: "INSERT OR REPLACE INTO metrics (run_id, key, step, value) VALUES (?, ?, ?, ?)",
                               arguments: [run.id, MetricKey.classifierLoss, point.step, point.value.isFinite ? point.value : nil])
            }
            return run
        }
    }
}
