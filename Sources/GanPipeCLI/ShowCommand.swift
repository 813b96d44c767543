import ArgumentParser
import Foundation
import GanModels
import GanSchema
import GanStore
import GanTensor

/// `ganpipe show RUN`: one run, its configuration and what it has recorded.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one run: status, configuration, checkpoints, events and latest metrics.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("The run's name or id.", valueName: "run")) var reference: String
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let opened = try database.openForReading()
        let store = RunStore(opened)
        let summary = try store.summary(of: try store.find(reference))
        let model = try Self.model(of: summary.run, in: opened)
        try opened.close()
        if json {
            try printJSON(SummaryView(summary: summary))
            return
        }
        let record = summary.run
        var lines = [
            "run \(record.name) (id \(record.id ?? 0))",
            "  status       \(record.status.rawValue)\(record.error.map { " — \($0)" } ?? "")",
            "  objective    \(record.objective)",
            "  dataset      \(summary.datasetName ?? record.datasetId.map { "#\($0) (deleted)" } ?? "none")",
            "  seed         \(record.seed)",
            "  step         \(record.currentStep) of \(record.totalSteps)",
            "  created      \(record.createdAt)",
        ]
        if let started = record.startedAt { lines.append("  started      \(started)") }
        if let finished = record.finishedAt { lines.append("  finished     \(finished)") }
        if let seconds = summary.trainingSeconds, let step = summary.timedStep {
            lines.append("  training     " + TrainingReporter.duration(seconds) + " to step \(step)"
                         + (seconds > 0 ? String(format: " (%.3g steps/s)", Double(step) / seconds) : ""))
        }
        if let heartbeat = record.heartbeatAt { lines.append("  heartbeat    \(heartbeat)\(record.owner.map { " by \($0)" } ?? "")") }
        if let pipeline = record.pipeline { lines.append("  pipeline     \(pipeline)") }
        if !summary.tags.isEmpty { lines.append("  tags         \(summary.tags.joined(separator: ", "))") }
        if let note = summary.note {
            lines.append("  note         " + note.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n               "))
        }
        if let machine = record.machineJson.flatMap(BLASRuntime.init(json:)) {
            for line in machine.summary { lines.append("  \(line.label.padding(toLength: 13, withPad: " ", startingAt: 0))\(line.text)") }
        }
        let checkpoints = summary.checkpointSteps
        lines.append("  checkpoints  \(checkpoints.count)\(checkpoints.last.map { " (latest at step \($0))" } ?? "")")
        lines.append("  metrics      \(summary.metricRows) rows over \(summary.metricKeys) keys")
        let events = summary.eventCounts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        lines.append("  events       \(events.isEmpty ? "none" : events.joined(separator: ", "))")
        lines.append("  evaluations  \(summary.evaluationRows) rows")
        lines.append("  config       \(record.configJson)")
        if let model {
            lines.append("  networks     G \(model.generator.summary) (\(model.generator.parameterCount) parameters); "
                         + "D \(model.discriminator.summary) (\(model.discriminator.parameterCount) parameters)")
        }
        if !summary.latestMetrics.isEmpty {
            lines.append("  latest metrics:")
            for (key, value) in summary.latestMetrics.sorted(by: { NaturalOrder.precedes($0.key, $1.key) }) {
                lines.append("    \(key)  \(value.map { String(format: "%.6g", $0) } ?? "non-finite")")
            }
        }
        print(TerminalText.safe(lines.joined(separator: "\n"), keepingNewlines: true))
    }
}

/// `show --json`: the run (configuration as an object) and its counts.
private struct SummaryView: Encodable {
    var summary: RunStore.Summary

    private enum CodingKeys: String, CodingKey {
        case run, datasetName, metricRows, metricKeys, checkpointSteps, eventCounts, evaluationRows, latestMetrics, trainingSeconds, timedStep
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(RunView(summary.run, tags: summary.tags, note: summary.note), forKey: .run)
        try container.encode(summary.datasetName, forKey: .datasetName)
        try container.encode(summary.metricRows, forKey: .metricRows)
        try container.encode(summary.metricKeys, forKey: .metricKeys)
        try container.encode(summary.checkpointSteps, forKey: .checkpointSteps)
        try container.encode(summary.eventCounts, forKey: .eventCounts)
        try container.encode(summary.evaluationRows, forKey: .evaluationRows)
        try container.encode(summary.latestMetrics, forKey: .latestMetrics)
        try container.encodeIfPresent(summary.trainingSeconds, forKey: .trainingSeconds)
        try container.encodeIfPresent(summary.timedStep, forKey: .timedStep)
    }
}

extension ShowCommand {
    /// The networks the run's latest checkpoint holds, from the description it carries (none
    /// for a run without checkpoints, or one whose checkpoints predate descriptions).
    static func model(of run: RunRecord, in database: GanDatabase) throws -> ModelDescription? {
        guard let checkpoint = try CheckpointStore(database).latestComplete(runId: run.id!),
              let blob = try CheckpointStore(database).blobs(of: checkpoint, only: ModelDescription.blobName)[ModelDescription.blobName] else { return nil }
        return try? ModelDescription.decode(blob.data)
    }
}
