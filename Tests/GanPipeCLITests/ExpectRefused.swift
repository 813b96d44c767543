import Foundation
import GanTestSupport
import Testing

/// Runs `ganpipe arguments…` in `folder` and expects a refusal as users must see it: a non-zero
/// exit, exactly one line on standard error starting `ganpipe: error:` and naming `words`, no
/// crash report, and every file in the folder exactly as it was.
func expectRefused(_ arguments: [String], in folder: TemporaryDirectory, mentioning words: [String],
                   sourceLocation: SourceLocation = #_sourceLocation) throws {
    let before = FileSnapshot(folder: folder.path)
    let outcome = try GanPipeProcess.run(arguments, in: folder.path)
    #expect(outcome.status != 0, "\(arguments) succeeded", sourceLocation: sourceLocation)
    #expect(outcome.stderrLines.count == 1, "\(arguments): \(outcome)", sourceLocation: sourceLocation)
    #expect(outcome.standardError.hasPrefix("ganpipe: error: "), "\(outcome)", sourceLocation: sourceLocation)
    for word in words {
        #expect(outcome.standardError.contains(word), "\(arguments): '\(word)' missing in \(outcome.standardError)", sourceLocation: sourceLocation)
    }
    for forbidden in ["Fatal error", "Stack dump", "backtrace", "0x0000"] {
        #expect(!outcome.standardError.contains(forbidden), sourceLocation: sourceLocation)
    }
    #expect(FileSnapshot(folder: folder.path) == before, "\(arguments) changed files", sourceLocation: sourceLocation)
}
