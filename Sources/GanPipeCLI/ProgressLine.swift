import Foundation

/// A progress line on standard error, only when it is a terminal (`isatty(2)`): redrawn in
/// place at most ten times a second and erased when done. Silent in pipes, files and tests.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(enabled: Bool = isatty(2) != 0) {
        self.enabled = enabled
    }

    func update(_ phase: String, _ fraction: Double) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || fraction >= 1 else { return }
        lastDraw = now
        drawn = true
        let percent = Int((max(0, min(1, fraction)) * 100).rounded())
        FileHandle.standardError.write(Data("\r\u{1B}[Kganpipe: \(phase) \(percent)%".utf8))
    }

    func finish() {
        guard enabled, drawn else { return }
        drawn = false
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
