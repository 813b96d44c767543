import Foundation
internal import GRDB

/// What people do to runs after training them: find them (`runs` filters), delete, rename, tag
/// and annotate them. Every change is one transaction; a run some live process is training is
/// refused (`RunLease`), so a change never races the trainer.
extension RunStore {
    /// Which runs `ganpipe runs` lists: every condition given must hold.
    public struct Filter: Sendable, Equatable {
        public var status: RunStatus?
        public var objective: String?
        public var dataset: String?
        public var pipeline: String?
        /// Tags every listed run carries.
        public var tags: [String] = []
        /// Shell patterns (or exact names): a run is listed when its name matches any of them.
        public var names: [String] = []
        /// Classifier runs (the evaluator's dataset classifiers) are left out unless asked for,
        /// by this or by `objective: "classifier"`.
        public var includeClassifiers = false

        public init(status: RunStatus? = nil, objective: String? = nil, dataset: String? = nil, pipeline: String? = nil,
                    tags: [String] = [], names: [String] = [], includeClassifiers: Bool = false) {
            (self.status, self.objective, self.dataset, self.pipeline) = (status, objective, dataset, pipeline)
            (self.tags, self.names, self.includeClassifiers) = (tags, names, includeClassifiers)
        }
    }

    /// A run as `ganpipe runs` lists it: the row, its dataset's name, tags and note.
    public struct Listing: Sendable {
        public var run: RunRecord
        public var datasetName: String?
        public var tags: [String]
        public var note: String?
    }

    /// The runs `filter` selects, oldest first.
    public func list(_ filter: Filter) throws -> [Listing] {
        var conditions: [String] = [], arguments: [(any DatabaseValueConvertible)?] = []
        if let status = filter.status { conditions.append("r.status = ?"); arguments.append(status.rawValue) }
        if let objective = filter.objective { conditions.append("r.objective = ?"); arguments.append(objective) }
        if let dataset = filter.dataset { conditions.append("d.name = ?"); arguments.append(dataset) }
        if let pipeline = filter.pipeline { conditions.append("r.pipeline = ?"); arguments.append(pipeline) }
        for tag in filter.tags {
            conditions.append("EXISTS (SELECT 1 FROM run_tags AS t WHERE t.run_id = r.id AND t.tag = ?)")
            arguments.append(tag)
        }
        if !filter.names.isEmpty {
            conditions.append("(" + filter.names.map { _ in "r.name GLOB ?" }.joined(separator: " OR ") + ")")
            arguments += filter.names.map { Self.isPattern($0) ? $0 : Self.globLiteral($0) }
        }
        if !filter.includeClassifiers && filter.objective != "classifier" { conditions.append("r.objective != 'classifier'") }
        let sql = """
            SELECT r.*, d.name AS dataset_name,
                   (SELECT json_group_array(tag) FROM (SELECT tag FROM run_tags WHERE run_id = r.id ORDER BY tag)) AS tags_json
            FROM runs AS r LEFT JOIN datasets AS d ON d.id = r.dataset_id
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY r.id
            """
        return try database.reader.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                let tags = (row["tags_json"] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
                return Listing(run: try RecordRow<RunRecord>(row: row).record, datasetName: row["dataset_name"], tags: tags, note: row["note"])
            }
        }
    }

    /// Warning and error events recorded after event `id` (0: from the first) by the runs
    /// named in `runs` (nil: every run), oldest first, with their ids: how a pipeline relays what its workers'
    /// runs record while they train.
    public func events(after id: Int64, runs: Set<String>? = nil) throws -> [(id: Int64, run: String, event: RunJournal.Event)] {
        try database.reader.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.id, r.name, e.step, e.kind, e.severity, e.message FROM events AS e JOIN runs AS r ON r.id = e.run_id
                WHERE e.id > ? AND e.severity IN ('warning', 'error') ORDER BY e.id
                """, arguments: [id]).compactMap { row in
                let name: String = row[1]
                guard runs?.contains(name) ?? true, let severity = EventSeverity(rawValue: row[4]) else { return nil }
                return (row[0], name, RunJournal.Event(step: row[2], kind: row[3], severity: severity, message: row[5]))
            }
        }
    }

    /// A short text that changes whenever a run is added, removed, renamed, tagged, annotated or
    /// changes status, or a step, event, evaluation (or a different score on re-evaluation) or
    /// checkpoint view is recorded: what a live page polls to know when to redraw.
    public func changeToken() throws -> String {
        try database.reader.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), total(current_step),
                       coalesce(group_concat(id || ':' || status || ':' || name || ':' || coalesce(note, ''), char(10)), '')
                           || char(10) || (SELECT coalesce(group_concat(run_id || ':' || tag, char(10)), '') FROM run_tags),
                       (SELECT coalesce(max(id), 0) FROM events),
                       (SELECT count(*) || ':' || total(value) FROM evaluations),
                       (SELECT count(*) FROM checkpoint_views)
                FROM runs
                """)
            guard let row else { return "" }
            let labels: String = row[2], evaluations: String = row[4]
            return "\(row[0] as Int)-\(Int(row[1] as Double))-\(SHA256.hex(labels + "\n" + evaluations).prefix(12))-\(row[3] as Int64)-\(row[5] as Int)"
        }
    }

    /// The id of the last event recorded, 0 for none.
    public func lastEventId() throws -> Int64 {
        try database.reader.read { try Int64.fetchOne($0, sql: "SELECT max(id) FROM events") ?? 0 }
    }

    /// A GLOB pattern matching exactly `name` (each metacharacter in brackets).
    static func globLiteral(_ name: String) -> String {
        String(name.flatMap { "*?[".contains($0) ? "[\($0)]" : "\($0)" })
    }

    /// The runs `references` name: each a name, an id, or a shell pattern that must match at
    /// least one run. In order of mention, each run once.
    public func select(_ references: [String]) throws -> [RunRecord] {
        var runs: [RunRecord] = []
        for reference in references {
            let found: [RunRecord]
            if Self.isPattern(reference) {
                found = try matching(reference)
                guard !found.isEmpty else { throw StoreError.noMatchingRun(pattern: reference) }
            } else {
                found = [try find(reference)]
            }
            runs += found.filter { run in !runs.contains { $0.id == run.id } }
        }
        return runs
    }

    /// How much `delete` removed.
    public struct Deletion: Codable, Sendable, Equatable {
        public var runs: [String]
        public var checkpoints: Int
        public var metricRows: Int
        public var events: Int
        public var evaluations: Int
    }

    /// Deletes `runs` with everything that hangs off them (checkpoints, metrics, events,
    /// evaluations, views, step times, tags: `ON DELETE CASCADE`), in one transaction. Refused,
    /// with nothing deleted, when a live process holds any of them.
    public func delete(_ runs: [RunRecord]) throws -> Deletion {
        try GanDatabase.wrap(path: database.path) {
            try database.writer.write { db in
                let current = try runs.map { try Self.unheld($0, in: db) }
                let ids = current.compactMap(\.id)
                let list = ids.map(String.init).joined(separator: ",")
                func count(_ table: String) throws -> Int {
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table) WHERE run_id IN (\(list))") ?? 0
                }
                let deletion = Deletion(runs: current.map(\.name), checkpoints: try count("checkpoints"), metricRows: try count("metrics"),
                                        events: try count("events"), evaluations: try count("evaluations"))
                try db.execute(sql: "DELETE FROM runs WHERE id IN (\(list))")
                return deletion
            }
        }
    }

    /// Renames `run` to `newName` (a valid run name no other run has).
    public func rename(_ run: RunRecord, to newName: String) throws {
        try GanDatabase.wrap(path: database.path) {
            try database.writer.write { db in
                try Self.checkRename(run, to: newName, in: db)
                try db.execute(sql: "UPDATE runs SET name = ? WHERE id = ?", arguments: [newName, run.id])
            }
        }
    }

    /// Throws what `rename` would refuse.
    public func checkRename(_ run: RunRecord, to newName: String) throws {
        try database.reader.read { db in try Self.checkRename(run, to: newName, in: db) }
    }

    static func checkRename(_ run: RunRecord, to newName: String, in db: Database) throws {
        if let problem = nameProblem(newName) { throw StoreError.invalidRunName(newName, problem: problem) }
        let current = try unheld(run, in: db)
        if current.name != newName, try Int.fetchOne(db, sql: "SELECT 1 FROM runs WHERE name = ?", arguments: [newName]) != nil {
            throw StoreError.nameTaken(newName)
        }
    }

    /// Adds (or with `remove`, removes) `tags` on every run of `runs`; returns how many
    /// (run, tag) pairs changed. Tags are labels, not text: see `tagProblem`.
    public func tag(_ runs: [RunRecord], _ tags: [String], remove: Bool = false) throws -> Int {
        for tag in tags { if let problem = Self.tagProblem(tag) { throw StoreError.invalidTag(tag, problem: problem) } }
        if runs.isEmpty { return 0 }
        return try GanDatabase.wrap(path: database.path) {
            try database.writer.write { db in
                var changed = 0
                let now = Timestamp.now()
                for run in runs {
                    for tag in tags {
                        if remove {
                            try db.execute(sql: "DELETE FROM run_tags WHERE run_id = ? AND tag = ?", arguments: [run.id, tag])
                        } else {
                            try db.execute(sql: "INSERT OR IGNORE INTO run_tags (run_id, tag, created_at) VALUES (?, ?, ?)",
                                           arguments: [run.id, tag, now])
                        }
                        changed += db.changesCount
                    }
                }
                return changed
            }
        }
    }

    /// Sets the note of `runs` (nil removes it).
    public func setNote(_ note: String?, on runs: [RunRecord]) throws {
        if let note, let problem = Self.noteProblem(note) { throw StoreError.invalidNote(problem) }
        try GanDatabase.wrap(path: database.path) {
            try database.writer.write { db in
                for run in runs { try db.execute(sql: "UPDATE runs SET note = ? WHERE id = ?", arguments: [note, run.id]) }
            }
        }
    }

    /// Throws `runBusy` for the first of `runs` a live process holds.
    public func checkUnheld(_ runs: [RunRecord]) throws {
        try database.reader.read { db in for run in runs { _ = try Self.unheld(run, in: db) } }
    }

    /// `run` as stored now, unless a live process holds it.
    static func unheld(_ run: RunRecord, in db: Database) throws -> RunRecord {
        guard let current = try RecordRow<RunRecord>.fetchOne(db, key: run.id)?.record else { throw StoreError.unknownRun(run.name) }
        guard RunLease.isAvailable(current) else {
            throw StoreError.runBusy(name: current.name, owner: current.owner ?? "?", heartbeat: current.heartbeatAt ?? "never")
        }
        return current
    }

    /// Why `name` cannot name a run, or nil. Names are looked up before ids and patterns are
    /// told apart by their metacharacters, so a name is not all digits and has no `*`, `?` or
    /// `[`; it is one line of at most 200 characters without control characters or surrounding
    /// spaces.
    public static func nameProblem(_ name: String) -> String? {
        if name.isEmpty || name.count > 200 { return "a run name has 1 to 200 characters" }
        if name.allSatisfy(\.isNumber) { return "an all-digit name would shadow the run ids" }
        if isPattern(name) { return "'*', '?' and '[' are kept for patterns" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
            return "control characters are not allowed"
        }
        if name != name.trimmingCharacters(in: .whitespaces) { return "leading or trailing spaces are not allowed" }
        return nil
    }

    /// Why `note` cannot be a note, or nil: 1 to 10,000 characters.
    public static func noteProblem(_ note: String) -> String? {
        note.isEmpty || note.count > 10_000 ? "a note has 1 to 10,000 characters (this one has \(note.count))" : nil
    }

    /// Why `tag` cannot be a tag, or nil: 1 to 64 letters, digits and `-_.:=+/`.
    public static func tagProblem(_ tag: String) -> String? {
        if tag.isEmpty || tag.count > 64 { return "a tag has 1 to 64 characters" }
        let allowed = Set("-_.:=+/")
        if !tag.allSatisfy({ ($0.isLetter || $0.isNumber || allowed.contains($0)) && !$0.isWhitespace }) {
            return "a tag is letters, digits and - _ . : = + /"
        }
        return nil
    }
}
