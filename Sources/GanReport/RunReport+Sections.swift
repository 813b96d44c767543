import Foundation
import GanSchema

extension RunReport {
    /// A line plot of the metric keys present, named for the legend; nil when none is present.
    /// When every present key held one value at every recorded step (a share at the clipping
    /// bound that stayed 0, an accuracy pinned at 1), one line says so instead of a flat chart.
    func plot(_ title: String, yLabel: String, keys: [(key: String, name: String)], scale: LinePlot.YScale = .automatic,
              references: [(y: Double, label: String)] = [], notes: [String] = []) -> String? {
        let series = keys.compactMap { entry in data.series[entry.key].map { (entry.name, $0) } }
        guard !series.isEmpty else { return nil }
        if series.allSatisfy({ $0.1.constantValue != nil }), let first = series[0].1.firstStep, let last = series[0].1.lastStep {
            let values = series.map { "\($0.0) \(SVG.number($0.1.constantValue))" }.joined(separator: ", ")
            return "<p class=\"note constant\"><strong>\(SVG.escape(title)):</strong> \(SVG.escape(values)) at every recorded step (\(first)\u{2013}\(last)); no chart.</p>"
        }
        let present = keys.enumerated().compactMap { index, entry in
            data.series[entry.key].map { LinePlot.Series($0, name: entry.name, color: SVG.color(index)) }
        }
        return LinePlot(title: title, xLabel: "generator step", yLabel: yLabel, series: present, yScale: scale,
                        notes: notes, references: references).render()
    }

    func row(_ figures: [String?], missing: String) -> String {
        let drawn = figures.compactMap { $0 }
        guard !drawn.isEmpty else { return "<p class=\"note\">\(SVG.escape(missing))</p>" }
        return "<div class=\"row\">" + drawn.joined() + "</div>"
    }

    func lossSection() -> String {
        let wasserstein = Objective(rawValue: data.run.objective)?.isWasserstein == true
        let lambda = data.configuration.number("gradient_penalty_weight") ?? 0
        return row([
            plot("Losses", yLabel: "loss", keys: [(MetricKey.discriminatorLoss, "discriminator loss"), (MetricKey.generatorLoss, "generator loss")], scale: .linear,
                 notes: lambda > 0 ? ["The discriminator loss includes \u{3bb}\u{b7}penalty (\u{3bb} = \(SVG.number(lambda)))."] : []),
            plot("Wasserstein estimate", yLabel: "E[D(real)] \u{2212} E[D(fake)]", keys: [(MetricKey.wassersteinEstimate, "Wasserstein estimate")], scale: .linear,
                 notes: ["The critic's estimate of the Wasserstein-1 distance, up to its Lipschitz constant; it should fall as the generator improves."]),
            plot("Gradient penalty", yLabel: "E[(\u{2016}\u{2207}\u{2093}D(x\u{302})\u{2016}\u{2082} \u{2212} 1)\u{b2}]", keys: [(MetricKey.penalty, "penalty (before \u{d7}\u{3bb})")]),
            plot(wasserstein ? "Critic scores" : "Discriminator logits", yLabel: wasserstein ? "mean critic score" : "mean logit",
                 keys: [(MetricKey.scoreReal, "real"), (MetricKey.scoreFake, "generated")], scale: .linear),
            plot("Discriminator accuracy", yLabel: "share classified correctly", keys: [(MetricKey.discriminatorAccuracy, "accuracy")], scale: .linear,
                 references: [(1, "perfect: saturated"), (0.5, "chance")]),
            speedPlot(),
            plot("Weights at the clipping bound", yLabel: "share of parameters at \u{b1}c", keys: [(MetricKey.clippedFraction, "at \u{b1}\(SVG.number(data.configuration.clip ?? 0))")], scale: .linear),
        ], missing: "No loss was recorded.")
    }

    /// Steps per second over the run (from `step_times`), against the step, with the run's
    /// wall-clock total in the caption.
    func speedPlot() -> String? {
        let speed = data.throughput
        guard speed.count >= 2, let total = data.stepTimes.last else { return nil }
        let mean = Double(total.step - data.stepTimes[0].step) / max(total.elapsedSeconds - data.stepTimes[0].elapsedSeconds, 1e-9)
        return LinePlot(title: "Training speed", xLabel: "generator step", yLabel: "generator steps per second",
                        series: [LinePlot.Series(name: "steps per second", color: SVG.color(0), points: speed.map { (Double($0.step), $0.stepsPerSecond) })],
                        yScale: .linear,
                        notes: [String(format: "%@ of training to step %d (%.3g steps per second on average); wall-clock seconds per recorded step are in the step_times table.",
                                       RunReport.duration(total.elapsedSeconds), total.step, mean)]).render()
    }

    func heatMapSection() -> String {
        var html = ""
        for network in ["discriminator", "generator"] {
            let rows = data.layerSeries(.parameterGradient, network: network)
            guard !rows.isEmpty else { continue }
            html += HeatMap(title: "\(network.prefix(1).uppercased() + network.dropFirst()): \u{2016}\u{2202}L/\u{2202}\u{3b8}\u{2016}\u{2082} per parameter tensor",
                            rows: rows.map { HeatMap.Row(label: $0.layer.path, series: $0.series) }).render()
        }
        return html.isEmpty ? "<p class=\"note\">No per-layer gradient norms were recorded.</p>" : html
    }

    func depthSection() throws -> String {
        let steps = DepthProfile.chosenSteps(data, count: 5)
        let profiles = try DepthProfile.activationProfiles(data, near: steps)
        var figures: [String?] = []
        var notes: [String] = []
        if !profiles.isEmpty {
            let series = profiles.enumerated().map { index, profile in
                LinePlot.Series(name: "step \(profile.step)", color: SVG.color(index),
                                points: profile.layers.map { layer in
                                    (Double(layer.depth), layer.value.flatMap { $0 > 0 && $0.isFinite ? log10($0) : nil })
                                }, markers: true)
            }
            notes = profiles.map { "Step \($0.step): \($0.summary)" + ($0.fitQuality.map { ", R\u{b2} \(SVG.number($0))" } ?? "") + "." }
            let zeros = profiles.flatMap { p in p.layers.filter { $0.value == 0 }.map { "\($0.path) at step \(p.step)" } }
            if !zeros.isEmpty { notes.append("Exactly zero (log undefined, not drawn): \(Diagnosis.list(zeros, limit: 6)).") }
            let width = data.configuration.text("discriminator_width") ?? "?"
            notes.append("Discriminator width \(width); at another width the boundary between exploding and vanishing moves.")
            figures.append(LinePlot(title: "Discriminator: log\u{2081}\u{2080} \u{2016}\u{2202}L_D/\u{2202}h_l\u{2016}\u{2082} by layer",
                                    xLabel: "hidden layer l (1 = next to the input)", yLabel: "log\u{2081}\u{2080} gradient norm",
                                    series: series, yScale: .linear, notes: notes.map { $0.replacingOccurrences(of: "&", with: "and") }).render())
        }
        for network in ["generator", "discriminator"] {
            let weightSeries = try profiles.isEmpty || network == "generator" ? weightProfiles(network, steps: steps) : []
            guard !weightSeries.isEmpty else { continue }
            figures.append(LinePlot(title: "\(network.prefix(1).uppercased() + network.dropFirst()): log\u{2081}\u{2080} \u{2016}\u{2202}L/\u{2202}W_l\u{2016}\u{2082} by layer",
                                    xLabel: "linear layer l (1 = next to the input)", yLabel: "log\u{2081}\u{2080} weight-gradient norm",
                                    series: weightSeries, yScale: .linear,
                                    notes: ["The generator has no activation probe; the norms of its weight gradients by layer stand in for one."]).render())
        }
        return row(figures, missing: "No per-layer gradient was recorded for this run.")
    }

    func weightProfiles(_ network: String, steps: [Int]) throws -> [LinePlot.Series] {
        try steps.enumerated().compactMap { index, step -> LinePlot.Series? in
            guard let profile = try DepthProfile.weightProfile(data, network: network, near: step) else { return nil }
            return LinePlot.Series(name: "step \(profile.step)", color: SVG.color(index),
                                   points: profile.layers.map { (Double($0.depth), $0.value.flatMap { $0 > 0 && $0.isFinite ? log10($0) : nil }) },
                                   markers: true)
        }.reduce(into: [LinePlot.Series]()) { result, series in
            if !result.contains(where: { $0.name == series.name }) { result.append(series) }
        }
    }

    func inputGradientSection() -> String {
        let penalty = (data.configuration.number("gradient_penalty_weight") ?? 0) > 0
        return row([
            plot("\u{2016}\u{2207}\u{2093}D(x)\u{2016}\u{2082} at real, generated and interpolated points", yLabel: "mean \u{2016}\u{2207}\u{2093}D\u{2016}\u{2082}",
                 keys: [(MetricKey.inputGradientNormReal, "real"), (MetricKey.inputGradientNormFake, "generated"), (MetricKey.inputGradientNormInterpolates, "interpolates")],
                 references: penalty ? [(1, "penalty target 1")] : []),
            plot("Generator signal \u{2016}\u{2202}L_G/\u{2202}x\u{303}\u{2016}\u{2082}", yLabel: "\u{2016}\u{2202}L_G/\u{2202}x\u{303}\u{2016}\u{2082}",
                 keys: [(MetricKey.generatorSampleGradientNorm, "generated batch")],
                 notes: ["The gradient the generator receives through its samples; for the minimax loss it vanishes as the discriminator saturates (Arjovsky & Bottou 2017)."]),
        ], missing: "No input gradient was recorded.")
    }

    func evaluationSection() -> String {
        let series = data.evaluationSeries
        // A conditional run's per-class matches are drawn together in one chart.
        let perClassPrefix = EvaluationMetric.classMatchPercent + "/"
        let names = series.keys.filter { !$0.hasPrefix("baseline/") && !$0.hasPrefix(perClassPrefix) }.sorted { a, b in
            let order = [EvaluationMetric.modesCovered, "modes_total", EvaluationMetric.highQualityPercent, "mode_reverse_kl", "frechet_distance", "classifier_score",
                         "classes_covered", "class_reverse_kl", EvaluationMetric.slicedWasserstein, "energy_distance", "non_finite_percent"]
            return (order.firstIndex(of: a) ?? 99, a) < (order.firstIndex(of: b) ?? 99, b)
        }
        guard !names.isEmpty else { return "<p class=\"note\">No evaluation recorded; run <code>ganpipe eval \(SVG.escape(data.run.name))</code> to score the checkpoints.</p>" }
        var figures: [String] = []
        for name in names {
            let values = series[name]!
            var plotted = [LinePlot.Series(name: name.replacingOccurrences(of: "_", with: " "), color: SVG.color(0),
                                           points: values.map { (Double($0.step), $0.value) }, markers: true)]
            if let baseline = series["baseline/\(name)"] {
                plotted.append(LinePlot.Series(name: "real held-out samples", color: SVG.color(6),
                                               points: baseline.map { (Double($0.step), $0.value) }, dash: "5 3"))
            }
            let sampleCounts = Set(data.evaluations.filter { $0.metric == name }.compactMap(\.sampleCount)).sorted()
            let notes = sampleCounts.isEmpty ? [] : ["Based on \(sampleCounts.map(String.init).joined(separator: ", ")) samples per checkpoint."]
            figures.append(LinePlot(title: name, xLabel: "generator step (checkpoint)", yLabel: name.replacingOccurrences(of: "_", with: " "),
                                    series: plotted, width: 440, height: 280, notes: notes, missingDescription: "could not be computed (stored as NULL) and not drawn").render())
        }
        let perClass = series.keys.filter { $0.hasPrefix(perClassPrefix) }.sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        if !perClass.isEmpty {
            let plotted = perClass.enumerated().map { index, name in
                LinePlot.Series(name: "class " + name.dropFirst(perClassPrefix.count), color: SVG.color(index),
                                points: series[name]!.map { (Double($0.step), $0.value) }, markers: true)
            }
            figures.append(LinePlot(title: "class match by class", xLabel: "generator step (checkpoint)", yLabel: "% of class K's samples classified as K",
                                    series: plotted, width: 440, height: 280,
                                    notes: ["Samples drawn for each class of the conditional generator, by the dataset's classifier (or nearest mode)."],
                                    missingDescription: "could not be computed (stored as NULL) and not drawn").render())
        }
        return "<div class=\"row\">" + figures.joined() + "</div>"
    }
}
