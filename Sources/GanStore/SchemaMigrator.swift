internal import GRDB

/// One `migrations/NNNN_what_changed.sql` file, compiled into the binary by the
/// EmbedMigrations build tool.
public struct EmbeddedMigration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public var sha256: String { SHA256.hex(sql) }

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies the embedded migrations in numeric order and checks that a database's recorded
/// history agrees with them. The history lives in `schema_migrations`; `PRAGMA user_version`
/// mirrors the latest version and `PRAGMA application_id` marks the file as ganpipe's.
public struct SchemaMigrator: Sendable {
    /// 'GANP' in ASCII: lets ganpipe tell its databases from other SQLite files.
    public static let applicationID: Int32 = 0x4741_4E50

    public let migrations: [EmbeddedMigration]

    public init(migrations: [EmbeddedMigration] = EmbeddedMigration.all) {
        self.migrations = migrations
    }

    /// The schema version this binary creates.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// A row of `schema_migrations`.
    public struct AppliedMigration: Sendable, Equatable {
        public var version: Int
        public var name: String
        public var sha256: String
        public var appliedAt: String
    }

    /// What a database holds relative to this binary.
    public enum State: Sendable, Equatable {
        /// No tables at all: a new or empty file.
        case empty
        /// A ganpipe database; `pending` migrations of this binary are not applied yet.
        case ganpipe(version: Int, pending: Int)
    }

    func appliedMigrations(_ db: Database) throws -> [AppliedMigration] {
        guard try db.tableExists("schema_migrations") else { return [] }
        return try Row.fetchAll(db, sql: "SELECT version, name, sha256, applied_at FROM schema_migrations ORDER BY version")
            .map { AppliedMigration(version: $0[0], name: $0[1], sha256: $0[2], appliedAt: $0[3]) }
    }

    /// Reads the database's state and throws when its history disagrees with this binary:
    /// newer schema, renamed or edited migrations.
    func verify(_ db: Database, path: String) throws -> State {
        let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let tableCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table'") ?? 0
        let hasHistory = try db.tableExists("schema_migrations")
        if applicationID != 0 && applicationID != Self.applicationID {
            throw StoreError.foreignDatabase(path: path)
        }
        if tableCount == 0 { return .empty }
        if !hasHistory { throw StoreError.foreignDatabase(path: path) }
        let applied = try appliedMigrations(db)
        let version = applied.last?.version ?? 0
        if version > latestVersion {
            throw StoreError.schemaTooNew(path: path, databaseVersion: version, binaryVersion: latestVersion)
        }
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for record in applied {
            guard let migration = known[record.version] else {
                throw StoreError.sqlite("\(path) records migration \(record.version) (\(record.name)), unknown to this ganpipe; the database was made by a different build")
            }
            if migration.name != record.name {
                throw StoreError.migrationRenamed(path: path, version: record.version, recorded: record.name, embedded: migration.name)
            }
            if migration.sha256 != record.sha256 {
                throw StoreError.migrationEdited(path: path, name: record.name)
            }
        }
        return .ganpipe(version: version, pending: migrations.filter { $0.version > version }.count)
    }

    /// Applies every pending migration inside the caller's transaction. Running it on an
    /// up-to-date database changes nothing. Returns the migrations it applied.
    @discardableResult
    func migrate(_ db: Database, path: String) throws -> [EmbeddedMigration] {
        let state = try verify(db, path: path)
        let current: Int
        switch state {
        case .empty:
            current = 0
            try db.execute(sql: """
                CREATE TABLE schema_migrations (
                    version     INTEGER PRIMARY KEY,
                    name        TEXT NOT NULL,
                    sha256      TEXT NOT NULL,
                    applied_at  TEXT NOT NULL
                )
                """)
            try db.execute(sql: "PRAGMA application_id = \(Self.applicationID)")
        case .ganpipe(let version, _):
            current = version
        }
        let pending = migrations.filter { $0.version > current }
        for migration in pending {
            try db.execute(sql: migration.sql)
            try db.execute(
                sql: "INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (?, ?, ?, ?)",
                arguments: [migration.version, migration.name, migration.sha256, Timestamp.now()])
        }
        if !pending.isEmpty {
            try db.execute(sql: "PRAGMA user_version = \(latestVersion)")
        }
        return pending
    }
}
