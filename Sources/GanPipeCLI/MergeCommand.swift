import ArgumentParser
import Foundation
import GanStore

/// `ganpipe merge SHARD…`: runs trained into other databases (the shards of a cluster sweep)
/// brought into this one.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Bring the runs of other ganpipe databases (the shards of a cluster sweep) into this one.",
        discussion: """
            Each run is copied in one transaction with its metrics, checkpoints, events, evaluations and views \
            (and its dataset, if this database lacks it); ids are renumbered. A run already here with the same \
            name and configuration takes the shard's state if the shard is further along, and is kept \
            otherwise, so merging a shard twice changes nothing. A shard whose run or dataset has the name of \
            a different one here is refused before anything is copied from it. Runs still training in a \
            shard are left for a later merge.
            """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("Databases to merge from.", valueName: "shard.sqlite")) var shards: [String]
    @Flag(help: "Print one JSON object per run on standard output.") var json = false

    struct Merged: Encodable {
        var shard: String
        var run: String
        var outcome: RunTransfer.Outcome
    }

    func run() throws {
        guard !shards.isEmpty else { throw CommandError("name at least one shard to merge: ganpipe merge SHARD.sqlite…") }
        let main = URL(fileURLWithPath: database.resolvedPath).resolvingSymlinksInPath().path
        for shard in shards where URL(fileURLWithPath: shard).resolvingSymlinksInPath().path == main {
            throw CommandError("\(shard) is the database being merged into; name the shards, not the main database")
        }
        // Refusals first, read-only, so a refused merge leaves the database's files as they were
        // (a new database is simply made).
        if FileManager.default.fileExists(atPath: database.resolvedPath) {
            try database.reading { opened in
                for shard in shards { try RunTransfer(into: opened).check(from: shard) }
            }
        }
        let merged = try database.writing { opened in try Self.merge(shards, into: opened) }
        for row in merged {
            if json { try printJSON(row) } else { print("\(row.run): \(row.outcome.rawValue) (\(row.shard))") }
        }
    }

    /// Merges every run of `shards` into `database`, marking the cluster tasks of those merged.
    static func merge(_ shards: [String], into database: GanDatabase) throws -> [Merged] {
        var merged: [Merged] = []
        let tasks = Dictionary(try ClusterTaskStore(database).all().map { ($0.run, $0) }, uniquingKeysWith: { $1 })
        for shard in shards {
            for (run, outcome) in try RunTransfer(into: database).merge(from: shard) {
                merged.append(Merged(shard: shard, run: run, outcome: outcome))
                if let task = tasks[run] { try ClusterTaskStore(database).noteMerge(of: task, outcome: outcome) }
            }
        }
        return merged
    }
}
