import Foundation
import GanStore

/// Sweeps read as configurations, not runs: runs grouped by configuration keys and each group
/// drawn and tabled as one line — the mean over its members with a band from the lowest to the
/// highest member (`compare --over-seeds`, or `--group-by KEY,…`). A nightly sweep of twelve
/// settings × three seeds compares as twelve lines.
public enum RunGroups {
    /// How runs are grouped.
    public enum Grouping: Sendable, Equatable {
        /// Runs whose configurations differ in `seed` only are one group.
        case overSeeds
        /// Runs with equal values of these configuration keys are one group.
        case keys([String])
    }

    /// The groups of `data` in order of first appearance, each with a label naming what its
    /// members share (the keys that tell the groups apart) and how many there are.
    public static func group(_ data: [RunData], by grouping: Grouping) -> [(label: String, members: [RunData])] {
        let keys: [String]
        switch grouping {
        case .keys(let named): keys = named
        case .overSeeds:
            let all = Set(data.flatMap { $0.configuration.values.keys }).subtracting(["seed"])
            keys = all.filter { key in Set(data.map { $0.configuration.values[key] ?? "\u{0}" }).count > 1 }.sorted()
        }
        var order: [[String?]] = [], members: [[String?]: [RunData]] = [:]
        for run in data {
            let values = keys.map { run.configuration.values[$0] }
            if members[values] == nil { order.append(values) }
            members[values, default: []].append(run)
        }
        return order.map { values in
            let group = members[values]!
            var named = zip(keys, values).map { "\($0)=\($1 ?? "\u{2013}")" }.joined(separator: ", ")
            // Over seeds, the members' shared name without its seed reads better than every key
            // an objective changes (`nightly/toy/wgan-gp`, not `beta2=0.9, …, objective=wgan-gp`).
            if grouping == .overSeeds, let stem = seedless(group.map(\.run.name)) { named = stem }
            let label = (named.isEmpty ? "all runs" : named) + " (\(group.count) run\(group.count == 1 ? "" : "s"))"
            return (label, group)
        }
    }

    /// The one name `names` share once their seed is taken out (`…/seed=3`, `…-seed3`), or nil.
    static func seedless(_ names: [String]) -> String? {
        let stems = Set(names.map { name in
            name.replacingOccurrences(of: #"([/_-]?)seed=?\d+"#, with: "", options: .regularExpression)
        })
        guard stems.count == 1, let stem = stems.first, !stem.isEmpty else { return nil }
        return stem
    }

    /// One pseudo-run standing for `members`: every metric they all recorded as the mean over
    /// the members at each bucket, its band from the lowest to the highest member; evaluations
    /// averaged per checkpoint and metric over the members that have them (NULL when none had a
    /// finite value); the configuration keys all members share. Named `label`.
    public static func aggregate(_ members: [RunData], label: String) -> RunData {
        var pseudo = members[0]
        pseudo.run.name = label
        pseudo.run.currentStep = members.map(\.run.currentStep).min() ?? 0
        let shared = members[0].configuration.values.filter { key, value in members.allSatisfy { $0.configuration.values[key] == value } }
        if var object = (try? JSONSerialization.jsonObject(with: Data(members[0].run.configJson.utf8))) as? [String: Any] {
            object = object.filter { shared[$0.key] != nil }
            if let json = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                pseudo.run.configJson = String(decoding: json, as: UTF8.self)
                pseudo.configuration = RunConfiguration(json: pseudo.run.configJson)
            }
        }
        var series: [String: MetricSeries] = [:]
        for key in members[0].series.keys where members.allSatisfy({ $0.series[key] != nil }) {
            series[key] = MetricSeries(key: key, points: aggregatePoints(members.map { $0.series[key]!.points }))
        }
        pseudo.series = series
        var evaluations: [EvaluationRecord] = []
        let cells = Set(members.flatMap { $0.evaluations.map { Cell(step: $0.step, metric: $0.metric) } })
        for cell in cells.sorted(by: { ($0.step, $0.metric) < ($1.step, $1.metric) }) {
            let records = members.compactMap { $0.evaluations.first { $0.step == cell.step && $0.metric == cell.metric } }
            let finite = records.compactMap(\.value).filter(\.isFinite)
            var record = records[0]
            record.value = finite.isEmpty ? nil : finite.reduce(0, +) / Double(finite.count)
            evaluations.append(record)
        }
        pseudo.evaluations = evaluations
        pseudo.events = members.flatMap(\.events)
        pseudo.stepTimes = []
        return pseudo
    }

    private struct Cell: Hashable { var step: Int, metric: String }

    /// Buckets at the same steps across members (the same sweep settings give the same
    /// buckets; otherwise only the steps every member has): mean of the members' means, band
    /// from their lowest to their highest mean, non-finite counts summed.
    static func aggregatePoints(_ runs: [[MetricBucket]]) -> [MetricBucket] {
        let bySteps = runs.map { points in Dictionary(points.map { (Pair(first: $0.firstStep, last: $0.lastStep), $0) }, uniquingKeysWith: { a, _ in a }) }
        let common = runs[0].map { Pair(first: $0.firstStep, last: $0.lastStep) }.filter { pair in bySteps.allSatisfy { $0[pair] != nil } }
        return common.map { pair in
            let buckets = bySteps.map { $0[pair]! }
            let means = buckets.compactMap(\.mean)
            return MetricBucket(firstStep: pair.first, lastStep: pair.last,
                                mean: means.isEmpty ? nil : means.reduce(0, +) / Double(means.count),
                                minimum: means.min(), maximum: means.max(), count: buckets.count,
                                nonFiniteCount: buckets.reduce(0) { $0 + $1.nonFiniteCount },
                                zeroCount: means.filter { $0 == 0 }.count)
        }
    }

    private struct Pair: Hashable { var first: Int, last: Int }

    /// "mean ± standard deviation" of the members' values (sample deviation; the mean alone
    /// for one value), "non-finite" when none is finite.
    public static func spread(_ values: [Double?]) -> String {
        let finite = values.compactMap { $0 }.filter(\.isFinite)
        guard !finite.isEmpty else { return SVG.number(nil) }
        let mean = finite.reduce(0, +) / Double(finite.count)
        guard finite.count > 1 else { return SVG.number(mean) }
        let deviation = (finite.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(finite.count - 1)).squareRoot()
        let missing = values.count - finite.count
        return "\(SVG.number(mean)) \u{b1} \(SVG.number(deviation))" + (missing > 0 ? " (\(missing) non-finite)" : "")
    }
}
