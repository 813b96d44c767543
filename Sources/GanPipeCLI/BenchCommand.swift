import ArgumentParser

/// `ganpipe bench …`: benchmarks that print their figures (time goals live here, not in tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure ganpipe's speed on this machine (build with -c release first).",
        subcommands: []
    )
}
