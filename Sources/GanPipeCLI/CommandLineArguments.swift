import ArgumentParser
import GanStore

/// The command line as a user types it, made into what the parser takes: `--db PATH` given
/// before the command (`ganpipe --db X runs`) moves after it, where every command declares it;
/// an unknown command is found before parsing, with the nearest known name.
struct CommandLineArguments {
    /// The arguments to parse.
    let normalized: [String]
    /// The command names that lead the line (`data`, `import`), as far as they are known.
    let commandPath: [String]
    /// The first word where a command name was expected that is none, with no command before it.
    let unknownCommand: String?
    /// The known command nearest to `unknownCommand` (at most two edits away, or its prefix).
    let suggestion: String?

    init(_ arguments: [String]) {
        var rest = arguments
        // Leading `--db PATH` / `--db=PATH`, before any command name.
        var database: [String] = []
        if let first = rest.first {
            if first == "--db", rest.count >= 2 {
                database = Array(rest.prefix(2))
                rest.removeFirst(2)
            } else if first.hasPrefix("--db=") {
                database = [first]
                rest.removeFirst()
            }
        }
        var path: [String] = []
        var subcommands: [ParsableCommand.Type] = GanPipe.configuration.subcommands
        var index = 0
        while index < rest.count, let next = subcommands.first(where: { Self.name(of: $0) == rest[index] }) {
            path.append(rest[index])
            subcommands = next.configuration.subcommands
            index += 1
        }
        commandPath = path
        // `help` is argument-parser's own command (`ganpipe help train`).
        let names = GanPipe.configuration.subcommands.map { Self.name(of: $0) } + ["help"]
        if path.isEmpty, let word = rest.first, !word.hasPrefix("-"), !names.contains(word) {
            unknownCommand = word
            suggestion = EditDistance.nearest(to: word, among: names).first
        } else {
            unknownCommand = nil
            suggestion = nil
        }
        var normalized = rest
        if !database.isEmpty {
            let end = normalized.firstIndex(of: "--") ?? normalized.endIndex
            normalized.insert(contentsOf: database, at: max(index, min(end, normalized.endIndex)))
        }
        self.normalized = normalized
    }

    /// The name a command is typed by.
    static func name(of command: ParsableCommand.Type) -> String {
        command.configuration.commandName ?? command._commandName
    }
}
