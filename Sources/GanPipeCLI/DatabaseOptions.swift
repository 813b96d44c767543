import ArgumentParser
import Foundation
import GanStore

/// `--db PATH`, shared by every command. The environment variable `GANPIPE_DB` sets the
/// default; without it the database is `./ganpipe.sqlite`.
public struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp(
        "The ganpipe database (default: $GANPIPE_DB, else ./ganpipe.sqlite).", valueName: "path"))
    public var path: String?

    public init() {}

    public static let defaultPath = "./ganpipe.sqlite"

    public var resolvedPath: String { Self.resolve(path) }

    /// `path`, else `GANPIPE_DB`, else `./ganpipe.sqlite`.
    public static func resolve(_ path: String?) -> String {
        if let path { return path }
        if let fromEnvironment = ProcessInfo.processInfo.environment["GANPIPE_DB"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return defaultPath
    }

    /// Opens the database for commands that change it (creating and migrating it if needed).
    public func openForWriting() throws -> GanDatabase {
        try GanDatabase.open(path: resolvedPath, access: .readWrite)
    }

    /// Opens an existing database on read-only connections.
    public func openForReading() throws -> GanDatabase {
        try GanDatabase.open(path: resolvedPath, access: .readOnly)
    }

    /// `body` on the database opened read-only, closed afterwards. Commands that change the
    /// database decide their refusals here first: a database opened for writing is
    /// checkpointed on close, which changes its files even when nothing is committed.
    public func reading<T>(_ body: (GanDatabase) throws -> T) throws -> T {
        let opened = try openForReading()
        defer { try? opened.close() }
        return try body(opened)
    }

    /// `body` on the database opened for writing, closed afterwards.
    public func writing<T>(_ body: (GanDatabase) throws -> T) throws -> T {
        let opened = try openForWriting()
        defer { try? opened.close() }
        return try body(opened)
    }
}
