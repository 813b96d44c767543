import ArgumentParser
import Foundation
import GanReport
import GanStore

/// `ganpipe report RUN [--out FILE.html]`: one self-contained HTML page about a run (inline
/// SVG, no network, no JavaScript): losses, gradient heat maps, Figure 1b, ‖∇ₓD‖, events,
/// evaluations and samples.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML report of a run: losses, gradient heat maps, Figure 1b, events, evaluations, samples.",
        discussion: "Long runs are downsampled (about 500 points per curve, with min–max bands), so the page stays small and opens fast.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("The run's name or id.", valueName: "run")) var reference: String
    @Option(name: .customLong("out"), help: ArgumentHelp("Where to write the page (default: RUN-report.html).", valueName: "file.html"))
    var output: String?

    func run() throws {
        let opened = try database.openForReading()
        defer { try? opened.close() }
        let html = try RunReport(try RunData.load(reference, from: opened)).html()
        let run = try RunStore(opened).find(reference)
        let path = output ?? "\(fileName(forRun: run.name))-report.html"
        try writeOutput(Data(html.utf8), to: path, option: "--out")
        print("wrote \(path) (\(ByteCountFormatter.string(fromByteCount: Int64(html.utf8.count), countStyle: .file)))")
    }
}

/// A run's name as a file name in the current folder: run names are not paths (`a/b` → `a_b`);
/// anything but letters, digits and `._=-` becomes `_`, and a leading dot too.
func fileName(forRun name: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._=-")
    var result = String(name.map { allowed.contains($0) ? $0 : "_" })
    if result.hasPrefix(".") { result = "_" + result.dropFirst() }
    return result
}

/// Writes `data` to `path` atomically, with a one-line error naming `option` on failure.
func writeOutput(_ data: Data, to path: String, option: String) throws {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw CommandError("the folder of \(path) does not exist; create it first or pass another \(option) path")
    }
    if let problem = OutputTarget.problem(with: path) { throw CommandError("\(problem) to \(option)") }
    do {
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw CommandError("cannot write \(path) (\(error.localizedDescription)); pass a writable \(option) path")
    }
}
