import Foundation
import Testing

/// Runs the real `ganpipe` binary built beside the test bundle, as a user would.
public struct GanPipeProcess {
    public struct Outcome: CustomStringConvertible {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String

        public var stderrLines: [Substring] {
            standardError.split(separator: "\n", omittingEmptySubsequences: true)
        }

        public var description: String {
            "exit \(status)\nstdout: \(standardOutput)\nstderr: \(standardError)"
        }
    }

    /// The `ganpipe` executable in the build folder that holds the running tests.
    public static var executablePath: String {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = testBinary.deletingLastPathComponent()
        // The test binary may sit inside a `…PackageTests.xctest` bundle folder.
        while !folder.path.isEmpty, folder.path != "/" {
            let candidate = folder.appendingPathComponent("ganpipe").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        fatalError("no ganpipe executable beside \(testBinary.path); build the package before testing")
    }

    /// Runs `ganpipe arguments…` in `directory` with `environment` added to this process's
    /// environment (GANPIPE_DB removed unless given).
    @discardableResult
    /// Copies the ganpipe binary to `path`, to run from elsewhere. The copy is written by a
    /// child process (`cp`): written from here, its write descriptor would be open for a moment,
    /// a process another test forks meanwhile would inherit it, and executing the copy would fail
    /// with "Text file busy" for as long as that process lives.
    public static func copyExecutable(to path: String) throws {
        let copied = try run([executablePath, path], executable: "/bin/cp")
        guard copied.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cp failed: \(copied)"]) }
    }

    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
                           executable: String = executablePath) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "GANPIPE_DB")
        merged.merge(environment) { _, new in new }
        process.environment = merged
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let errorData = UnsafeSendableBox<Data>()
        let reader = Thread { errorData.value = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // Standard error stays open while a process that inherited it runs: wait a bounded time.
        if !waitUntil(timeout: .seconds(60), { errorData.value != nil }) {
            Issue.record("\(arguments): standard error still open 60 s after the command exited: a process that inherited it still runs")
        }
        return Outcome(status: process.terminationStatus,
                       standardOutput: String(decoding: outputData, as: UTF8.self),
                       standardError: String(decoding: errorData.value ?? Data(), as: UTF8.self))
    }
}

/// A value handed from a reader thread to the waiting test.
final class UnsafeSendableBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?

    var value: Value? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
