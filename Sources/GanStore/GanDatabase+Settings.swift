internal import GRDB

extension GanDatabase {
    /// What SQLite reports on the connection that writes: the file's page size, journal mode,
    /// application id and schema version, and the connection's own foreign-key enforcement and
    /// busy timeout (see `configuration(readOnly:)`).
    public struct Settings: Equatable, Sendable {
        public var pageSize: Int
        public var journalMode: String
        public var foreignKeys: Bool
        public var busyTimeoutMilliseconds: Int
        public var applicationID: Int32
        public var userVersion: Int
    }

    /// The settings of the connection that writes, read without a transaction (so a read-only
    /// database answers too).
    public func settings() throws -> Settings {
        try GanDatabase.wrap(path: path) {
            try writer.writeWithoutTransaction { db in
                Settings(pageSize: try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0,
                         journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                         foreignKeys: try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false,
                         busyTimeoutMilliseconds: try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? 0,
                         applicationID: try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
                         userVersion: try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0)
            }
        }
    }
}
