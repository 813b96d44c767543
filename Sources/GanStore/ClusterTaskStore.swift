import Foundation
internal import GRDB

/// `cluster_tasks`: which runs the main database sent to a cluster scheduler, the job array
/// task that trains each and the shard it trains into (see `RunTransfer` for the way back).
public struct ClusterTaskStore {
    public struct Task: Sendable, Equatable {
        public var runId: Int64
        public var run: String
        public var jobId: String
        public var arrayIndex: Int
        public var shard: String
        public var submittedAt: String
        public var mergedAt: String?

        /// Slurm's name for the task: `JOB_INDEX`.
        public var slurmId: String { "\(jobId)_\(arrayIndex)" }
    }

    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// Records the tasks of one submitted array (replacing earlier records of the same runs).
    public func record(jobId: String, tasks: [(runId: Int64, arrayIndex: Int, shard: String)]) throws {
        let now = Timestamp.now()
        try GanDatabase.wrap(path: database.path) {
            try database.writer.write { db in
                for task in tasks {
                    try db.execute(sql: """
                        INSERT OR REPLACE INTO cluster_tasks (run_id, scheduler, job_id, array_index, shard, submitted_at, merged_at)
                        VALUES (?, 'slurm', ?, ?, ?, ?, NULL)
                        """, arguments: [task.runId, jobId, task.arrayIndex, task.shard, now])
                }
            }
        }
    }

    /// Every recorded task, oldest run first.
    public func all() throws -> [Task] {
        try database.reader.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.*, r.name FROM cluster_tasks AS c JOIN runs AS r ON r.id = c.run_id ORDER BY c.run_id
                """).map { row in
                Task(runId: row["run_id"], run: row["name"], jobId: row["job_id"], arrayIndex: row["array_index"],
                     shard: row["shard"], submittedAt: row["submitted_at"], mergedAt: row["merged_at"])
            }
        }
    }

    /// Records when `task`'s run was merged: when the merge brought something, or first found
    /// the run here already (a merge that changes nothing changes nothing here either).
    public func noteMerge(of task: Task, outcome: RunTransfer.Outcome) throws {
        guard outcome == .copied || outcome == .updated || (task.mergedAt == nil && outcome != .training) else { return }
        try GanDatabase.wrap(path: database.path) {
            try database.writer.write { db in
                try db.execute(sql: "UPDATE cluster_tasks SET merged_at = ? WHERE run_id = ?", arguments: [Timestamp.now(), task.runId])
            }
        }
    }
}
