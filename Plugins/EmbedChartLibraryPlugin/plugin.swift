import Foundation
import PackagePlugin

/// Compiles Debian's dygraphs into the target (see Sources/EmbedChartLibrary), so the pages
/// ganpipe writes stay self-contained.
@main
struct EmbedChartLibraryPlugin: BuildToolPlugin {
    static let directory = URL(fileURLWithPath: "/usr/share/javascript/dygraphs")

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let files = ["dygraph.min.js", "dygraph.min.css"].map { Self.directory.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "ChartLibrary.swift")
        return [
            .buildCommand(
                displayName: "Embedding dygraphs from \(Self.directory.path)",
                executable: try context.tool(named: "EmbedChartLibrary").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            ),
        ]
    }
}
