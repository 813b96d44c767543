import ArgumentParser
import Foundation
import GanReport
import GanStore

/// `ganpipe compare RUN RUN… [--html FILE] [--json]`: the configuration keys that differ,
/// final metrics and verdicts side by side; with `--html`, curves overlaid.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs: configuration keys that differ, final metrics and verdicts side by side; --html overlays their curves.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("Two or more run names or ids, or shell patterns of names ('quickstart/*').", valueName: "run"))
    var references: [String]
    @Option(name: .customLong("html"), help: ArgumentHelp("Also write a page with the curves overlaid.", valueName: "file.html"))
    var htmlPath: String?
    @Flag(help: "One line per configuration: runs that differ only in their seed are grouped, each group drawn as its mean with a band from its lowest to its highest run, and tabled as mean ± standard deviation.")
    var overSeeds = false
    @Option(help: ArgumentHelp("Group runs by the values of these configuration keys instead (comma-separated, e.g. objective,clip).", valueName: "keys"))
    var groupBy: String?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if overSeeds && groupBy != nil { throw ValidationError("give either --over-seeds or --group-by, not both") }
    }

    func run() throws {
        let opened = try database.openForReading()
        defer { try? opened.close() }
        let runs = try RunStore(opened).select(references).map(\.name)
        guard runs.count >= 2 else {
            throw CommandError("compare needs at least two runs (got \(runs.count): \(runs.joined(separator: ", "))); name more runs or a pattern such as 'quickstart/*'")
        }
        let data = try runs.map { try RunData.load($0, from: opened) }
        let grouping: RunGroups.Grouping? = overSeeds ? .overSeeds
            : groupBy.map { .keys($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }) }
        if case .keys(let keys)? = grouping {
            let known = Set(data.flatMap { $0.configuration.values.keys })
            if let unknown = keys.first(where: { !known.contains($0) }) {
                throw CommandError("--group-by: no run has the configuration key '\(unknown)'; the keys are those of `ganpipe show RUN` (config), e.g. objective, clip, learning_rate")
            }
        }
        let comparison = try grouping.map { try RunComparison(data, grouping: $0) } ?? RunComparison(data)
        if let htmlPath {
            let html = try ComparisonPage(comparison).html()
            try writeOutput(Data(html.utf8), to: htmlPath, option: "--html")
            if !json { print("wrote \(htmlPath)\n") }
        }
        if json {
            try printJSON(comparison)
        } else {
            print(comparison.text())
        }
    }
}
