internal import GRDB

extension RunStore {
    /// What hangs off a run, as the read-only views need it: its dataset, every metric key
    /// downsampled (`MetricStore.downsampled`), its events, evaluations and complete
    /// checkpoint steps.
    public struct Contents: Sendable {
        public var dataset: DatasetRecord?
        /// Steps per bucket of `series` (1: not downsampled).
        public var bucketSize: Int
        /// Buckets by metric key, each ascending by step.
        public var series: [String: [MetricBucket]]
        /// By step, then as written.
        public var events: [EventRecord]
        /// By metric, then step.
        public var evaluations: [EvaluationRecord]
        public var checkpointSteps: [Int]
        /// Seconds of training at each timed step, ascending (`step_times`).
        public var stepTimes: [(step: Int, elapsedSeconds: Double)] = []
    }

    /// The contents of `run` in one read transaction, so they agree with each other while the
    /// run is still training; metric series of at most about `bucketsPerKey` buckets per key.
    public func contents(of run: RunRecord, bucketsPerKey: Int) throws -> Contents {
        let id = run.id ?? -1
        return try database.reader.read { db in
            let (bucketSize, series) = try MetricStore.downsampled(runId: id, bucketsPerKey: bucketsPerKey, in: db)
            return Contents(
                dataset: try run.datasetId.flatMap { try RecordRow<DatasetRecord>.fetchOne(db, key: $0)?.record },
                bucketSize: bucketSize, series: series,
                events: try RecordRow<EventRecord>.filter(Column("run_id") == id).order(Column("step"), Column("id"))
                    .fetchAll(db).map(\.record),
                evaluations: try RecordRow<EvaluationRecord>.filter(Column("run_id") == id).order(Column("metric"), Column("step"))
                    .fetchAll(db).map(\.record),
                checkpointSteps: try CheckpointStore.completeSteps(runId: id, in: db),
                stepTimes: try Row.fetchAll(db, sql: "SELECT step, elapsed_seconds FROM step_times WHERE run_id = ? ORDER BY step", arguments: [id])
                    .map { (step: $0[0], elapsedSeconds: $0[1]) })
        }
    }
}
