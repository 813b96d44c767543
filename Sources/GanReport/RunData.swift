import Foundation
import GanStore
import GRDB

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
    public var runId: Int64 { run.id ?? -1 }

    /// About this many buckets per key: plenty for a plot 600–900 pixels wide.
    public static let defaultTargetPoints = 500

    public static func load(_ reference: String, from database: GanDatabase,
                            targetPoints: Int = defaultTargetPoints) throws -> RunData {
        let run = try RunStore(database).find(reference)
        let id = run.id ?? -1
        return try database.reader.read { db in
            let maxStep = try Int.fetchOne(db, sql: "SELECT max(step) FROM metrics WHERE run_id = ?", arguments: [id]) ?? 0
            let bucketSize = max(1, Int((Double(maxStep) / Double(max(1, targetPoints))).rounded(.up)))
            let dataset = try run.datasetId.flatMap { try DatasetRecord.fetchOne(db, key: $0) }
            return RunData(
                database: database, run: run, configuration: RunConfiguration(json: run.configJson), dataset: dataset,
                series: try MetricSeries.load(runId: id, bucketSize: bucketSize, in: db), bucketSize: bucketSize,
                events: try EventRecord.filter(Column("run_id") == id).order(Column("step"), Column("id")).fetchAll(db),
                evaluations: try EvaluationRecord.filter(Column("run_id") == id).order(Column("metric"), Column("step")).fetchAll(db),
                checkpointSteps: try Int.fetchAll(db, sql: "SELECT step FROM checkpoints WHERE run_id = ? AND complete = 1 ORDER BY step", arguments: [id]))
        }
    }

    /// The per-layer series of one network and quantity, ordered from the input.
    public func layerSeries(_ quantity: LayerKey.Quantity, network: String) -> [(layer: LayerKey, series: MetricSeries)] {
        series.compactMap { key, value -> (LayerKey, MetricSeries)? in
            guard let layer = LayerKey(key), layer.quantity == quantity, layer.network == network else { return nil }
            return (layer, value)
        }.sorted { $0.0 < $1.0 }
    }

    /// Exact values (not downsampled) of every key starting with `prefix` at `step`.
    public func values(prefix: String, at step: Int) throws -> [String: Double?] {
        try database.reader.read { db in
            var result: [String: Double?] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM metrics WHERE run_id = ? AND step = ? AND key >= ? AND key < ?",
                                        arguments: [runId, step, prefix, prefix + "\u{10FFFF}"]) {
                result[row[0]] = row[1] as Double?
            }
            return result
        }
    }

    /// Recorded steps of `key` nearest each of `targets` (no duplicates, ascending).
    public func recordedSteps(of key: String, near targets: [Int]) throws -> [Int] {
        try database.reader.read { db in
            var found = Set<Int>()
            for target in targets {
                let after = try Int.fetchOne(db, sql: "SELECT min(step) FROM metrics WHERE run_id = ? AND key = ? AND step >= ?", arguments: [runId, key, target])
                let before = try Int.fetchOne(db, sql: "SELECT max(step) FROM metrics WHERE run_id = ? AND key = ? AND step <= ?", arguments: [runId, key, target])
                let candidates = [after, before].compactMap { $0 }
                if let best = candidates.min(by: { abs($0 - target) < abs($1 - target) }) { found.insert(best) }
            }
            return found.sorted()
        }
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
    public var sampleShape: [Int]? {
        (datasetMetadata?["sample_shape"] as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue }
    }

    var datasetMetadata: [String: Any]? {
        guard let text = dataset?.metadataJson else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }
}
