import Foundation
import GanReport
import GanStore
import GanTestSupport
import Testing

/// The HTML report of a synthetic run: every section present, well-formed, self-contained,
/// with what cannot be drawn said rather than drawn.
@Suite struct ReportPageTests {
    @Test func everySectionIsPresentWellFormedAndSelfContained() throws {
        let folder = TemporaryDirectory()
        var run = SyntheticRun()
        run.evaluations = [(100, "modes_covered", 6), (200, "modes_covered", 8), (100, "sliced_wasserstein", 0.4), (200, "sliced_wasserstein", 0.1),
                           (200, "baseline/sliced_wasserstein", 0.05), (100, "mode_reverse_kl", nil)]
        run.events = [(50, "vanishing", "grad_norm/discriminator/layers.0.weight below 1e-07 for 10 recorded steps (now 0)")]
        let (database, _) = try SyntheticRun.database(in: folder, runs: [run])
        let html = try RunReport(try RunData.load("synthetic", from: database)).html()
        let parsed = HTMLChecks.parse(html)
        #expect(parsed.error == nil, "\(parsed.error ?? "")")
        #expect(parsed.ids == RunReport.sectionIdentifiers)
        #expect(HTMLChecks.externalReferences(html).isEmpty, "\(HTMLChecks.externalReferences(html))")
        // Figures: losses, W estimate, penalty, scores; two heat maps; Figure 1b and the generator's
        // weight profile; input gradients and the generator signal; events; evaluations; samples.
        #expect((parsed.elements["svg"] ?? 0) >= 15, "\(parsed.elements)")
        for text in ["Wasserstein estimate", "Gradient penalty", "per parameter tensor", "log\u{2081}\u{2080}", "by layer",
                     "interpolates", "penalty target 1", "vanishing", "sliced_wasserstein", "real held-out samples",
                     "could not be computed", "critic score D(x)", "Step 200", "generator step"] {
            #expect(html.contains(text), "missing: \(text)")
        }
        #expect(html.contains("data:image/png;base64,"))
        let content = html.replacingOccurrences(of: #"(?s)<script>//<!\[CDATA\[.*?//\]\]></script>"#, with: "", options: .regularExpression)
        #expect(!content.contains("NaN") && !content.contains("inf<"), "non-finite numbers leaked into the page")
        // A reference line's label is drawn over the curves, not under them: after the chart's
        // last curve, within its figure.
        let label = try #require(html.range(of: ">penalty target 1<"))
        let chart = html[..<label.lowerBound]
        let chartStart = try #require(chart.range(of: "<svg", options: .backwards))
        let end = try #require(html.range(of: "</svg>", range: label.upperBound..<html.endIndex))
        #expect(!html[label.upperBound..<end.lowerBound].contains("<path"), "a curve is drawn over the reference label")
        #expect(html[chartStart.upperBound..<label.lowerBound].contains("<path"))
    }

    @Test func nonFiniteAndZeroValuesAreSaidNotPlotted() throws {
        let folder = TemporaryDirectory()
        var run = SyntheticRun()
        run.nonFinite = ["loss/discriminator": [120, 121], "grad_norm/discriminator/layers.2.weight": [150]]
        run.extra["input_grad_norm/fake"] = 0
        run.ramps = ["input_grad_norm/real": (1e-6, 10)]
        let (database, _) = try SyntheticRun.database(in: folder, runs: [run])
        let html = try RunReport(try RunData.load("synthetic", from: database)).html()
        #expect(HTMLChecks.parse(html).error == nil)
        #expect(html.contains("2 points not finite (NaN or \u{b1}inf) and not drawn"))
        #expect(html.contains("exactly 0, which a log scale cannot show"))
        #expect(html.contains("not finite</text>"), "the heat map's legend names non-finite cells")
        #expect(html.contains("(log scale)"))
        let diagnosis = try Diagnosis.make(try RunData.load("synthetic", from: database))
        #expect(diagnosis.findings.contains { $0.kind == "non_finite" && $0.firstStep == 120 && $0.severity == .problem })
    }

    /// The verdict's headline does not say "healthy" above a warning; the contents' columns
    /// leave room for the next column's numbers (which sit left of their column, in the gap),
    /// and an entry is never split across columns.
    @Test func theHeadlineAgreesWithTheFindingsAndTheContentsStayApart() throws {
        let folder = TemporaryDirectory()
        var run = SyntheticRun()
        run.objective = "wgan"; run.clip = 0.01; run.clippedShare = 0.2
        let (database, _) = try SyntheticRun.database(in: folder, runs: [run])
        let data = try RunData.load("synthetic", from: database)
        let diagnosis = try Diagnosis.make(data)
        #expect(diagnosis.problemCount == 0 && diagnosis.findings.contains { $0.severity == .warning }, "\(diagnosis.findings)")
        let html = try RunReport(data).html()
        #expect(!html.contains("Healthy") && html.contains("No problem found; "), "\(diagnosis.summary)")
        let rule = html.components(separatedBy: "nav ol{").dropFirst().first?.components(separatedBy: "}").first ?? ""
        func pixels(_ property: String) -> Double? {
            rule.components(separatedBy: property + ":").dropFirst().first.flatMap { Double($0.prefix { $0.isNumber || $0 == "." }) }
        }
        #expect((pixels("column-gap") ?? 0) > (pixels("padding-left") ?? .infinity), "\(rule)")
        #expect(html.contains("nav li{break-inside:avoid"))
    }

    /// The toy panels mark samples beyond the window on its edge instead of hiding them, and
    /// centre the field's colours on D = 0 with ticks along the colour bar, not just its ends.
    @Test func samplesOutsideTheWindowAreMarkedAndColoursCentreOnZero() throws {
        let folder = TemporaryDirectory()
        var run = SyntheticRun()
        run.sampleRadius = 5   // every generated sample beyond the [−3, 3]² window
        run.fieldOffset = 4    // D spans −2…10
        let (database, _) = try SyntheticRun.database(in: folder, runs: [run])
        let html = try RunReport(try RunData.load("synthetic", from: database)).html()
        #expect(HTMLChecks.parse(html).error == nil)
        #expect(html.contains("256 of 256 generated samples lie outside this window, marked by open triangles on its edge"))
        let marks = html.components(separatedBy: "<path class=\"outside\" d=\"").dropFirst().first?.components(separatedBy: "\"").first ?? ""
        #expect(marks.components(separatedBy: "Z").count - 1 == 256, "one mark per sample")
        let bar = html.components(separatedBy: "<g class=\"colorbar\" ").dropFirst().first?.components(separatedBy: "</g>").first ?? ""
        #expect(bar.hasPrefix("data-lower=\"-10.0\" data-upper=\"10.0\""), "\(bar.prefix(80))")
        let labels = bar.components(separatedBy: "class=\"tick\">").dropFirst().compactMap { $0.components(separatedBy: "<").first }
        #expect(labels.count >= 3 && labels.contains("0"), "\(labels)")
        #expect(html.contains("The colours are centred on D = 0 (white); the field spans \u{2212}2 to 10."))
    }

    /// A series that held one value at every step (a share at the clipping bound that stayed
    /// 0) is one line of text, not a full chart of a flat line; a moving one keeps its chart.
    @Test func constantSeriesAreSaidInOneLine() throws {
        let folder = TemporaryDirectory()
        var run = SyntheticRun()
        run.objective = "wgan"; run.clip = 0.01
        run.extra["clip/fraction_at_bound"] = 0
        let (database, _) = try SyntheticRun.database(in: folder, runs: [run])
        let html = try RunReport(try RunData.load("synthetic", from: database)).html()
        #expect(HTMLChecks.parse(html).error == nil)
        #expect(html.contains("<strong>Weights at the clipping bound:</strong> at \u{b1}0.01 0 at every recorded step (1\u{2013}200); no chart."), "\(html.count)")
        #expect(!html.contains(">Weights at the clipping bound</text>"))
        #expect(html.contains(">Losses</text>"), "moving series keep their charts")
    }

    /// The report runs no network: samples and fields are the evaluator's stored views, and
    /// checkpoints without them are named, with the command that adds them.
    @Test func samplesComeFromStoredViewsAndUnevaluatedCheckpointsAreNamed() throws {
        let folder = TemporaryDirectory()
        var partly = SyntheticRun()
        partly.evaluatedSteps = [100]
        var none = SyntheticRun()
        none.name = "unevaluated"
        none.evaluatedSteps = []
        let (database, _) = try SyntheticRun.database(in: folder, runs: [partly, none])
        let html = try RunReport(try RunData.load("synthetic", from: database)).html()
        #expect(html.contains(">Step 100<") && !html.contains(">Step 200<") && html.contains("critic score D(x)"))
        #expect(html.contains("2 of 3 checkpoints are not evaluated and not shown: `ganpipe eval synthetic --checkpoints all` adds them."))
        let empty = try RunReport(try RunData.load("unevaluated", from: database)).html()
        #expect(HTMLChecks.parse(empty).error == nil)
        #expect(empty.contains("No checkpoint of this run has been evaluated") && !empty.contains("critic score D(x)"))
    }

    /// Every evaluated checkpoint's panel is on the page, each marked with its step in one row
    /// that the page's script turns into a slider; the page still parses and loads nothing.
    @Test func checkpointPanelsFormOneRowForTheSlider() throws {
        let folder = TemporaryDirectory()
        var run = SyntheticRun()
        run.evaluatedSteps = [0, 100, 200]
        let (database, _) = try SyntheticRun.database(in: folder, runs: [run])
        let html = try RunReport(try RunData.load("synthetic", from: database)).html()
        #expect(HTMLChecks.parse(html).error == nil && HTMLChecks.externalReferences(html).isEmpty)
        let row = try #require(html.components(separatedBy: "<div class=\"row checkpoints\">").dropFirst().first)
        let steps = row.components(separatedBy: "<div class=\"checkpoint\" data-step=\"").dropFirst().map { $0.prefix { $0.isNumber } }
        #expect(steps == ["0", "100", "200"])
        #expect(html.contains("window.ganpipeEnhance = function") && !html.contains("/api/changes"))
    }

    @Test func aRunWithoutMetricsOrCheckpointsStillGivesAPage() throws {
        let folder = TemporaryDirectory()
        let database = try GanDatabase.open(path: folder.file("empty.sqlite"))
        let dataset = try SyntheticRun.insertDataset(into: database)
        _ = try RunStore(database).insert(RunRecord(name: "queued", objective: "gan", datasetId: dataset.id, seed: 1, configJson: "{}", totalSteps: 10))
        let html = try RunReport(try RunData.load("queued", from: database)).html()
        #expect(HTMLChecks.parse(html).error == nil)
        #expect(html.contains("No loss was recorded") && html.contains("no complete checkpoint"))
    }

    @Test func theComparisonPageOverlaysRunsAndListsDifferingKeys() throws {
        let folder = TemporaryDirectory()
        var clipped = SyntheticRun()
        clipped.name = "clipped"; clipped.objective = "wgan"; clipped.clip = 0.01; clipped.discriminatorDepth = 6
        let (database, _) = try SyntheticRun.database(in: folder, runs: [SyntheticRun(), clipped])
        let comparison = try RunComparison(try ["synthetic", "clipped"].map { try RunData.load($0, from: database) })
        #expect(comparison.differingConfiguration["objective"] == ["wgan-gp", "wgan"])
        #expect(comparison.differingConfiguration["discriminator_depth"] == ["4", "6"])
        #expect(comparison.differingConfiguration["clip"] == ["0", "0.01"])
        #expect(comparison.sharedConfiguration["batch_size"] == "64")
        #expect(comparison.finalMetrics["loss/discriminator"]?.count == 2)
        let html = try ComparisonPage(comparison).html()
        let parsed = HTMLChecks.parse(html)
        #expect(parsed.error == nil, "\(parsed.error ?? "")")
        #expect(parsed.ids == ComparisonPage.sectionIdentifiers)
        #expect(HTMLChecks.externalReferences(html).isEmpty)
        #expect(html.contains("clipped (step") && html.contains("synthetic (step"))
        #expect(comparison.text().contains("configuration keys that differ"))
    }

    /// A NULL value reads the same on every page ("non-finite", as in a run's report), and
    /// differs from a run that has no such evaluation ("–").
    @Test func theComparisonSaysNonFiniteForNullAndADashForAbsent() throws {
        let folder = TemporaryDirectory()
        var broken = SyntheticRun(), plain = SyntheticRun()
        broken.name = "broken"
        broken.evaluations = [(200, "frechet_distance", nil), (200, "modes_covered", 3)]
        plain.name = "plain"
        plain.evaluations = [(200, "modes_covered", 8)]
        let (database, _) = try SyntheticRun.database(in: folder, runs: [broken, plain])
        let comparison = try RunComparison(try ["broken", "plain"].map { try RunData.load($0, from: database) })
        #expect(comparison.evaluationText("frechet_distance", run: 0) == "non-finite")
        #expect(comparison.evaluationText("frechet_distance", run: 1) == "\u{2013}")
        #expect(comparison.evaluationText("modes_covered", run: 1) == "8")
        let line = comparison.text().split(separator: "\n").first { $0.hasPrefix("frechet_distance") }.map(String.init) ?? ""
        #expect(line.contains("non-finite") && line.contains("\u{2013}"), "\(line)")
        let html = try ComparisonPage(comparison).html()
        #expect(html.contains("<td>non-finite</td>") || html.contains(">non-finite<"), "the page says non-finite too")
    }

    /// A sweep of two settings × three seeds compares as two lines: each the members' mean,
    /// with a band from the lowest to the highest member, tabled as mean ± deviation.
    @Test func runsThatDifferOnlyInTheirSeedCompareAsOneLine() throws {
        let folder = TemporaryDirectory()
        var runs: [SyntheticRun] = []
        for (objective, clip) in [("wgan-gp", 0.0), ("wgan", 0.01)] {
            for seed in 1...3 {
                var run = SyntheticRun()
                run.name = "sweep/\(objective)/seed=\(seed)"; run.objective = objective; run.clip = clip; run.seed = seed
                run.extra["loss/discriminator"] = Double(seed)   // 1, 2, 3 (times the wobble, the same for each seed)
                runs.append(run)
            }
        }
        let (database, _) = try SyntheticRun.database(in: folder, runs: runs)
        let data = try runs.map { try RunData.load($0.name, from: database) }
        let comparison = try RunComparison(data, grouping: .overSeeds)
        #expect(comparison.runs.map(\.name) == ["sweep/wgan-gp (3 runs)", "sweep/wgan (3 runs)"])
        #expect(comparison.groups?[1] == ["sweep/wgan/seed=1", "sweep/wgan/seed=2", "sweep/wgan/seed=3"])
        #expect(comparison.differingConfiguration["seed"] == nil && comparison.differingConfiguration["objective"] == ["wgan-gp", "wgan"])
        let members = data.prefix(3).map { $0.series["loss/discriminator"]!.points[10].mean! }
        let point = comparison.data[0].series["loss/discriminator"]!.points[10]
        #expect(abs(point.mean! - members.reduce(0, +) / 3) < 1e-12 && point.minimum == members.min() && point.maximum == members.max())
        // Final values: mean ± sample standard deviation over the seeds.
        #expect(RunGroups.spread([1, 2, 3]) == "2 \u{b1} 1" && RunGroups.spread([4, nil]) == "4" && RunGroups.spread([nil]) == "non-finite")
        let finals = data.prefix(3).map { $0.series["loss/discriminator"]!.points.last!.mean }
        #expect(comparison.metricText("loss/discriminator", run: 0) == RunGroups.spread(finals))
        #expect(comparison.metricText("loss/discriminator", run: 0).contains("\u{b1}"))
        let html = try ComparisonPage(comparison).html()
        #expect(HTMLChecks.parse(html).error == nil)
        #expect(html.contains("<h1>Comparing 2 groups of 6 runs</h1>") && html.contains("its band spans the lowest to the highest run"))
        let byObjective = try RunComparison(data, grouping: .keys(["objective"]))
        #expect(byObjective.runs.map(\.name) == ["objective=wgan-gp (3 runs)", "objective=wgan (3 runs)"])
    }

    /// Events about layers are listed in the order of their layers (2, 10, 12 — not 10, 12, 2),
    /// and one discriminator step is one step.
    @Test func eventsFollowLayerOrderAndCountsAgreeWithTheirNouns() throws {
        let folder = TemporaryDirectory()
        var run = SyntheticRun()
        run.objective = "nsgan"
        run.discriminatorSteps = 1
        run.events = [12, 2, 10].map { (50, "exploding", "activation_grad_norm/discriminator/layers.\($0) above 1000 for 10 recorded steps (now 2e3)") }
        let (database, _) = try SyntheticRun.database(in: folder, runs: [run])
        let html = try RunReport(try RunData.load("synthetic", from: database)).html()
        let positions = [2, 10, 12].map { html.range(of: "<code>activation_grad_norm/discriminator/layers.\($0)</code>")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil } && positions[0]! < positions[1]! && positions[1]! < positions[2]!)
        #expect(html.contains("1 discriminator step per generator step") && !html.contains("1 discriminator steps"))
    }

    /// Twelve runs stay apart and readable: no two curves share colour and line style, one
    /// outlier (1.25e10) does not flatten the others, wide tables scroll instead of overflowing,
    /// and a clipped critic's Wasserstein estimate (≈1e-4) gets its own axis beside the penalty
    /// runs' (≈1).
    @Test func aComparisonOfTwelveRunsStaysReadable() throws {
        let folder = TemporaryDirectory()
        let runs = (0..<12).map { index -> SyntheticRun in
            var run = SyntheticRun()
            run.name = "sweep/run-\(index)"
            run.objective = index < 6 ? "wgan-gp" : "wgan"
            run.extra["wasserstein_estimate"] = index < 6 ? 1.2 : 1.2e-4
            if index == 3 { run.spikes["loss/discriminator"] = (100, 1.25e10) }
            return run
        }
        let (database, _) = try SyntheticRun.database(in: folder, runs: runs)
        let comparison = try RunComparison(try runs.map { try RunData.load($0.name, from: database) })
        let html = try ComparisonPage(comparison).html()
        #expect(HTMLChecks.parse(html).error == nil)
        let figures = html.components(separatedBy: "<figure").dropFirst()
        let losses = try #require(figures.first { $0.contains("<title>Discriminator loss</title>") })
        let styles = losses.components(separatedBy: "<path d=\"M").dropFirst().compactMap { path -> String? in
            guard let stroke = path.range(of: "stroke=\""), let end = path.range(of: "/>", range: stroke.upperBound..<path.endIndex) else { return nil }
            return String(path[stroke.upperBound..<end.lowerBound])
        }
        #expect(styles.count == 12 && Set(styles).count == 12, "\(styles)")
        // The loss axis fits the runs near −1.5, not the spike: no tick label in the billions.
        #expect(losses.contains("beyond it (outliers, up to 1.25e10)") && !losses.contains("e9<") && !losses.contains("e10<"), "\(losses.prefix(3000))")
        #expect(figures.contains { $0.contains("<title>Wasserstein estimate (wgan)</title>") }
                && figures.contains { $0.contains("<title>Wasserstein estimate (wgan-gp)</title>") })
        #expect(!html.contains("<title>Wasserstein estimate</title>"))
        #expect(html.contains("<div class=\"wide\"><table>"))
    }
}
