import Foundation
import GanReport
import GanStore
import GanTestSupport
import Testing

/// The charts' interactive layer (dygraphs, inline) in a real browser — Debian's headless
/// Chromium over the DevTools protocol, driven with real mouse events: every line chart becomes
/// a dygraph; hovering shows values; a series can be hidden; the y axis switches to log, fits
/// the bulk past a spike and back; smoothing averages; dragging zooms on steps and the button
/// resets. Screenshots land in `.build/test-screenshots/`.
@Suite(.serialized) struct InteractiveChartTests {
    /// A page written to a file and opened in the browser, its charts drawn.
    struct OpenPage {
        let browser: HeadlessBrowser
        let session: String

        init(_ html: String, in folder: TemporaryDirectory, name: String) throws {
            let path = folder.file(name)
            try html.write(toFile: path, atomically: true, encoding: .utf8)
            browser = try HeadlessBrowser()
            session = try browser.open("file://" + path)
            let ready = waitUntil(timeout: .seconds(30), pollingEvery: .milliseconds(100)) { [browser, session] in
                (try? browser.evaluate("document.readyState === 'complete' && document.querySelectorAll('figure.chart[data-interactive]').length > 0", session: session)) as? Bool == true
            }
            #expect(ready, "the charts never became interactive")
        }

        func value(_ expression: String) -> Any? {
            do { return try browser.evaluate(expression, session: session) } catch { return "\(error)" }
        }

        /// An expression on the dygraph of the chart titled `title` (its first on the page).
        func graph(_ title: String, _ expression: String) -> Any? {
            value("(function (g) { return \(expression); })(document.querySelector('figure.chart[data-chart-key=\"\(title) #1\"]').graph)")
        }

        func selector(_ title: String, _ inside: String) -> String { "figure.chart[data-chart-key=\"\(title) #1\"] \(inside)" }

        func screenshot(_ name: String) throws {
            let shots = FileManager.default.currentDirectoryPath + "/.build/test-screenshots"
            try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
            try browser.screenshot(session: session, to: shots + "/" + name)
        }
    }

    @Test func aReportsChartsHoverToggleSwitchSmoothAndZoom() throws {
        let folder = TemporaryDirectory()
        var run = SyntheticRun()
        run.spikes["loss/discriminator"] = (100, 1.25e10)
        run.nonFinite = ["loss/generator": [150, 151]]
        let (database, _) = try SyntheticRun.database(in: folder, runs: [run])
        let page = try OpenPage(try RunReport(try RunData.load("synthetic", from: database)).html(), in: folder, name: "report.html")

        let charts = page.value("document.querySelectorAll('figure.chart').length") as? Int ?? 0
        #expect(charts >= 8, "line charts on the page: \(charts)")
        #expect(page.value("document.querySelectorAll('figure.chart[data-interactive] canvas').length > 0 && Array.from(document.querySelectorAll('figure.chart')).every(f => f.graph && f.querySelector('svg').style.display === 'none')") as? Bool == true,
                "every line chart is a dygraph, its SVG kept for pages read without script")

        // Hover: a real pointer over the loss chart selects a step and the legend shows its values.
        let plot = try #require(try page.browser.centre(of: page.selector("Losses", ".chart-plot"), session: page.session))
        try page.browser.mouse("mouseMoved", x: plot.x, y: plot.y, session: page.session)
        #expect(page.graph("Losses", "g.getSelection()") as? Int ?? -1 >= 0, "hovering selects a row")
        let legend = page.value("document.querySelector('\(page.selector("Losses", ".chart-legend"))').textContent") as? String ?? ""
        #expect(legend.contains("discriminator loss:") && legend.contains("generator loss:")
                && legend.range(of: #"discriminator loss:\s*[\x{2212}-]?[0-9]"#, options: .regularExpression) != nil, "\(legend)")

        // Show/hide a run: the checkbox hides the generator's series.
        #expect(try page.browser.click(page.selector("Losses", "input[data-series=\"generator loss\"]"), session: page.session))
        #expect(page.graph("Losses", "g.visibility().join(',')") as? String == "true,false")

        // The spike at step 100 (1.25e10) flattens the linear axis; "fit the bulk" brings the
        // runs back into view, and unticked the spike is in range again.
        #expect(page.graph("Losses", "g.yAxisRange()[1]") as? Double ?? 0 > 1e9)
        #expect(try page.browser.click(page.selector("Losses", "input[data-option=\"bulk\"]"), session: page.session))
        let fitted = page.graph("Losses", "g.yAxisRange()") as? [Double] ?? []
        #expect(fitted.count == 2 && fitted[1] < 100 && fitted[0] > -100, "\(fitted)")
        try page.screenshot("report-chart-bulk.png")
        #expect(try page.browser.click(page.selector("Losses", "input[data-option=\"bulk\"]"), session: page.session))
        #expect(page.graph("Losses", "g.yAxisRange()[1]") as? Double ?? 0 > 1e9)

        // Log scale on a positive series; smoothing by a moving average.
        #expect(try page.browser.click(page.selector("Gradient penalty", "input[data-option=\"log\"]"), session: page.session))
        #expect(page.graph("Gradient penalty", "g.getOption('logscale')") as? Bool == true)
        _ = page.value("(function (input) { input.value = '5'; input.dispatchEvent(new Event('input')); })(document.querySelector('\(page.selector("Gradient penalty", "input[data-option=\"smoothing\"]"))'))")
        #expect(page.graph("Gradient penalty", "g.rollPeriod()") as? Int == 5)
        #expect((page.value("document.querySelector('\(page.selector("Gradient penalty", ".chart-controls"))').textContent") as? String)?.contains("mean of 5 points") == true)

        // Zoom on steps: a drag across the middle of the plot narrows the x range; the button
        // resets it.
        let full = page.graph("Wasserstein estimate", "g.xAxisRange()") as? [Double] ?? []
        _ = try page.browser.centre(of: page.selector("Wasserstein estimate", ".chart-plot"), session: page.session)
        let box = try #require(page.graph("Wasserstein estimate", "(function (a, r) { return [r.left + a.x, r.top + a.y, a.w, a.h]; })(g.getArea(), g.graphDiv.getBoundingClientRect())") as? [Double])
        let (x0, x1, y) = (box[0] + 0.3 * box[2], box[0] + 0.6 * box[2], box[1] + box[3] / 2)
        try page.browser.mouse("mouseMoved", x: x0, y: y, session: page.session)
        try page.browser.mouse("mousePressed", x: x0, y: y, session: page.session)
        for fraction in stride(from: 0.1, through: 1.0, by: 0.1) {
            try page.browser.mouse("mouseMoved", x: x0 + fraction * (x1 - x0), y: y, session: page.session)
        }
        try page.browser.mouse("mouseReleased", x: x1, y: y, session: page.session)
        let zoomed = page.graph("Wasserstein estimate", "g.xAxisRange()") as? [Double] ?? []
        #expect(page.graph("Wasserstein estimate", "g.isZoomed('x')") as? Bool == true, "\(zoomed) of \(full)")
        #expect(full.count == 2 && zoomed.count == 2 && zoomed[0] > full[0] && zoomed[1] < full[1] && zoomed[1] - zoomed[0] < 0.5 * (full[1] - full[0]))
        try page.screenshot("report-chart-zoomed.png")
        #expect(try page.browser.click(page.selector("Wasserstein estimate", "button[data-option=\"reset\"]"), session: page.session))
        #expect(page.graph("Wasserstein estimate", "g.isZoomed('x')") as? Bool == false)
    }

    /// Twelve runs: one checkbox per run, the axis fitted to the bulk by default past one run's
    /// spike (as the SVG is), and the whole range on request.
    @Test func aComparisonOfTwelveRunsFitsTheBulkAndTogglesRuns() throws {
        let folder = TemporaryDirectory()
        let runs = (0..<12).map { index -> SyntheticRun in
            var run = SyntheticRun()
            run.name = "sweep/run-\(index)"
            if index == 3 { run.spikes["loss/discriminator"] = (100, 1.25e10) }
            return run
        }
        let (database, _) = try SyntheticRun.database(in: folder, runs: runs)
        let html = try ComparisonPage(try RunComparison(try runs.map { try RunData.load($0.name, from: database) })).html()
        let page = try OpenPage(html, in: folder, name: "compare.html")
        #expect(page.value("document.querySelectorAll('\(page.selector("Discriminator loss", "label.series input"))').length") as? Int == 12)
        let fitted = page.graph("Discriminator loss", "g.yAxisRange()") as? [Double] ?? []
        #expect(fitted.count == 2 && fitted[1] < 100, "\(fitted)")
        #expect(try page.browser.click(page.selector("Discriminator loss", "input[data-series=\"sweep/run-0\"]"), session: page.session))
        #expect((page.graph("Discriminator loss", "g.visibility().filter(v => !v).length") as? Int) == 1)
        #expect(try page.browser.click(page.selector("Discriminator loss", "input[data-option=\"bulk\"]"), session: page.session))
        #expect(page.graph("Discriminator loss", "g.yAxisRange()[1]") as? Double ?? 0 > 1e9)
        try page.screenshot("compare-twelve.png")
    }

    /// The chart data beside each SVG is JSON that no name can break out of (`<`, `&` escaped),
    /// with one row per step and a "gap" where a value was not finite.
    @Test func chartDataIsJSONThatNoNameBreaksOutOf() throws {
        let folder = TemporaryDirectory()
        let runs = ["sweep/a", "sweep/</script><b>&amp;"].map { name -> SyntheticRun in
            var run = SyntheticRun()
            run.name = name
            run.nonFinite = ["loss/discriminator": [150]]
            return run
        }
        let (database, _) = try SyntheticRun.database(in: folder, runs: runs)
        let html = try ComparisonPage(try RunComparison(try runs.map { try RunData.load($0.name, from: database) })).html()
        #expect(HTMLChecks.parse(html).error == nil)
        let blocks = html.components(separatedBy: "<script type=\"application/json\" class=\"chart-data\">").dropFirst().map { $0.components(separatedBy: "</script>")[0] }
        #expect(blocks.count >= 4)
        for block in blocks {
            #expect(!block.contains("<") && !block.contains("&"), "\(block.prefix(200))")
            #expect((try? JSONSerialization.jsonObject(with: Data(block.utf8))) is [String: Any], "\(block.prefix(200))")
        }
        let losses = try #require(blocks.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.first { $0["title"] as? String == "Discriminator loss" })
        #expect((losses["series"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["sweep/a", "sweep/</script><b>&amp;"])
        let rows = try #require(losses["rows"] as? [[Any]])
        #expect(rows.count == 200 && rows.map { ($0[0] as? Double) ?? -1 } == (1...200).map(Double.init), "one row per step")
        let gap = try #require(rows.first { $0[0] as? Double == 150 })
        #expect(gap[1] as? String == "gap" && gap[2] as? String == "gap")
        #expect(rows.filter { $0.dropFirst().contains { $0 as? String == "gap" } }.count == 1)
    }
}
