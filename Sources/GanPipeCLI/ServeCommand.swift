import ArgumentParser
import Foundation
import GanServe
import GanStore
import Synchronization

/// `ganpipe serve`: the runs page, run pages and comparisons in a browser, redrawn as runs train.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the runs, run reports and comparisons over HTTP, read-only, updating live while runs train.",
        discussion: """
        Pages: / (runs, with filters), /runs/ID, /compare?run=A&run=B (or ?run=nightly/*&over-seeds). Each is the page \
        `report` or `compare` writes, plus a small script that redraws it when the database changes and lists new \
        warning and error events at the top. The database is opened read-only for every request. Stop with Ctrl-C.
        """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The address to listen on. The default serves this machine only; 0.0.0.0 lets every machine that reaches this one read the database.")
    var host = "127.0.0.1"
    @Option(help: "The port (0: any free one; the address is printed).") var port = 8080
    @Option(help: ArgumentHelp("How often a page checks for changes.", valueName: "milliseconds")) var poll = 2000

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535 (got \(port))") }
        guard (100...600_000).contains(poll) else { throw ValidationError("--poll must be 100…600000 milliseconds (got \(poll))") }
    }

    func run() throws {
        try database.openForReading().close()
        let server = LiveServer(databasePath: database.resolvedPath, host: host, port: port, pollMilliseconds: poll)
        let finished = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        let path = database.resolvedPath
        Task {
            do {
                try await server.run { address in
                    FileHandle.standardOutput.write(Data("serving \(path) at \(address) (read-only; Ctrl-C stops)\n".utf8))
                }
            } catch {
                failure.withLock { $0 = error }
            }
            finished.signal()
        }
        finished.wait()
        if let error = failure.withLock({ $0 }) {
            let text = "\(error)"
            if text.contains("Address already in use") {
                throw CommandError("port \(port) on \(host) is in use; pass another --port, or --port 0 for any free one")
            }
            throw CommandError("cannot serve on \(host):\(port): \(text)")
        }
    }
}
