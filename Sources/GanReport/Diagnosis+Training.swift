import Foundation
import GanSchema

extension Diagnosis {
    /// For logit objectives: accuracy near 1 over the last tenth of the run means the
    /// discriminator saturated. With the minimax loss the generator's signal ‖∂L_G/∂x̃‖ then
    /// collapses (Arjovsky & Bottou 2017); a fall of two orders of magnitude from its peak
    /// is reported as a vanishing generator gradient.
    mutating func examineSaturation(_ data: RunData) {
        guard let accuracy = data.series[MetricKey.discriminatorAccuracy], !accuracy.points.isEmpty else { return }
        let tail = accuracy.points.suffix(max(1, accuracy.points.count / 10))
        let finalAccuracy = tail.compactMap(\.mean).reduce(0, +) / Double(max(1, tail.compactMap(\.mean).count))
        guard finalAccuracy >= 0.99 else {
            if finalAccuracy >= 0.95 {
                add(.info, "saturation", network: "discriminator",
                    "discriminator accuracy \(SVG.number(finalAccuracy)) over the last tenth of the run: strong but not saturated")
            }
            return
        }
        // The first step from which accuracy stays ≥ 0.99.
        let onset = accuracy.points.lastIndex { ($0.mean ?? 0) < 0.99 }.map { accuracy.points[min($0 + 1, accuracy.points.count - 1)].firstStep }
            ?? accuracy.points[0].firstStep
        var message = "the discriminator saturated: accuracy \(SVG.number(finalAccuracy)) over the last tenth of the run, ≥ 0.99 from step \(onset)"
        var severity: Severity = .warning
        if let signal = data.series[MetricKey.generatorSampleGradientNorm], let peak = signal.points.compactMap(\.mean).max(), peak > 0 {
            let tailSignal = signal.points.suffix(max(1, signal.points.count / 10)).compactMap(\.mean)
            let final = tailSignal.reduce(0, +) / Double(max(1, tailSignal.count))
            let orders = final > 0 ? log10(peak / final) : .infinity
            message += "; the generator's sample gradient ‖\u{2202}L_G/\u{2202}x\u{303}‖ is \(SVG.number(final)) at the end, \(orders.isFinite ? SVG.number(orders) : "all") orders of magnitude below its peak \(SVG.number(peak))"
            if orders >= 2 {
                severity = .problem
                message += data.run.objective == "gan"
                    ? " — the minimax generator gradient vanished, as Arjovsky & Bottou (2017) predict; the non-saturating loss (--objective nsgan) or a Wasserstein objective keeps it"
                    : " — the generator is getting almost no signal"
            } else {
                message += " — the generator still receives a usable gradient"
            }
        }
        add(severity, "saturation", network: "discriminator", steps: (onset, accuracy.lastStep ?? onset), message)
    }

    /// Weight clipping: the share of discriminator weights at ±c, overall and per layer.
    mutating func examineClipping(_ data: RunData, clipped: ClippedWeights?) {
        guard let clipped else {
            if let clip = data.configuration.clip, let fraction = data.series[MetricKey.clippedFraction]?.lastValue, fraction > 0.25 {
                add(fraction > 0.5 ? .problem : .warning, "clipping", network: "discriminator",
                    "\(SVG.number(100 * fraction))% of discriminator parameters sit at \u{b1}\(SVG.number(clip)) at the last recorded step")
            }
            return
        }
        let percent = 100 * clipped.overall
        let weights = clipped.shares.filter { $0.key.hasSuffix(".weight") }
        let spread = weights.min { $0.value < $1.value }.flatMap { low in weights.max { $0.value < $1.value }.map { (low, $0) } }
        let perLayer = spread.map { ["per weight tensor from \(SVG.number(100 * $0.0.value))% (\($0.0.key)) to \(SVG.number(100 * $0.1.value))% (\($0.1.key))"] } ?? []
        let severity: Severity = clipped.overall > 0.5 ? .problem : (clipped.overall > 0.25 ? .warning : .info)
        var message = "\(SVG.number(percent))% of discriminator parameters sit at the clipping bounds \u{b1}\(SVG.number(clipped.clip)) in the checkpoint at step \(clipped.step) (\(perLayer.joined(separator: ", ")))"
        if severity != .info {
            message += ": the weights pile up at \u{b1}c, which limits the critic to simple functions (WGAN-GP paper, Figure 1); a gradient penalty (--objective wgan-gp) avoids it"
        }
        add(severity, "clipping", network: "discriminator", layers: clipped.shares.filter { $0.value > 0.5 }.map(\.key).sorted(by: NaturalOrder.precedes),
            steps: (clipped.step, clipped.step), message)
    }

    /// Modes covered by the generator at the last evaluated checkpoint, against the number of
    /// modes of the dataset (evaluator metrics `modes_covered`, `modes_total`).
    mutating func examineModes(_ data: RunData) {
        let series = data.evaluationSeries
        guard !series.isEmpty else {
            add(.info, "not_evaluated", "no evaluation recorded; run `ganpipe eval \(data.run.name)` to measure mode coverage and sample quality")
            return
        }
        examineClasses(series)
        guard let covered = series[EvaluationMetric.modesCovered]?.last(where: { $0.value != nil }) else { return }
        let total = series["modes_total"]?.last(where: { $0.step == covered.step })?.value.map { Int($0) }
            ?? data.datasetModes.map { $0.centres.count }
        guard let total, let count = covered.value.map({ Int($0) }) else { return }
        let best = series[EvaluationMetric.modesCovered]?.compactMap(\.value).max().map { Int($0) } ?? count
        let quality = series[EvaluationMetric.highQualityPercent]?.last(where: { $0.step == covered.step })?.value
        let qualityText = quality.map { " (\(SVG.number($0))% of samples are high quality)" } ?? ""
        if count < total {
            add(.problem, "mode_dropping", network: "generator", steps: (covered.step, covered.step),
                "the generator covers \(count) of \(total) modes at step \(covered.step)\(qualityText)" +
                (best > count ? "; it covered \(best) at an earlier checkpoint" : "") +
                ((quality ?? 100) < 50 && best <= count ? "; with so few high-quality samples the generator has not reached the data yet, so train longer before reading this as mode collapse" : ""))
        } else {
            add(.info, "mode_dropping", network: "generator", steps: (covered.step, covered.step),
                "the generator covers all \(total) modes at step \(covered.step)\(qualityText)")
        }
    }

    /// Labelled image data: the classes the dataset's classifier finds in the generated samples
    /// at the last evaluated checkpoint, against what it finds in as many real samples, with
    /// the Fréchet distance beside its real-data baseline. Fewer classes than real data is a
    /// problem (the image analogue of dropped modes).
    mutating func examineClasses(_ series: [String: [(step: Int, value: Double?)]]) {
        guard let covered = series[EvaluationMetric.classesCovered]?.last(where: { $0.value != nil }),
              let count = covered.value.map({ Int($0) }) else { return }
        func at(_ metric: String) -> Double? { series[metric]?.last(where: { $0.step == covered.step })?.value }
        let real = at(EvaluationMetric.baseline(EvaluationMetric.classesCovered)).map { Int($0) }
        let best = series[EvaluationMetric.classesCovered]?.compactMap(\.value).max().map { Int($0) } ?? count
        let distance = at(EvaluationMetric.frechetDistance).map { value in
            "; Fréchet distance \(SVG.number(value))" + (at(EvaluationMetric.baseline(EvaluationMetric.frechetDistance)).map { " (real samples: \(SVG.number($0)))" } ?? "")
        } ?? ""
        if let real, count < real {
            add(.problem, "class_dropping", network: "generator", steps: (covered.step, covered.step),
                "the dataset's classifier finds \(count) of the \(real) classes of real samples in the generator's samples at step \(covered.step)\(distance)"
                    + (best > count ? "; it found \(best) at an earlier checkpoint" : ""))
        } else {
            add(.info, "class_coverage", network: "generator", steps: (covered.step, covered.step),
                "the dataset's classifier finds \(count) classes in the generator's samples at step \(covered.step), as many as in real samples\(distance)")
        }
    }

    /// Metric values that were not finite (stored as NULL) and the trainer's `non_finite` events.
    mutating func examineNonFinite(_ data: RunData) {
        let bad = data.series.values.filter { $0.nonFiniteCount > 0 }.sorted { ($0.firstNonFiniteStep ?? 0, $0.key) < ($1.firstNonFiniteStep ?? 0, $1.key) }
        let events = data.events.filter { $0.kind == "non_finite" }
        guard !bad.isEmpty || !events.isEmpty else { return }
        let first = (bad.compactMap(\.firstNonFiniteStep) + events.compactMap(\.step)).min()
        var message = bad.isEmpty ? "" : "\(bad.reduce(0) { $0 + $1.nonFiniteCount }) non-finite value(s) in \(bad.count) metric(s), first at step \(first ?? 0): \(Self.list(bad.map(\.key)))"
        if let event = events.first { message += (message.isEmpty ? "" : "; ") + "the trainer stopped: \(event.message)" }
        add(.problem, "non_finite", layers: bad.map(\.key), steps: first.map { ($0, bad.compactMap(\.lastStep).max() ?? $0) }, message)
    }

    mutating func examineStatus(_ data: RunData) {
        switch data.run.status {
        case .failed:
            if !findings.contains(where: { $0.kind == "non_finite" }) {
                add(.problem, "run_status", "the run failed at step \(data.run.currentStep): \(data.run.error ?? "no reason recorded")")
            }
        case .running, .queued, .interrupted:
            add(.info, "run_status", "the run is \(data.run.status.rawValue) at step \(data.run.currentStep) of \(data.run.totalSteps); this verdict covers what is recorded so far")
        case .completed:
            break
        }
    }
}
