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
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let opened = try database.openForReading()
        defer { try? opened.close() }
        let runs = try RunStore(opened).select(references).map(\.name)
        guard runs.count >= 2 else {
            throw CommandError("compare needs at least two runs (got \(runs.count): \(runs.joined(separator: ", "))); name more runs or a pattern such as 'quickstart/*'")
        }
        let comparison = try RunComparison(try runs.map { try RunData.load($0, from: opened) })
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
