import Foundation
import GRDB

extension GanDatabase {
    /// The outcome of `PRAGMA quick_check` / `integrity_check` plus `foreign_key_check`.
    public struct CheckReport: Codable, Sendable {
        public var full: Bool
        public var schemaVersion: Int
        /// Empty when the database is healthy.
        public var problems: [String]
        public var isHealthy: Bool { problems.isEmpty }
    }

    /// Checks the database's structure; `full` runs the slower `integrity_check`.
    public func check(full: Bool) throws -> CheckReport {
        try GanDatabase.wrap(path: path) {
            try reader.read { db in
                let pragma = full ? "integrity_check" : "quick_check"
                var problems = try String.fetchAll(db, sql: "PRAGMA \(pragma)").filter { $0 != "ok" }
                for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
                    let table: String = row[0]
                    let rowID: Int64? = row[1]
                    let parent: String = row[2]
                    problems.append("row \(rowID.map(String.init) ?? "?") of \(table) refers to a missing row of \(parent)")
                }
                let version = try Int.fetchOne(db, sql: "SELECT max(version) FROM schema_migrations") ?? 0
                return CheckReport(full: full, schemaVersion: version, problems: problems)
            }
        }
    }

    /// What `backup(to:)` copied.
    public struct BackupReport: Codable, Sendable {
        public var destination: String
        public var pageCount: Int
        public var byteCount: Int64
    }

    /// Copies a consistent snapshot of the database to `destination` with SQLite's online
    /// backup, safe while other processes write. The copy is written beside the destination
    /// and renamed into place only once it is complete and passes `quick_check`.
    public func backup(to destination: String, overwrite: Bool = false) throws -> BackupReport {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw StoreError.isDirectory(path: destination) }
            if !overwrite { throw StoreError.destinationExists(path: destination) }
        }
        if let problem = OutputTarget.problem(with: destination) { throw StoreError.notWritable(path: destination, reason: problem) }
        Self.removeAbandonedPartials(of: destination)
        let partial = destination + ".partial-\(getpid())"
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: partial + suffix) }
        }
        _ = try GanDatabase.preflight(path: partial, access: .readWrite)
        let pageCount = try GanDatabase.wrap(path: destination) { () throws -> Int in
            let copy = try DatabaseQueue(path: partial)
            try reader.backup(to: copy)
            let verdict = try copy.read { try String.fetchAll($0, sql: "PRAGMA quick_check") }
            guard verdict == ["ok"] else {
                throw StoreError.sqlite("the backup copy failed its check: \(verdict.joined(separator: "; "))")
            }
            let pages = try copy.read { try Int.fetchOne($0, sql: "PRAGMA page_count") ?? 0 }
            try copy.close()
            return pages
        }
        // A stale -wal beside the replaced file would be replayed into the copy: remove it.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: destination + suffix) }
        if rename(partial, destination) != 0 {
            throw StoreError.notWritable(path: destination, reason: String(cString: strerror(errno)))
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? NSNumber)?.int64Value ?? 0
        return BackupReport(destination: destination, pageCount: pageCount, byteCount: size)
    }

    /// Removes `DESTINATION.partial-PID` copies (and their -wal, -shm, -journal) left by backups
    /// that were killed: those whose PID no longer runs on this machine.
    static func removeAbandonedPartials(of destination: String) {
        let url = URL(fileURLWithPath: destination)
        let folder = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + ".partial-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = Int32(digits), pid != getpid(), RunLease.processIsGone(pid) else { continue }
            let rest = name.dropFirst(prefix.count + digits.count)
            guard ["", "-wal", "-shm", "-journal"].contains(rest) else { continue }
            try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
        }
    }
}
