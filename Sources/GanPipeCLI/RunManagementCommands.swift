import ArgumentParser
import Foundation
import GanStore

// Each command decides its refusals on a read-only connection (`DatabaseOptions.reading`), so
// a refused command leaves the files as they were, and then makes its change in one
// transaction that checks again (`RunStore+Management`).

/// `ganpipe delete RUN…`: runs and everything recorded for them, in one transaction.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete runs with their checkpoints, metrics, events and evaluations, in one transaction.",
        discussion: "A run some process is training is refused (nothing is deleted). The file does not shrink by itself: `ganpipe db vacuum` gives the space back.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("Run names or ids, or shell patterns of names ('scratch/*').", valueName: "run"))
    var references: [String]
    @Flag(help: "Only list what would be deleted.") var dryRun = false
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let runs = try database.reading { opened in
            let store = RunStore(opened)
            let runs = try store.select(references)
            try store.checkUnheld(runs)
            return runs
        }
        if dryRun {
            if json { try printJSON(["would_delete": runs.map(\.name)]) } else { runs.forEach { print("would delete \($0.name)") } }
            return
        }
        let deletion = try database.writing { try RunStore($0).delete(runs) }
        if json { try printJSON(deletion); return }
        print("deleted \(deletion.runs.count) run\(deletion.runs.count == 1 ? "" : "s") (\(deletion.checkpoints) checkpoints, "
              + "\(deletion.metricRows) metric rows, \(deletion.events) events, \(deletion.evaluations) evaluations): "
              + deletion.runs.joined(separator: ", "))
    }
}

/// `ganpipe rename RUN NEW-NAME`.
struct RenameCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rename",
        abstract: "Give a run another name.",
        discussion: "A pipeline finds its runs by name: a renamed pipeline run is trained again by the next `ganpipe run` of that pipeline.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("The run's name or id.", valueName: "run")) var reference: String
    @Argument(help: ArgumentHelp("Its new name: one line, at most 200 characters, not all digits, no * ? [.", valueName: "new-name"))
    var newName: String

    func run() throws {
        let run = try database.reading { opened in
            let store = RunStore(opened)
            let run = try store.find(reference)
            try store.checkRename(run, to: newName)
            return run
        }
        try database.writing { try RunStore($0).rename(run, to: newName) }
        print("renamed \(run.name) to \(newName)")
    }
}

/// `ganpipe tag RUN TAG… [--remove]`.
struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Add tags to runs (or remove them with --remove); `ganpipe runs --tag T` lists the runs tagged T.",
        discussion: "A tag is 1 to 64 letters, digits and - _ . : = + /. Tags live in the table run_tags, for SQL too.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("A run name or id, or a shell pattern of names ('nightly/*').", valueName: "run")) var reference: String
    @Argument(help: ArgumentHelp("The tags.", valueName: "tag")) var tags: [String]
    @Flag(help: "Remove the tags instead.") var remove = false

    func validate() throws {
        guard !tags.isEmpty else { throw ValidationError("name at least one tag after the run") }
    }

    func run() throws {
        let runs = try database.reading { opened in
            for tag in tags { if let problem = RunStore.tagProblem(tag) { throw StoreError.invalidTag(tag, problem: problem) } }
            return try RunStore(opened).select([reference])
        }
        let changed = try database.writing { try RunStore($0).tag(runs, tags, remove: remove) }
        print("\(remove ? "removed" : "added") \(changed) tag\(changed == 1 ? "" : "s") \(remove ? "from" : "to") \(runs.count) run\(runs.count == 1 ? "" : "s")")
    }
}

/// `ganpipe note RUN [TEXT | --clear]`.
struct NoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "note",
        abstract: "Print a run's note, set it (replacing the old one), or remove it with --clear.",
        discussion: "The note is shown by `ganpipe show` and stored in runs.note.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("A run name or id, or a shell pattern of names.", valueName: "run")) var reference: String
    @Argument(help: ArgumentHelp("The note (quote it); without it the note is printed.", valueName: "text")) var text: String?
    @Flag(help: "Remove the note.") var clear = false

    func validate() throws {
        if clear && text != nil { throw ValidationError("give either a note or --clear, not both") }
    }

    func run() throws {
        let (runs, notes) = try database.reading { opened in
            if let text, let problem = RunStore.noteProblem(text) { throw StoreError.invalidNote(problem) }
            let store = RunStore(opened)
            let runs = try store.select([reference])
            return (runs, try runs.map { try store.summary(of: $0).note })
        }
        guard clear || text != nil else {
            for (run, note) in zip(runs, notes) { print(runs.count == 1 ? (note ?? "(no note)") : "\(run.name): \(note ?? "(no note)")") }
            return
        }
        try database.writing { try RunStore($0).setNote(text, on: runs) }
        print("\(clear ? "removed the note of" : "noted") \(runs.count == 1 ? runs[0].name : "\(runs.count) runs")")
    }
}
