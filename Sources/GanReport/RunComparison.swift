import Foundation
import GanSchema
import GanStore

/// `ganpipe compare`: several runs side by side — the configuration keys whose values differ,
/// the last recorded value of every run-level metric, the last evaluation, and each run's
/// verdict — and, as HTML, their curves overlaid.
public struct RunComparison: Encodable {
    public struct Column: Encodable {
        public var name: String
        public var objective: String
        public var status: String
        public var step: Int
        public var totalSteps: Int
        public var problems: Int
        public var verdict: String
    }

    /// Metric keys compared (per-layer norms are summarised by the verdict instead).
    public static let metricKeys = [
        MetricKey.discriminatorLoss, MetricKey.generatorLoss, MetricKey.wassersteinEstimate, MetricKey.penalty, MetricKey.scoreReal, MetricKey.scoreFake,
        MetricKey.discriminatorAccuracy, MetricKey.inputGradientNormReal, MetricKey.inputGradientNormFake, MetricKey.inputGradientNormInterpolates,
        MetricKey.generatorSampleGradientNorm, MetricKey.clippedFraction,
    ]

    public var runs: [Column]
    /// Key → one value per run (nil: the run's configuration has no such key).
    public var differingConfiguration: [String: [String?]]
    public var sharedConfiguration: [String: String]
    /// Metric key → the last recorded value per run (nil: not recorded or not finite).
    public var finalMetrics: [String: [Double?]]
    /// Evaluation metric → the value at each run's last evaluated checkpoint.
    public var finalEvaluations: [String: [Double?]]
    /// With grouping: the runs each column stands for (`RunGroups`), by name.
    public var groups: [[String]]?
    public let data: [RunData]
    /// With grouping: the member runs of each column.
    let members: [[RunData]]?

    private enum CodingKeys: String, CodingKey {
        case runs, differingConfiguration, sharedConfiguration, finalMetrics, finalEvaluations, groups
    }

    /// Runs grouped by `grouping`, one column (and one line, with a band) per group.
    public init(_ data: [RunData], grouping: RunGroups.Grouping) throws {
        let groups = RunGroups.group(data, by: grouping)
        try self.init(groups.map { RunGroups.aggregate($0.members, label: $0.label) }, members: groups.map(\.members))
    }

    public init(_ data: [RunData]) throws {
        try self.init(data, members: nil)
    }

    private init(_ data: [RunData], members: [[RunData]]?) throws {
        self.data = data
        self.members = members
        groups = members?.map { $0.map(\.run.name) }
        var columns: [Column] = []
        for (index, run) in data.enumerated() {
            let diagnoses = try (members?[index] ?? [run]).map(Diagnosis.make)
            let verdicts = diagnoses.map(\.summary)
            // A group's verdict: each distinct member verdict with how many members share it.
            let verdict = members == nil ? verdicts[0]
                : verdicts.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                    .map { text in "\(text) \u{d7}\(verdicts.filter { $0 == text }.count)" }.joined(separator: "; ")
            let statuses = (members?[index] ?? [run]).map(\.run.status.rawValue)
            let status = Set(statuses).count == 1 ? statuses[0] : Set(statuses).sorted().map { s in "\(statuses.filter { $0 == s }.count) \(s)" }.joined(separator: ", ")
            columns.append(Column(name: run.run.name, objective: run.run.objective, status: status,
                                  step: run.run.currentStep, totalSteps: run.run.totalSteps, problems: diagnoses.reduce(0) { $0 + $1.problemCount },
                                  verdict: verdict))
        }
        runs = columns
        let keys = Set(data.flatMap { $0.configuration.values.keys }).sorted()
        var differing: [String: [String?]] = [:], shared: [String: String] = [:]
        for key in keys {
            let values = data.map { $0.configuration.values[key] }
            if Set(values.map { $0 ?? "\u{0}" }).count > 1 { differing[key] = values } else if let value = values.first ?? nil { shared[key] = value }
        }
        differingConfiguration = differing
        sharedConfiguration = shared
        var metrics: [String: [Double?]] = [:]
        for key in Self.metricKeys where data.contains(where: { $0.series[key] != nil }) {
            metrics[key] = data.map { $0.series[key].flatMap { $0.points.last?.mean } }
        }
        finalMetrics = metrics
        var evaluations: [String: [Double?]] = [:]
        let names = Set(data.flatMap { $0.evaluations.map(\.metric) })
        for name in names {
            evaluations[name] = data.map { run in
                guard let last = run.evaluations.map(\.step).max() else { return nil }
                return run.evaluations.first { $0.metric == name && $0.step == last }?.value
            }
        }
        finalEvaluations = evaluations
    }

    /// Last evaluation `metric` of run `index` as the tables show it: "–" when the run has no
    /// such evaluation, "non-finite" when it has one without a finite value (NULL), as the run's
    /// own report says.
    public func evaluationText(_ metric: String, run index: Int) -> String {
        if let members = members?[index] {
            let values = members.compactMap { member -> Double?? in
                guard let last = member.evaluations.map(\.step).max(),
                      let record = member.evaluations.first(where: { $0.metric == metric && $0.step == last }) else { return nil }
                return .some(record.value)
            }
            return values.isEmpty ? "\u{2013}" : RunGroups.spread(values)
        }
        let evaluations = data[index].evaluations
        guard let last = evaluations.map(\.step).max(), evaluations.contains(where: { $0.metric == metric && $0.step == last }) else {
            return "\u{2013}"
        }
        return SVG.number(finalEvaluations[metric]?[index] ?? nil)
    }

    /// The last recorded value of metric `key` in column `index`: "–" when not recorded,
    /// "non-finite" for a NULL, and for a group the members' mean ± standard deviation.
    public func metricText(_ key: String, run index: Int) -> String {
        if let members = members?[index] {
            let values: [Double?] = members.compactMap { member -> Double?? in member.series[key].map { $0.points.last?.mean } }
            return values.isEmpty ? "\u{2013}" : RunGroups.spread(values)
        }
        return data[index].series[key] == nil ? "\u{2013}" : SVG.number(finalMetrics[key]?[index] ?? nil)
    }

    /// The comparison as plain-text tables.
    public func text() -> String {
        var lines: [String] = []
        let header = ["", ] + runs.map(\.name)
        var table: [[String]] = [header]
        table.append(["objective"] + runs.map(\.objective))
        table.append(["status"] + runs.map { "\($0.status) at \($0.step)/\($0.totalSteps)" })
        table.append(["verdict"] + runs.map(\.verdict))
        lines.append(Self.align(table))
        lines.append("")
        if differingConfiguration.isEmpty {
            lines.append("configuration: identical (\(sharedConfiguration.count) keys)")
        } else {
            lines.append("configuration keys that differ (\(differingConfiguration.count) of \(differingConfiguration.count + sharedConfiguration.count)):")
            lines.append(Self.align([header] + differingConfiguration.sorted { $0.key < $1.key }.map { [$0.key] + $0.value.map { $0 ?? "\u{2013}" } }))
        }
        lines.append("")
        lines.append("final metrics (last recorded step):")
        lines.append(Self.align([header] + Self.metricKeys.compactMap { key in
            finalMetrics[key].map { _ in [key] + runs.indices.map { metricText(key, run: $0) } }
        }))
        if !finalEvaluations.isEmpty {
            lines.append("")
            lines.append("last evaluation:")
            lines.append(Self.align([header] + finalEvaluations.keys.sorted().map { key in [key] + runs.indices.map { evaluationText(key, run: $0) } }))
        }
        return lines.joined(separator: "\n")
    }

    /// Columns padded to their widest cell; the first row is the header.
    static func align(_ rows: [[String]]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { index in rows.map { index < $0.count ? $0[index].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
