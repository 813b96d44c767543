import Foundation
internal import GRDB

/// Copies runs, with everything that hangs off them, from another ganpipe database into this
/// one: how `ganpipe merge` brings the shards of a cluster sweep back into the main database,
/// and how the Slurm executor gives each shard its run and dataset. One transaction per run;
/// ids are remapped; a run already here with the same name and configuration is replaced by
/// the source's if the source is further along, and left alone if it is the same or further
/// (so merging the same shard twice changes nothing). A run or dataset of the same name with a
/// different configuration or content is refused before anything is copied.
public struct RunTransfer {
    public enum Outcome: String, Sendable, Codable {
        /// The run was not here: copied.
        case copied
        /// Here, behind the source: replaced by the source's state.
        case updated
        /// Here in the same state.
        case unchanged
        /// Here and further along than the source (or completed): kept.
        case kept
        /// Still training in the source (its lease is held): not copied; merge again later.
        case training
    }

    public let destination: GanDatabase

    public init(into destination: GanDatabase) {
        self.destination = destination
    }

    /// The names of the runs in the ganpipe database at `path` (opened read-only and checked).
    public static func runNames(in path: String) throws -> [String] {
        let source = try GanDatabase.open(path: path, access: .readOnly)
        defer { try? source.close() }
        return try source.reader.read { try String.fetchAll($0, sql: "SELECT name FROM runs ORDER BY id") }
    }

    /// Copies `runs` (every run when nil) of the database at `path`; what happened to each.
    public func merge(from path: String, runs: [String]? = nil) throws -> [(run: String, outcome: Outcome)] {
        try attached(path, runs: runs) { db, names in
            var outcomes: [(String, Outcome)] = []
            for name in names {
                var outcome = Outcome.unchanged
                try db.inTransaction {
                    outcome = try Self.transfer(run: name, db)
                    return .commit
                }
                outcomes.append((name, outcome))
            }
            return outcomes
        }
    }

    /// Throws what `merge` would refuse, without writing (the destination may be read-only):
    /// commands decide their refusals before they open a database for writing.
    public func check(from path: String, runs: [String]? = nil) throws {
        try attached(path, runs: runs) { _, _ in }
    }

    /// `body` with the database at `path` attached as `source`, once its schema and every
    /// conflict of `runs` are checked.
    func attached<T>(_ path: String, runs: [String]?, _ body: (Database, [String]) throws -> T) throws -> T {
        let names = try runs ?? Self.runNames(in: path)
        let shard = URL(fileURLWithPath: path).lastPathComponent
        return try GanDatabase.wrap(path: destination.path) {
            try destination.writer.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS source", arguments: [path])
                defer { try? db.execute(sql: "DETACH DATABASE source") }
                let here = try Int.fetchOne(db, sql: "SELECT max(version) FROM main.schema_migrations") ?? 0
                let there = try Int.fetchOne(db, sql: "SELECT max(version) FROM source.schema_migrations") ?? 0
                guard here == there else {
                    throw StoreError.mergeConflict(shard: shard, detail: "its schema is version \(there) and this database's \(here) (open both with the same ganpipe: `ganpipe db check`)")
                }
                for name in names { try Self.checkConflicts(run: name, shard: shard, db) }
                return try body(db, names)
            }
        }
    }

    static func checkConflicts(run name: String, shard: String, _ db: Database) throws {
        guard let source = try Row.fetchOne(db, sql: "SELECT r.config_sha256, d.name AS dataset, d.content_sha256 FROM source.runs AS r LEFT JOIN source.datasets AS d ON d.id = r.dataset_id WHERE r.name = ?", arguments: [name]) else {
            throw StoreError.mergeConflict(shard: shard, detail: "it has no run named '\(name)'")
        }
        if let here: String = try String.fetchOne(db, sql: "SELECT config_sha256 FROM main.runs WHERE name = ?", arguments: [name]),
           here != source["config_sha256"] as String {
            throw StoreError.mergeConflict(shard: shard, detail: "run '\(name)' there has another configuration than the run of that name here (rename one of them with `ganpipe rename`, then merge again)")
        }
        if let dataset: String = source["dataset"],
           let content: String = try String.fetchOne(db, sql: "SELECT content_sha256 FROM main.datasets WHERE name = ?", arguments: [dataset]),
           content != source["content_sha256"] as String {
            throw StoreError.mergeConflict(shard: shard, detail: "dataset '\(dataset)' there has other content than the dataset of that name here (its runs need their own data: merge them into another database)")
        }
    }

    /// How far a run has come, to tell which of two copies is further along.
    static func progress(of table: String, run name: String, _ db: Database) throws -> (completed: Bool, step: Int, checkpoints: Int, evaluations: Int, state: String)? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT r.status, r.current_step,
                   (SELECT count(*) FROM \(table).checkpoints WHERE run_id = r.id AND complete = 1) AS checkpoints,
                   (SELECT count(*) FROM \(table).evaluations WHERE run_id = r.id) AS evaluations,
                   (SELECT count(*) FROM \(table).metrics WHERE run_id = r.id) AS metrics,
                   (SELECT count(*) FROM \(table).events WHERE run_id = r.id) AS events,
                   (SELECT count(*) FROM \(table).checkpoint_views WHERE run_id = r.id) AS views,
                   r.finished_at, r.error
            FROM \(table).runs AS r WHERE r.name = ?
            """, arguments: [name]) else { return nil }
        let status: String = row["status"]
        let state = [status, "\(row["current_step"] as Int)", "\(row["checkpoints"] as Int)", "\(row["evaluations"] as Int)",
                     "\(row["metrics"] as Int)", "\(row["events"] as Int)", "\(row["views"] as Int)",
                     row["finished_at"] as String? ?? "", row["error"] as String? ?? ""].joined(separator: "|")
        return (status == RunStatus.completed.rawValue, row["current_step"], row["checkpoints"], row["evaluations"], state)
    }

    static func transfer(run name: String, _ db: Database) throws -> Outcome {
        let sourceRun = try RecordRow<RunRecord>(row: try Row.fetchOne(db, sql: "SELECT * FROM source.runs WHERE name = ?", arguments: [name])!).record
        if sourceRun.status == .running, !RunLease.isAvailable(sourceRun) { return .training }
        let there = try progress(of: "source", run: name, db)!
        let existing = try Int64.fetchOne(db, sql: "SELECT id FROM main.runs WHERE name = ?", arguments: [name])
        if existing != nil, let here = try progress(of: "main", run: name, db) {
            if here.state == there.state { return .unchanged }
            let further = (here.completed && !there.completed) || (here.completed == there.completed
                && (here.step, here.checkpoints, here.evaluations) >= (there.step, there.checkpoints, there.evaluations))
            if further { return .kept }
        }
        let datasetId = try sourceRun.datasetId.map { try dataset($0, db) }
        let runColumns = try columns(of: "runs", db).filter { $0 != "id" && $0 != "name" && $0 != "dataset_id" }
        let tables = try runTables(db)
        let runId: Int64
        if let existing {
            // Everything that hangs off the run goes (ON DELETE CASCADE would too, but the row stays).
            for table in tables { try db.execute(sql: "DELETE FROM main.\(table) WHERE run_id = ?", arguments: [existing]) }
            try db.execute(sql: "UPDATE main.runs SET (dataset_id, \(Self.list(runColumns))) = (SELECT ?, \(Self.list(runColumns)) FROM source.runs WHERE id = ?) WHERE id = ?",
                           arguments: [datasetId, sourceRun.id, existing])
            runId = existing
        } else {
            try db.execute(sql: "INSERT INTO main.runs (name, dataset_id, \(Self.list(runColumns))) SELECT name, ?, \(Self.list(runColumns)) FROM source.runs WHERE id = ?",
                           arguments: [datasetId, sourceRun.id])
            runId = db.lastInsertedRowID
        }
        for table in tables where table != "checkpoints" {
            try copyRows(table, parent: "run_id", from: sourceRun.id!, to: runId, db)
        }
        let checkpointColumns = try columns(of: "checkpoints", db).filter { $0 != "id" && $0 != "run_id" }
        for checkpoint in try Int64.fetchAll(db, sql: "SELECT id FROM source.checkpoints WHERE run_id = ? ORDER BY id", arguments: [sourceRun.id]) {
            try db.execute(sql: "INSERT INTO main.checkpoints (run_id, \(Self.list(checkpointColumns))) SELECT ?, \(Self.list(checkpointColumns)) FROM source.checkpoints WHERE id = ?",
                           arguments: [runId, checkpoint])
            try copyRows("checkpoint_parts", parent: "checkpoint_id", from: checkpoint, to: db.lastInsertedRowID, db)
        }
        return existing == nil ? .copied : .updated
    }

    /// The id here of the source's dataset `id`: the one of the same name (same content, as
    /// `checkConflicts` made sure), or a copy.
    static func dataset(_ id: Int64, _ db: Database) throws -> Int64 {
        if let here = try Int64.fetchOne(db, sql: "SELECT m.id FROM main.datasets AS m JOIN source.datasets AS s ON s.name = m.name WHERE s.id = ?", arguments: [id]) {
            return here
        }
        let datasetColumns = try columns(of: "datasets", db).filter { $0 != "id" }
        try db.execute(sql: "INSERT INTO main.datasets (\(Self.list(datasetColumns))) SELECT \(Self.list(datasetColumns)) FROM source.datasets WHERE id = ?", arguments: [id])
        let copy = db.lastInsertedRowID
        let arrayColumns = try columns(of: "dataset_arrays", db).filter { $0 != "id" && $0 != "dataset_id" }
        for array in try Int64.fetchAll(db, sql: "SELECT id FROM source.dataset_arrays WHERE dataset_id = ? ORDER BY id", arguments: [id]) {
            try db.execute(sql: "INSERT INTO main.dataset_arrays (dataset_id, \(Self.list(arrayColumns))) SELECT ?, \(Self.list(arrayColumns)) FROM source.dataset_arrays WHERE id = ?",
                           arguments: [copy, array])
            try copyRows("dataset_parts", parent: "array_id", from: array, to: db.lastInsertedRowID, db)
        }
        return copy
    }

    /// Every table with a `run_id` column: what hangs off a run (but `cluster_tasks`, which
    /// says where the main database sent the run, and stays).
    static func runTables(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT IN ('runs', 'cluster_tasks') ORDER BY name").filter {
            try columns(of: $0, db).contains("run_id")
        }
    }

    static func columns(of table: String, _ db: Database) throws -> [String] {
        try Row.fetchAll(db, sql: "PRAGMA main.table_info(\(table))").map { $0["name"] }
    }

    /// Column names quoted and joined for a statement.
    static func list(_ names: [String]) -> String {
        names.map { "\"\($0)\"" }.joined(separator: ", ")
    }

    /// Copies the rows of `table` whose `parent` is `source` to rows whose `parent` is
    /// `destination`, every other column as it is except an integer primary key `id` (renumbered).
    static func copyRows(_ table: String, parent: String, from source: Int64, to destination: Int64, _ db: Database) throws {
        let others = try columns(of: table, db).filter { $0 != "id" && $0 != parent }
        try db.execute(sql: "INSERT INTO main.\(table) (\(parent), \(Self.list(others))) SELECT ?, \(Self.list(others)) FROM source.\(table) WHERE \(parent) = ?",
                       arguments: [destination, source])
    }
}
