import Foundation
import GanSchema
import GanStore

/// Everything the read-only views need about one run, read in one pass from the store:
/// the row, its configuration and dataset, every metric series (downsampled to at most about
/// `targetPoints` buckets per key), events, evaluations and checkpoint steps.
public struct RunData: Sendable {
    public var database: GanDatabase
    public var run: RunRecord
    public var configuration: RunConfiguration
    public var dataset: DatasetRecord?
    public var series: [String: MetricSeries]
    /// Steps per bucket of `series` (1: not downsampled).
    public var bucketSize: Int
    public var events: [EventRecord]
    public var evaluations: [EvaluationRecord]
    public var checkpointSteps: [Int]
    /// Seconds of training at each timed step (`step_times`), ascending.
    public var stepTimes: [(step: Int, elapsedSeconds: Double)] = []
    public var runId: Int64 { run.id ?? -1 }

    /// About this many buckets per key: plenty for a plot 600–900 pixels wide.
    public static let defaultTargetPoints = 500

    public static func load(_ reference: String, from database: GanDatabase,
                            targetPoints: Int = defaultTargetPoints) throws -> RunData {
        let store = RunStore(database)
        let run = try store.find(reference)
        let contents = try store.contents(of: run, bucketsPerKey: targetPoints)
        return RunData(
            database: database, run: run, configuration: RunConfiguration(json: run.configJson), dataset: contents.dataset,
            series: Dictionary(uniqueKeysWithValues: contents.series.map { ($0.key, MetricSeries(key: $0.key, points: $0.value)) }),
            bucketSize: contents.bucketSize, events: contents.events, evaluations: contents.evaluations,
            checkpointSteps: contents.checkpointSteps, stepTimes: contents.stepTimes)
    }

    /// The per-layer series of one network and quantity, ordered from the input.
    public func layerSeries(_ quantity: LayerKey.Quantity, network: String) -> [(layer: LayerKey, series: MetricSeries)] {
        series.compactMap { key, value -> (LayerKey, MetricSeries)? in
            guard let layer = LayerKey(key), layer.quantity == quantity, layer.network == network else { return nil }
            return (layer, value)
        }.sorted { $0.0 < $1.0 }
    }

    /// Training speed between consecutive timed steps: (step, steps per second), skipping
    /// the first interval of each session (it includes start-up) and intervals without time.
    public var throughput: [(step: Int, stepsPerSecond: Double)] {
        zip(stepTimes, stepTimes.dropFirst()).compactMap { earlier, later in
            let seconds = later.elapsedSeconds - earlier.elapsedSeconds
            return seconds > 0 ? (later.step, Double(later.step - earlier.step) / seconds) : nil
        }
    }

    /// The networks' description stored with the latest complete checkpoint (nil for a run
    /// without one, or checkpoints written before descriptions were stored).
    public func model() throws -> ModelDescription? {
        let store = CheckpointStore(database)
        guard let checkpoint = try store.latestComplete(runId: runId),
              let blob = try store.blobs(of: checkpoint, only: ModelDescription.blobName)[ModelDescription.blobName] else { return nil }
        return try? ModelDescription.decode(blob.data)
    }

    /// Exact values (not downsampled) of every key starting with `prefix` at `step`.
    public func values(prefix: String, at step: Int) throws -> [String: Double?] {
        try MetricStore(database).values(runId: runId, keyPrefix: prefix, step: step)
    }

    /// Recorded steps of `key` nearest each of `targets` (no duplicates, ascending).
    public func recordedSteps(of key: String, near targets: [Int]) throws -> [Int] {
        try MetricStore(database).nearestSteps(runId: runId, key: key, to: targets)
    }

    /// Evaluation values grouped by metric name, each ascending by step.
    public var evaluationSeries: [String: [(step: Int, value: Double?)]] {
        Dictionary(grouping: evaluations, by: \.metric).mapValues { records in
            records.sorted { $0.step < $1.step }.map { ($0.step, $0.value) }
        }
    }

    /// Mode centres and their standard deviation from the dataset's metadata, if it has modes.
    public var datasetModes: (centres: [[Double]], standardDeviation: Double?)? {
        guard let metadata = datasetMetadata, let modes = metadata["modes"] as? [[Any]] else { return nil }
        let centres = modes.map { $0.compactMap { ($0 as? NSNumber)?.doubleValue } }
        return (centres, (metadata["mode_std"] as? NSNumber)?.doubleValue)
    }

    /// The dataset's `sample_shape` (e.g. `[28, 28]`), if recorded.
    public var sampleShape: [Int]? { dataset?.sampleShape }

    var datasetMetadata: [String: Any]? {
        guard let text = dataset?.metadataJson else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }
}
