import Foundation

/// Everything that can go wrong between ganpipe and its database, each with a one-line message
/// that names the problem and the fix.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyPath
    case isDirectory(path: String)
    case missingDirectory(path: String)
    case missingDatabase(path: String)
    case notReadable(path: String)
    case notWritable(path: String, reason: String)
    case diskFull(path: String)
    case notADatabase(path: String)
    case foreignDatabase(path: String)
    case damaged(path: String, detail: String)
    case schemaTooNew(path: String, databaseVersion: Int, binaryVersion: Int)
    case schemaTooOld(path: String, databaseVersion: Int, binaryVersion: Int)
    case migrationEdited(path: String, name: String)
    case migrationRenamed(path: String, version: Int, recorded: String, embedded: String)
    /// A run reference that names no run, with the run names it may have meant.
    case unknownRun(String, nearest: [String] = [])
    case duplicateRun(String)
    case noMatchingRun(pattern: String)
    case invalidRunName(String, problem: String)
    case nameTaken(String)
    case invalidTag(String, problem: String)
    case invalidNote(String)
    case runBusy(name: String, owner: String, heartbeat: String)
    case runChangedMeanwhile(name: String)
    case unknownDataset(String, nearest: [String] = [])
    case corruptBlob(String)
    case noCheckpoint(run: String)
    case destinationExists(path: String)
    case writingQuery(String)
    case sqlite(String)
    /// `ganpipe merge`: a run or dataset of a shard that differs from the one of the same name.
    case mergeConflict(shard: String, detail: String)
    /// A stored result of the same name holds another configuration.
    case resultConflict(run: String)

    public var description: String {
        switch self {
        case .emptyPath:
            return "the database path is empty; pass --db PATH or set GANPIPE_DB"
        case .isDirectory(let path):
            return "\(path) is a directory, not a database file; pass a file path such as --db \(path.hasSuffix("/") ? path : path + "/")ganpipe.sqlite"
        case .missingDirectory(let path):
            return "the folder of \(path) does not exist; create it first or pass another --db path"
        case .missingDatabase(let path):
            return "no database at \(path); create one with `ganpipe db init --db \(path)` or pass another --db path"
        case .notReadable(let path):
            return "cannot read \(path): permission denied; fix its permissions or pass another --db path"
        case .notWritable(let path, let reason):
            return "cannot write the database at \(path) (\(reason)); pass a writable --db path or fix the permissions of the file and its folder"
        case .diskFull(let path):
            return "the disk holding \(path) is full; everything committed before is kept — free some space, then continue with `ganpipe resume RUN` or run the pipeline again"
        case .notADatabase(let path):
            return "\(path) is not an SQLite database; pass the path of a ganpipe database or a new file with --db"
        case .foreignDatabase(let path):
            return "\(path) is an SQLite database but not a ganpipe database; pass a ganpipe database or a new file with --db"
        case .damaged(let path, let detail):
            return "\(path) is damaged (\(Self.oneLine(detail))); check it with `ganpipe db check --full --db \(path)` and restore it from a backup"
        case .schemaTooNew(let path, let databaseVersion, let binaryVersion):
            return "\(path) has schema version \(databaseVersion), newer than this ganpipe knows (\(binaryVersion)); use a newer ganpipe binary (the database was left untouched)"
        case .schemaTooOld(let path, let databaseVersion, let binaryVersion):
            return "\(path) has schema version \(databaseVersion) and this ganpipe needs \(binaryVersion); upgrade it with `ganpipe db init --db \(path)`"
        case .migrationEdited(let path, let name):
            return "migration \(name).sql was edited after it was applied to \(path); restore the original text of migrations/\(name).sql and add changes as a new migration"
        case .migrationRenamed(let path, let version, let recorded, let embedded):
            return "migration \(version) of \(path) was applied as \(recorded) but this ganpipe calls it \(embedded); migrations must never be renamed once they have landed"
        case .unknownRun(let reference, let nearest):
            return "no run named or numbered '\(reference)'\(Self.guess(nearest)); list the runs with `ganpipe runs`"
        case .duplicateRun(let name):
            return "a run named '\(name)' already exists; choose another --name, or continue it with `ganpipe resume \(name)`"
        case .noMatchingRun(let pattern):
            return "no run name matches '\(pattern)'; list the runs with `ganpipe runs`"
        case .invalidRunName(let name, let problem):
            return "'\(name)' cannot name a run: \(problem); choose another name"
        case .nameTaken(let name):
            return "a run named '\(name)' already exists; choose another name, or rename or delete that run first"
        case .invalidTag(let tag, let problem):
            return "'\(tag)' cannot be a tag: \(problem); for longer text use `ganpipe note`"
        case .invalidNote(let problem):
            return "\(problem); shorten it, or remove the note with --clear"
        case .runBusy(let name, let owner, let heartbeat):
            return "run '\(name)' is being trained by process \(owner) (heartbeat \(heartbeat)); wait for it to finish or stop that process"
        case .runChangedMeanwhile(let name):
            return "run '\(name)' was trained by another process while this one prepared; see where it is with `ganpipe show \(name)`"
        case .unknownDataset(let name, let nearest):
            return "no dataset named '\(name)'\(Self.guess(nearest)); list the datasets with `ganpipe data list` or create one with `ganpipe data generate`"
        case .corruptBlob(let what):
            return "\(what) is corrupt; it was not used — restore the database from a backup or regenerate it"
        case .noCheckpoint(let run):
            return "run '\(run)' has no complete checkpoint to continue from; start it again with `ganpipe train`"
        case .destinationExists(let path):
            return "\(path) already exists; choose another file or pass --force to replace it"
        case .writingQuery(let sql):
            return "`ganpipe sql` runs read-only queries and this statement would write: \(Self.oneLine(sql)); use SELECT, or the ganpipe command that makes the change"
        case .sqlite(let message):
            return Self.oneLine(message)
        case .mergeConflict(let shard, let detail):
            return "cannot merge \(shard): \(detail); nothing was merged from it"
        case .resultConflict(let run):
            return "run \(TerminalText.safe(run)) exists with another configuration; delete it (`ganpipe delete`) to compute it again, or change the experiment's name"
        }
    }

    /// Folds whitespace runs (including newlines in SQL text) so a message stays on one line.
    public static func oneLine(_ text: String) -> String {
        TerminalText.safe(text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " "))
    }

    /// " (did you mean 'a' or 'b'?)", or nothing.
    static func guess(_ names: [String]) -> String {
        names.isEmpty ? "" : " (did you mean " + names.map { "'\($0)'" }.joined(separator: " or ") + "?)"
    }
}
