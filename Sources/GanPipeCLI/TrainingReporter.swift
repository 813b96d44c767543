import ArgumentParser
import Foundation
import GanStore
import GanTrainer
import Synchronization

/// Shows training progress — a rewritten status line on a terminal, a plain line every 10% of
/// the steps otherwise — turns SIGINT, SIGTERM and SIGHUP into a clean stop (checkpoint, status
/// `interrupted`; a second SIGINT or SIGTERM exits at once), and prints the result.
final class TrainingReporter: @unchecked Sendable {
    let json: Bool
    /// False for pipeline workers: their parent shows the progress of every run.
    let showsProgress: Bool
    let isTerminal = isatty(STDERR_FILENO) == 1
    private let lastDraw = Mutex<Double>(0)
    private let signals: SignalCount

    init(json: Bool, showsProgress: Bool = true) {
        self.json = json
        self.showsProgress = showsProgress
        // SIGHUP (a closed terminal, or a pipeline worker's parent gone: the kernel may send it
        // once per thread of the dying parent) stops after a checkpoint and never escalates.
        signals = SignalCount([SIGINT, SIGTERM, SIGHUP]) { signalNumber, count in
            if count == 1 {
                FileHandle.standardError.write(Data("\nganpipe: stopping after this step (signal again to quit at once)\n".utf8))
            } else if signalNumber != SIGHUP {
                Foundation.exit(128 + signalNumber)
            }
        }
    }

    func hooks() -> TrainerStage.Hooks {
        TrainerStage.Hooks(progress: { [self] in show($0) }, shouldStop: { [self] in signals.count > 0 },
                           event: { [self] in warn($1, run: $0) })
    }

    /// Events shown as they happen; after this many, the rest only in the database.
    static let shownEvents = 10
    private let eventsShown = Mutex<Int>(0)

    /// One line on standard error for an event a step recorded (above the progress line on a
    /// terminal), the first `shownEvents` of a session; then one line saying where the rest are.
    func warn(_ event: RunJournal.Event, run: String) {
        guard showsProgress, !json else { return }
        let count = eventsShown.withLock { shown -> Int in shown += 1; return shown }
        guard count <= Self.shownEvents + 1 else { return }
        let text = count <= Self.shownEvents
            ? "ganpipe: \(event.severity.rawValue): step \(event.step.map(String.init) ?? "-"): \(event.kind): \(event.message)"
            : "ganpipe: more events follow; they are recorded with the run (`ganpipe show \(run)`)"
        FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + text + "\n").utf8))
    }

    func show(_ progress: TrainerStage.Progress) {
        guard showsProgress else { return }
        let elapsed = progress.elapsedSeconds
        let rate = elapsed > 0 ? Double(progress.stepsThisSession) / elapsed : 0
        let remaining = rate > 0 ? Double(progress.totalSteps - progress.step) / rate : 0
        let line = String(format: "%@  step %d/%d  %.1f steps/s  ETA %@  D %.4g  G %.4g", progress.runName,
                          progress.step, progress.totalSteps, rate, Self.duration(remaining),
                          progress.discriminatorLoss, progress.generatorLoss)
        let done = progress.step == progress.totalSteps
        if isTerminal {
            let due = lastDraw.withLock { last -> Bool in
                guard done || elapsed - last >= 0.1 else { return false }
                last = elapsed
                return true
            }
            if due { FileHandle.standardError.write(Data("\r\u{1B}[K\(line)\(done ? "\n" : "")".utf8)) }
        } else {
            let tenth = max(1, progress.totalSteps / 10)
            if progress.step % tenth == 0 || done { FileHandle.standardError.write(Data("\(line)\n".utf8)) }
        }
    }

    /// "recorded 18 warnings and 294 non-finite metric values", or nil for a run with neither.
    static func trouble(_ result: TrainerStage.Result) -> String? {
        var parts: [String] = []
        if result.warnings > 0 { parts.append("\(result.warnings) warning\(result.warnings == 1 ? "" : "s") (vanishing or exploding gradients)") }
        if result.nonFiniteMetricValues > 0 {
            parts.append("\(result.nonFiniteMetricValues) non-finite metric value\(result.nonFiniteMetricValues == 1 ? "" : "s")")
        }
        return parts.isEmpty ? nil : "recorded " + parts.joined(separator: " and ")
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        if total >= 3600 { return "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m" }
        if total >= 60 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total)s"
    }

    /// Prints the outcome and ends with the documented exit code.
    func finish(_ result: TrainerStage.Result) throws {
        if json {
            try printJSON(result)
        } else {
            let rate = result.seconds > 0 ? Double(result.step - result.startedAtStep) / result.seconds : 0
            print("run \(result.run): \(result.status.rawValue) at step \(result.step)/\(result.totalSteps) "
                  + String(format: "(%.1f s, %.1f steps/s, %.1f%% in the database)", result.seconds, rate,
                           result.seconds > 0 ? 100 * result.storeSeconds / result.seconds : 0))
            if let trouble = Self.trouble(result) {
                fflush(nil)
                FileHandle.standardError.write(Data("ganpipe: warning: run \(result.run) \(trouble); see `ganpipe diagnose \(result.run)`\n".utf8))
            }
        }
        switch result.status {
        case .failed:
            throw CommandError("run \(result.run) failed: \(result.error ?? "unknown error"); its last good checkpoint is kept (`ganpipe show \(result.run)`)")
        case .interrupted:
            throw ExitCode(130)
        default:
            return
        }
    }
}
