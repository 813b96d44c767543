import GanStore
import GRDB

/// A connection of the test's own to a ganpipe database file, for the SQL that GanStore has no
/// API for: reading what a stage wrote, checking the schema, injecting faults, damaging rows.
///
/// GanStore keeps its GRDB connections to itself (`internal import GRDB`), so a test opens
/// another one to the same file. The file is in WAL mode: this connection sees every commit
/// of the store's connections and they see its. Each `read` or `write` opens the connection,
/// runs one transaction and closes it again, so no test holds a connection that outlives it.
public struct RawDatabase: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The file of `database`. An in-memory database has none: open one in a `TemporaryDirectory`.
    public init(_ database: GanDatabase) {
        precondition(database.path != ":memory:", "RawDatabase needs a database file, not an in-memory database")
        self.init(path: database.path)
    }

    /// Runs `body` in one read transaction on a read-only connection.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try withConnection(readOnly: true) { try $0.read(body) }
    }

    /// Runs `body` in one immediate write transaction, with foreign keys enforced as in GanStore.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try withConnection(readOnly: false) { try $0.write(body) }
    }

    /// Runs `body` outside a transaction: statements that may not run inside one, such as a
    /// WAL checkpoint.
    public func writeWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try withConnection(readOnly: false) { try $0.writeWithoutTransaction(body) }
    }

    private func withConnection<T>(readOnly: Bool, _ body: (DatabaseQueue) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(GanDatabase.busyTimeout)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try body(queue)
    }
}
