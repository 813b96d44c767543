import ArgumentParser
import Foundation
import GanEvaluator
import GanLoader
import GanPipeline
import GanReport
import GanStore
import GanTensor
import GanTrainer

/// The `ganpipe` command: train GANs, WGANs and WGAN-GPs and see where their gradients vanish
/// or explode. Every command reads or writes one SQLite database (`--db`).
public struct GanPipe: ParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "ganpipe",
        abstract: "Train GANs and find where their gradients vanish or explode; everything lands in one SQLite database.",
        discussion: "Every command takes --db PATH (or GANPIPE_DB; default ./ganpipe.sqlite).",
        version: "ganpipe \(version) (schema \(SchemaMigrator().latestVersion))",
        subcommands: [DatabaseCommand.self, DataCommand.self, TrainCommand.self, ResumeCommand.self, RunCommand.self, WorkerCommand.self, EvalCommand.self, RunsCommand.self, MergeCommand.self, ShowCommand.self, DeleteCommand.self, RenameCommand.self, TagCommand.self, NoteCommand.self, ServeCommand.self, ReportCommand.self, CompareCommand.self, DiagnoseCommand.self, ExportCommand.self, SampleCommand.self, ScoreCommand.self, AugmentCommand.self, SQLCommand.self, BenchCommand.self]
    )

    public init() {}

    /// Parses `arguments` and runs the command. Failures print one line to standard error and
    /// exit non-zero (argument mistakes with 64, as argument-parser does); help and version print
    /// as argument-parser does.
    public static func run(arguments: [String]? = nil) {
        reportBLASLoading()
        let arguments = CommandLineArguments(arguments ?? Array(CommandLine.arguments.dropFirst()))
        if let unknown = arguments.unknownCommand {
            usageFailure("unknown command '\(unknown)'" + (arguments.suggestion.map { "; did you mean '\($0)'?" } ?? "")
                         + " (ganpipe --help lists the commands)")
        }
        var databasePath: String?
        do {
            var command = try parseAsRoot(arguments.normalized)
            databasePath = Mirror(reflecting: command).children.lazy
                .compactMap { ($0.value as? OptionGroup<DatabaseOptions>)?.wrappedValue.resolvedPath }.first
            try command.run()
        } catch {
            if let message = userMessage(for: error, databasePath: databasePath) { fail(message) }
            // Help, version and a command's own exit code pass through; parser mistakes become one line.
            guard exitCode(for: error) == .validationFailure, !(error is ExitCode) else { exit(withError: error) }
            let text = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            var line = text.hasPrefix("Error: ") ? String(text.dropFirst(7)) : text
            if let first = line.first, first.isUppercase, line.dropFirst().first?.isLowercase == true {
                line = first.lowercased() + line.dropFirst()
            }
            usageFailure(line
                         + "; see 'ganpipe \((arguments.commandPath + ["--help"]).joined(separator: " "))'")
        }
    }

    /// A mistake in the command line: one line, exit 64 (EX_USAGE, as argument-parser's).
    static func usageFailure(_ message: String) -> Never {
        FileHandle.standardError.write(Data("ganpipe: error: \(message)\n".utf8))
        Foundation.exit(64)
    }

    /// Set in the environment once the BLAS notice is printed, so that the worker processes of a
    /// pipeline (which inherit it) do not print it again.
    static let noticeShownVariable = "GANPIPE_BLAS_NOTICE_SHOWN"

    /// When a command first computes and OpenBLAS loads (see `BLAS`): says in one line on
    /// standard error where ganpipe replaced the generic kernel the library chose for this CPU,
    /// or ends the command with one line where the library cannot be loaded.
    static func reportBLASLoading() {
        BLAS.didLoad = { result in
            switch result {
            case .success(let runtime):
                if let notice = runtime.replacementNotice, getenv(noticeShownVariable) == nil {
                    FileHandle.standardError.write(Data("ganpipe: note: \(notice)\n".utf8))
                    setenv(noticeShownVariable, "1", 1)
                }
            case .failure(let error):
                fail(error.description)
            }
        }
    }

    /// The one-line message of a ganpipe error; nil for argument-parser's own errors and exits.
    /// An SQLite error met outside the store names the command's database (`databasePath`).
    static func userMessage(for error: any Error, databasePath: String? = nil) -> String? {
        if let error = StoreError(sqliteError: error, path: databasePath ?? DatabaseOptions.resolve(nil)) {
            return StoreError.oneLine(error.description)
        }
        let description: String
        switch error {
        case let error as StoreError: description = error.description
        case let error as LoaderError: description = error.description
        case let error as TrainerError: description = error.description
        case let error as EvaluatorError: description = error.description
        case let error as ReportError: description = error.description
        case let error as PipelineError: description = error.description
        case let error as SlurmError: description = error.description
        case let error as CommandError: description = error.description
        default: return nil
        }
        return StoreError.oneLine(description)
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("ganpipe: error: \(message)\n".utf8))
        Foundation.exit(1)
    }
}

/// A failure found by a command itself (not by the store), with the fix in the message.
public struct CommandError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
