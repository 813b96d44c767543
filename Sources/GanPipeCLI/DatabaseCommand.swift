import ArgumentParser
import Foundation
import GanStore

/// `ganpipe db …`: create, check and back up the database.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Create, check, back up and compact the ganpipe database.",
        subcommands: [Initialize.self, Check.self, Backup.self, Vacuum.self]
    )

    struct Initialize: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create the database, or bring an existing one up to this ganpipe's schema.")

        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let existed = FileManager.default.fileExists(atPath: database.resolvedPath)
            let opened = try database.openForWriting()
            let version = try opened.schemaVersion()
            try opened.close()
            if json {
                try printJSON(["path": opened.path, "schema_version": version, "created": !existed] as [String: any Sendable])
            } else {
                print("\(existed ? "database" : "created database") \(opened.path) (schema version \(version))")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the database's structure (PRAGMA quick_check; --full for integrity_check). Exits 1 on damage.")

        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Run the slower, complete PRAGMA integrity_check.") var full = false
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let opened = try database.openForReading()
            let report = try opened.check(full: full)
            try opened.close()
            if json {
                try printJSON(report)
            } else if report.isHealthy {
                print("ok: \(opened.path) (schema version \(report.schemaVersion), \(full ? "integrity_check" : "quick_check"))")
            } else {
                // The same problem on many rows (every metric row of a lost run) is one line.
                var seen: [String: Int] = [:]
                for problem in report.problems { seen[problem, default: 0] += 1 }
                for problem in report.problems where seen[problem] != nil {
                    print("damage: \(problem)" + (seen[problem]! > 1 ? " (\(seen[problem]!) times)" : ""))
                    seen[problem] = nil
                }
            }
            if !report.isHealthy {
                FileHandle.standardError.write(Data("ganpipe: error: \(opened.path) is damaged (\(report.problems.count) problem(s)); restore it from a backup\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a consistent snapshot of the database with SQLite's online backup (safe while runs write).")

        @OptionGroup var database: DatabaseOptions
        @Option(help: ArgumentHelp("The backup file to write.", valueName: "file")) var to: String
        @Flag(help: "Replace the backup file if it exists.") var force = false
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let opened = try database.openForReading()
            let report = try opened.backup(to: to, overwrite: force)
            try opened.close()
            if json {
                try printJSON(report)
            } else {
                print("backed up \(opened.path) to \(report.destination) (\(report.pageCount) pages, \(report.byteCount) bytes)")
            }
        }
    }

    struct Vacuum: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give back the space of deleted runs and datasets (SQLite's VACUUM); waits for other writers.")

        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let opened = try database.openForWriting()
            let report = try opened.vacuum()
            try opened.close()
            if json {
                try printJSON(report)
            } else {
                print("compacted \(opened.path): \(report.bytesBefore) → \(report.bytesAfter) bytes")
            }
        }
    }
}
