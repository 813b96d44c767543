import Foundation
internal import GRDB

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

    /// What `vacuum` gave back: the file's size (database and write-ahead log) before and after.
    public struct VacuumReport: Codable, Sendable {
        public var bytesBefore: Int64
        public var bytesAfter: Int64
    }

    /// Rebuilds the file without its free pages (SQLite's VACUUM: the space of deleted runs)
    /// and truncates the write-ahead log. Waits for, and then blocks, other writers.
    public func vacuum() throws -> VacuumReport {
        func size() -> Int64 {
            ["", "-wal"].reduce(Int64(0)) { total, suffix in
                total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int64) ?? 0)
            }
        }
        let before = size()
        try GanDatabase.wrap(path: path) {
            try writer.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM")
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
        return VacuumReport(bytesBefore: before, bytesAfter: size())
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
        // Names the copy beside the database while it is made, so that the next command on
        // the database removes it if this process is killed (`removeAbandonedBackups`).
        let marker = Self.backupMarker(database: path, pid: getpid())
        try? Data(URL(fileURLWithPath: partial).standardizedFileURL.path.utf8).write(to: URL(fileURLWithPath: marker), options: .withoutOverwriting)
        defer {
            for suffix in Self.sqliteSuffixes { Self.removeRegularFile(partial + suffix) }
            Self.removeRegularFile(marker)
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

    static let sqliteSuffixes = ["", "-wal", "-shm", "-journal"]

    /// `DATABASE.backup-PID`: while process PID backs the database up, the path of its copy.
    static func backupMarker(database: String, pid: Int32) -> String {
        "\(database).backup-\(pid)"
    }

    /// The files in `path`'s folder named `NAME` + `infix` + a PID + one of `suffixes`, whose
    /// PID no longer runs on this machine (never this process's), each with its PID.
    static func abandonedFiles(beside path: String, infix: String, suffixes: [String]) -> [(path: String, pid: Int32)] {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + infix
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.compactMap { name in
            guard name.hasPrefix(prefix) else { return nil }
            let digits = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = Int32(digits), pid != getpid(), suffixes.contains(String(name.dropFirst(prefix.count + digits.count))),
                  RunLease.processIsGone(pid) else { return nil }
            return ((folder as NSString).appendingPathComponent(name), pid)
        }
    }

    /// Removes `DESTINATION.partial-PID` copies (and their -wal, -shm, -journal) left by backups
    /// that were killed: those whose PID no longer runs on this machine.
    static func removeAbandonedPartials(of destination: String) {
        for file in abandonedFiles(beside: destination, infix: ".partial-", suffixes: sqliteSuffixes) {
            removeRegularFile(file.path)
        }
    }

    /// Removes what killed backups of the database at `path` left, wherever their copies
    /// went: each `.backup-PID` marker of a process that is gone names a copy, which is
    /// removed (only a file named `….partial-PID`, with that PID) with the marker.
    static func removeAbandonedBackups(of path: String) {
        for marker in abandonedFiles(beside: path, infix: ".backup-", suffixes: [""]) where isRegularFile(marker.path) {
            if let handle = FileHandle(forReadingAtPath: marker.path), let data = try? handle.read(upToCount: 4096) {
                try? handle.close()
                let copy = String(decoding: data, as: UTF8.self)
                if copy.hasPrefix("/"), copy.hasSuffix(".partial-\(marker.pid)") {
                    for suffix in sqliteSuffixes { removeRegularFile(copy + suffix) }
                }
            }
            removeRegularFile(marker.path)
        }
    }

    static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
    }

    /// Removes `path` if it is a regular file (never a folder, a link or a device).
    static func removeRegularFile(_ path: String) {
        if isRegularFile(path) { unlink(path) }
    }
}
