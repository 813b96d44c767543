import Foundation
import GanSchema

/// `ganpipe compare --html`: the comparison's tables and the runs' curves overlaid, one colour
/// per run, as one self-contained page.
public struct ComparisonPage {
    public var comparison: RunComparison

    public init(_ comparison: RunComparison) {
        self.comparison = comparison
    }

    public static let sectionIdentifiers = ["runs", "configuration", "final-metrics", "curves", "activation-gradients", "evaluations"]

    public func html() throws -> String {
        let runs = comparison.data
        var page = HTMLPage(title: "ganpipe compare: " + runs.map(\.run.name).joined(separator: ", "))
        let names = comparison.runs.map(\.name)
        var summary = "<table><thead><tr><th>run</th><th>objective</th><th>status</th><th>verdict</th></tr></thead><tbody>"
        for (index, run) in comparison.runs.enumerated() {
            let verdictClass = run.problems == 0 ? "healthy" : "problem"
            let members = comparison.groups.map { "<br/><span class=\"note\">" + SVG.escape($0[index].joined(separator: ", ")) + "</span>" } ?? ""
            summary += "<tr><td><span style=\"color:\(SVG.color(index))\">\u{25a0}</span> \(SVG.escape(run.name))\(members)</td><td>\(SVG.escape(run.objective))</td><td>\(SVG.escape(run.status)) at \(run.step)/\(run.totalSteps)</td><td class=\"\(verdictClass)\">\(SVG.escape(run.verdict))</td></tr>"
        }
        page.section("runs", "Runs", summary + "</tbody></table>")
        page.section("configuration", "Configuration keys that differ",
                     comparison.differingConfiguration.isEmpty ? "<p class=\"note\">The configurations are identical.</p>"
                        : table(names, comparison.differingConfiguration.sorted { $0.key < $1.key }.map { ($0.key, $0.value.map { $0 ?? "\u{2013}" }) }),
                     lead: "\(comparison.sharedConfiguration.count) other keys are equal in every run.")
        page.section("final-metrics", "Final metrics", table(names, RunComparison.metricKeys.compactMap { key in
            comparison.finalMetrics[key].map { _ in (key, comparison.runs.indices.map { comparison.metricText(key, run: $0) }) }
        }) + (comparison.finalEvaluations.isEmpty ? "" : "<h3>Last evaluation</h3>" + table(names, comparison.finalEvaluations.keys.sorted().map { key in (key, comparison.runs.indices.map { comparison.evaluationText(key, run: $0) }) })))
        let curves: [(String, String, String)] = [
            (MetricKey.discriminatorLoss, "Discriminator loss", "loss"), (MetricKey.generatorLoss, "Generator loss", "loss"),
            (MetricKey.wassersteinEstimate, "Wasserstein estimate", "E[D(real)] \u{2212} E[D(fake)]"), (MetricKey.penalty, "Gradient penalty", MetricKey.penalty),
            (MetricKey.discriminatorAccuracy, "Discriminator accuracy", "accuracy"), (MetricKey.inputGradientNormReal, "\u{2016}\u{2207}\u{2093}D\u{2016}\u{2082} at real points", "mean norm"),
            (MetricKey.inputGradientNormInterpolates, "\u{2016}\u{2207}\u{2093}D\u{2016}\u{2082} at interpolates", "mean norm"),
            (MetricKey.generatorSampleGradientNorm, "Generator signal \u{2016}\u{2202}L_G/\u{2202}x\u{303}\u{2016}\u{2082}", "norm"), (MetricKey.clippedFraction, "Weights at \u{b1}c", "share"),
        ]
        var figures: [String] = []
        for (key, title, label) in curves {
            let drawn = runs.indices.filter { runs[$0].series[key] != nil }
            guard !drawn.isEmpty else { continue }
            for group in Self.magnitudeGroups(drawn, key: key, runs: runs) {
                let series = group.indices.map { index in
                    LinePlot.Series(runs[index].series[key]!, name: runs[index].run.name, color: SVG.color(index), dash: SVG.dash(index))
                }
                var plot = LinePlot(title: title + group.label, xLabel: "generator step", yLabel: label, series: series,
                                    yScale: key.hasPrefix("loss") || key == MetricKey.wassersteinEstimate || key.contains("accuracy") ? .linear : .automatic)
                plot.ignoresOutliers = true
                figures.append(plot.render())
            }
        }
        page.section("curves", "Curves overlaid", "<div class=\"row\">" + figures.joined() + "</div>",
                     lead: comparison.groups == nil ? nil : "Each line is the mean over a group's runs; its band spans the lowest to the highest run at each step.")
        var profiles: [LinePlot.Series] = []
        for (index, run) in runs.enumerated() {
            // A group's profile: the mean over its members of log₁₀ of each layer's norm.
            var byDepth: [Int: [Double]] = [:], steps: [Int] = []
            for member in comparison.members?[index] ?? [run] {
                let last = member.series.values.compactMap(\.lastStep).max() ?? 0
                guard let profile = try DepthProfile.activationProfiles(member, near: [last]).first else { continue }
                steps.append(profile.step)
                for layer in profile.layers { if let value = layer.value, value > 0 { byDepth[layer.depth, default: []].append(log10(value)) } }
            }
            guard let step = steps.max() else { continue }
            profiles.append(LinePlot.Series(name: "\(run.run.name) (step \(step))", color: SVG.color(index),
                                            points: byDepth.keys.sorted().map { (Double($0), byDepth[$0]!.reduce(0, +) / Double(byDepth[$0]!.count)) }, markers: true))
        }
        page.section("activation-gradients", "Activation-gradient norm against depth at the last step",
                     profiles.isEmpty ? "<p class=\"note\">No run recorded activation gradients.</p>"
                        : LinePlot(title: "Discriminator: log\u{2081}\u{2080} \u{2016}\u{2202}L_D/\u{2202}h_l\u{2016}\u{2082} by layer", xLabel: "hidden layer l (1 = next to the input)",
                                   yLabel: "log\u{2081}\u{2080} gradient norm", series: profiles, yScale: .linear).render())
        var evaluationFigures: [String] = []
        for name in comparison.finalEvaluations.keys.sorted() where !name.hasPrefix("baseline/") {
            let series = runs.enumerated().compactMap { index, run -> LinePlot.Series? in
                guard let values = run.evaluationSeries[name] else { return nil }
                return LinePlot.Series(name: run.run.name, color: SVG.color(index), points: values.map { (Double($0.step), $0.value) }, markers: true)
            }
            evaluationFigures.append(LinePlot(title: name, xLabel: "generator step (checkpoint)", yLabel: name.replacingOccurrences(of: "_", with: " "),
                                              series: series, width: 440, height: 280).render())
        }
        page.section("evaluations", "Evaluation metrics", evaluationFigures.isEmpty ? "<p class=\"note\">No run has evaluations.</p>" : "<div class=\"row\">" + evaluationFigures.joined() + "</div>")
        let title = comparison.groups.map { "Comparing \(runs.count) groups of \($0.joined().count) runs" } ?? "Comparing \(runs.count) runs"
        let header = "<header><h1>\(title)</h1><p class=\"meta\">" + runs.map { SVG.escape($0.run.name) }.joined(separator: " · ") + "</p></header>\n"
        return page.render(header: header)
    }

    /// Runs `indices` split by objective when their typical magnitudes of `key` differ more
    /// than a hundredfold between objectives (a clipped critic's Wasserstein estimate near
    /// 10⁻⁴ beside a penalised one's near 2 would be a flat line on a shared axis); one group
    /// otherwise. Each group's label is appended to the chart's title.
    static func magnitudeGroups(_ indices: [Int], key: String, runs: [RunData]) -> [(label: String, indices: [Int])] {
        let byObjective = Dictionary(grouping: indices) { runs[$0].run.objective }
        guard byObjective.count > 1 else { return [("", indices)] }
        let magnitudes = byObjective.compactMapValues { group -> Double? in
            let values = group.flatMap { runs[$0].series[key]?.points.compactMap(\.mean) ?? [] }.map(abs).filter { $0.isFinite && $0 > 0 }.sorted()
            return values.isEmpty ? nil : values[values.count / 2]
        }
        guard let low = magnitudes.values.min(), let high = magnitudes.values.max(), high > 100 * low else { return [("", indices)] }
        return byObjective.keys.sorted().map { (" (\($0))", byObjective[$0]!) }
    }

    func table(_ names: [String], _ rows: [(String, [String])]) -> String {
        var html = "<div class=\"wide\"><table><thead><tr><th></th>" + names.map { "<th>\(SVG.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for (key, values) in rows {
            html += "<tr><td><code>\(SVG.escape(key))</code></td>" + values.map { "<td class=\"num\">\(SVG.escape($0))</td>" }.joined() + "</tr>"
        }
        return html + "</tbody></table></div>"
    }
}
