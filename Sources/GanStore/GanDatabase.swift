import Foundation
internal import GRDB

/// The one SQLite database that ganpipe's stages share (WAL mode with `synchronous = NORMAL`,
/// foreign keys on, a busy timeout, 16 KiB pages, immediate write transactions). Opening it
/// checks the path, refuses files that are not ganpipe databases or whose schema is newer than
/// this binary, and — for read-write access — applies the embedded migrations. A refused
/// database is left untouched.
public final class GanDatabase: Sendable {
    public enum Access: Sendable {
        /// Creates the file if needed and brings its schema up to date.
        case readWrite
        /// Requires an existing, up-to-date database; every write fails.
        case readOnly
    }

    /// How long a writer waits for another process's write transaction before giving up.
    public static let busyTimeout: TimeInterval = 30
    public static let pageSize = 16384

    public let path: String
    public let access: Access
    /// A `DatabasePool` for files, a `DatabaseQueue` for in-memory databases. GanStore's own:
    /// other targets go through the `…Store` gateways.
    let writer: any DatabaseWriter
    /// The migrations that opening the database applied, in order: every one for a new file,
    /// none for a database that was up to date or opened read-only.
    public let migrationsAppliedOnOpen: [EmbeddedMigration]

    private init(path: String, access: Access, writer: any DatabaseWriter, migrationsApplied: [EmbeddedMigration] = []) {
        self.path = path
        self.access = access
        self.writer = writer
        self.migrationsAppliedOnOpen = migrationsApplied
    }

    var reader: any DatabaseReader { writer }

    static func configuration(readOnly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.label = "ganpipe"
        configuration.foreignKeysEnabled = true
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(busyTimeout)
        if !readOnly {
            // Takes effect only on a file without tables, i.e. before the first table exists;
            // GRDB switches the pool to WAL after this runs.
            // synchronous = NORMAL: in WAL mode every commit stays atomic and a crash of the
            // process loses nothing; a power cut may drop the last commits before it (the
            // database stays consistent and a run resumes from its last surviving checkpoint).
            // The WAL is synced when it is copied back into the database, not at every commit,
            // which takes the fsync of each 13 MB checkpoint off the training step.
            // temp_store = MEMORY: statement journals and temporary b-trees stay off the disk.
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA page_size = \(GanDatabase.pageSize); PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY")
            }
        }
        return configuration
    }

    /// Opens (and with `.readWrite`, creates and migrates) the database at `path`.
    public static func open(path: String, access: Access = .readWrite,
                            migrator: SchemaMigrator = SchemaMigrator()) throws -> GanDatabase {
        let hasContent = try preflight(path: path, access: access)
        if hasContent {
            removeAbandonedBackups(of: path)
            // Look before touching: a read-only connection never writes, so a refused
            // database (foreign, newer schema, edited migration) stays byte-for-byte the same.
            let state = try wrap(path: path) {
                let probe = try DatabaseQueue(path: probePath(path), configuration: configuration(readOnly: true))
                defer { try? probe.close() }
                return try probe.read { try migrator.verify($0, path: path) }
            }
            if access == .readOnly, case .ganpipe(let version, let pending) = state, pending > 0 {
                throw StoreError.schemaTooOld(path: path, databaseVersion: version, binaryVersion: migrator.latestVersion)
            }
            if access == .readOnly, state == .empty {
                throw StoreError.missingDatabase(path: path)
            }
        }
        let existed = FileManager.default.fileExists(atPath: path)
        if access == .readOnly, let database = openImmutableIfUnwritable(path: path) { return database }
        do {
            return try wrap(path: path) {
                let pool = try DatabasePool(path: path, configuration: configuration(readOnly: access == .readOnly))
                var applied: [EmbeddedMigration] = []
                if access == .readWrite {
                    applied = try pool.write { try migrator.migrate($0, path: path) }
                }
                return GanDatabase(path: path, access: access, writer: pool, migrationsApplied: applied)
            }
        } catch {
            if !existed {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            throw error
        }
    }

    /// A database on a read-only filesystem, or in a folder this process may not write, cannot
    /// get the shared-memory file (`-shm`) that readers of a WAL database use. When no `-wal`
    /// file exists the main file holds every committed page and nobody can be writing it (a
    /// writer would need the same files), so it is read as immutable; nil where the folder is
    /// writable or a `-wal` file exists (a normal read-only connection, which sees writers).
    static func openImmutableIfUnwritable(path: String) -> GanDatabase? {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard Glibc.access(folder, W_OK) != 0, !FileManager.default.fileExists(atPath: path + "-wal"),
              let queue = try? DatabaseQueue(path: probePath(path), configuration: configuration(readOnly: true)) else { return nil }
        return GanDatabase(path: path, access: .readOnly, writer: queue)
    }

    /// A migrated database in memory, for tests and benchmarks.
    public static func inMemory(migrator: SchemaMigrator = SchemaMigrator()) throws -> GanDatabase {
        let queue = try DatabaseQueue(configuration: configuration(readOnly: false))
        let applied = try queue.write { try migrator.migrate($0, path: ":memory:") }
        return GanDatabase(path: ":memory:", access: .readWrite, writer: queue, migrationsApplied: applied)
    }

    /// The schema version recorded in the database.
    public func schemaVersion() throws -> Int {
        try reader.read { try Int.fetchOne($0, sql: "SELECT max(version) FROM schema_migrations") ?? 0 }
    }

    public func close() throws {
        if let pool = writer as? DatabasePool { try pool.close() }
        if let queue = writer as? DatabaseQueue { try queue.close() }
    }

    /// Where to look at an existing file without leaving a trace. Without a -wal file the main
    /// file holds every committed page, so SQLite may read it as immutable and create no -shm;
    /// with one, a plain read-only connection reads the WAL too.
    static func probePath(_ path: String) -> String {
        guard !FileManager.default.fileExists(atPath: path + "-wal") else { return path }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let encoded = absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
        return "file:\(encoded)?immutable=1"
    }

    /// Checks the path without opening it with SQLite. Returns whether the file exists and
    /// holds bytes.
    static func preflight(path: String, access: Access) throws -> Bool {
        guard !path.isEmpty else { throw StoreError.emptyPath }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            if access == .readOnly { throw StoreError.missingDatabase(path: path) }
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            var folderIsDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &folderIsDirectory),
                  folderIsDirectory.boolValue else {
                throw StoreError.missingDirectory(path: path)
            }
            return false
        }
        if isDirectory.boolValue { throw StoreError.isDirectory(path: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw StoreError.notReadable(path: path) }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 100)) ?? Data()
        if header.isEmpty { return false }
        if header.count < 100 || !header.starts(with: Array("SQLite format 3\0".utf8)) {
            throw StoreError.notADatabase(path: path)
        }
        return true
    }

    /// Runs `body`, turning SQLite's errors into one-line `StoreError`s about `path`.
    static func wrap<T>(path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
    }
}

extension StoreError {
    /// An SQLite error met outside the store, as a one-line message about the database at
    /// `path`; nil for any other error.
    public init?(sqliteError error: any Error, path: String) {
        guard let error = error as? DatabaseError else { return nil }
        self.init(error, path: path)
    }

    /// SQLite's `error` as a one-line message about the database at `path`, with the fix.
    init(_ error: DatabaseError, path: String) {
        switch error.resultCode {
        case .SQLITE_NOTADB:
            self = .notADatabase(path: path)
        case .SQLITE_CORRUPT:
            self = .damaged(path: path, detail: error.message ?? "corrupt")
        case .SQLITE_FULL:
            self = .diskFull(path: path)
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_IOERR:
            self = .notWritable(path: path, reason: error.message ?? "\(error.resultCode)")
        default:
            self = .sqlite("\(path): \(error.message ?? "\(error.resultCode)")")
        }
    }
}
