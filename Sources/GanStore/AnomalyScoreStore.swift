import Foundation
internal import GRDB

/// `anomaly_scores`: per-sample anomaly scores of a run's checkpoint, with what was scored and
/// how (`ganpipe score --store`).
public struct AnomalyScoreStore {
    public struct Record: Sendable, Equatable {
        public var runId: Int64
        public var step: Int
        public var method: String
        /// `dataset NAME (split S)` or `file PATH`.
        public var data: String
        public var dataSha256: String
        public var optionsJson: String
        public var scores: [Float]
        public var auroc: Double?

        public init(runId: Int64, step: Int, method: String, data: String, dataSha256: String, optionsJson: String, scores: [Float], auroc: Double?) {
            (self.runId, self.step, self.method, self.data, self.dataSha256) = (runId, step, method, data, dataSha256)
            (self.optionsJson, self.scores, self.auroc) = (optionsJson, scores, auroc)
        }
    }

    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// Stores `records` in one transaction, each replacing a row of the same run, step, method,
    /// data and options.
    public func save(_ records: [Record]) throws {
        let now = Timestamp.now()
        try GanDatabase.wrap(path: database.path) {
            try database.writer.write { db in
                for record in records {
                    try db.execute(sql: """
                        INSERT OR REPLACE INTO anomaly_scores (run_id, step, method, data, data_sha256, options_json, sample_count, scores, auroc, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [record.runId, record.step, record.method, record.data, record.dataSha256, record.optionsJson,
                                         record.scores.count, Data(TypedArrayCodec.bytes(record.scores)), record.auroc, now])
                }
            }
        }
    }

    /// The stored scores of run `runId`, in the order they were stored.
    public func records(runId: Int64) throws -> [Record] {
        try database.reader.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM anomaly_scores WHERE run_id = ? ORDER BY id", arguments: [runId]).map { row in
                let bytes: Data = row["scores"]
                return Record(runId: row["run_id"], step: row["step"], method: row["method"], data: row["data"], dataSha256: row["data_sha256"],
                              optionsJson: row["options_json"], scores: TypedArrayCodec.floats(bytes, as: .float32, count: bytes.count / 4),
                              auroc: row["auroc"])
            }
        }
    }
}
