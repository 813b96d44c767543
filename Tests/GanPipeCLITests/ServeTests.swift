import Foundation
import GanTestSupport
import Testing

/// `ganpipe serve` against a real server process while a run trains in another: the runs page,
/// a run's page and the change token follow the database as the run advances; every served
/// page carries the live script (the static files never do); unknown runs and bad requests are
/// one-line error pages with their status; serving changes no file.
@Suite(.serialized) struct ServeTests {
    /// A started `ganpipe serve` and the address it printed.
    final class Server {
        let process = Process()
        let address: String

        init(database: String, extra: [String] = []) throws {
            process.executableURL = URL(fileURLWithPath: GanPipeProcess.executablePath)
            process.arguments = ["serve", "--db", database, "--port", "0", "--poll", "200"] + extra
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line += chunk
            }
            let text = String(decoding: line, as: UTF8.self)
            address = text.components(separatedBy: " at ").dropFirst().first?.components(separatedBy: " ").first ?? ""
        }

        /// SIGTERM must end the server within seconds; one that ignores it is killed and the test
        /// fails instead of hanging.
        deinit {
            process.terminate()
            let ended = waitUntil(timeout: .seconds(15), pollingEvery: .milliseconds(20)) { !process.isRunning }
            if !ended { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            #expect(ended, "ganpipe serve did not stop on SIGTERM")
        }

        func get(_ path: String) throws -> (status: Int, body: String) {
            let port = try #require(address.split(separator: ":").last.flatMap { UInt16($0.prefix { $0.isNumber }) }, "no port in '\(address)'")
            return httpGet(port: port, path: path)
        }
    }

    static func step(in page: String) -> Int? {
        page.components(separatedBy: "running at step ").dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) }
    }

    @Test func pagesFollowARunAsItTrains() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("serve.sqlite")
        #expect(try GanPipeProcess.run(["data", "generate", "8gaussians", "--samples", "400", "--name", "points", "--db", path]).status == 0)
        let trainer = Process()
        trainer.executableURL = URL(fileURLWithPath: GanPipeProcess.executablePath)
        trainer.arguments = ["train", "--db", path, "--dataset", "points", "--objective", "wgan-gp", "--steps", "1000000", "--name", "live",
                             "--metrics-every", "5", "--generator-width", "16", "--discriminator-width", "16"]
        trainer.standardError = FileHandle.nullDevice
        trainer.standardOutput = FileHandle.nullDevice
        try trainer.run()
        defer { trainer.terminate(); trainer.waitUntilExit() }
        #expect(waitUntil(timeout: .seconds(60), pollingEvery: .milliseconds(100)) { (try? GanPipeProcess.run(["runs", "--db", path]).standardOutput.contains("running")) == true })

        let server = try Server(database: path)
        #expect(server.address.hasPrefix("http://127.0.0.1:"), "binds this machine only by default: \(server.address)")
        let runs = try server.get("/")
        #expect(runs.status == 200 && runs.body.contains("<table id=\"run-table\">") && runs.body.contains(">live</a>"), "\(runs.body.prefix(300))")
        #expect(runs.body.contains("/api/changes") && runs.body.contains("ganpipe-live"), "served pages carry the live script")
        #expect(runs.body.contains("<select name=\"dataset\"><option value=\"\" selected=\"selected\">all</option><option value=\"points\">points</option></select>"))
        let none = try server.get("/?dataset=other")
        #expect(none.status == 200 && none.body.contains("No run matches these filters."))

        let first = try server.get("/runs/live")
        #expect(first.status == 200 && first.body.contains("/api/changes"))
        let firstStep = try #require(Self.step(in: first.body), "\(first.body.prefix(2000))")
        let token = try server.get("/api/changes").body
        #expect(waitUntil(timeout: .seconds(60), pollingEvery: .milliseconds(100)) { (try? server.get("/api/changes").body) != token }, "the change token moves as the run trains")
        #expect(waitUntil(timeout: .seconds(60), pollingEvery: .milliseconds(100)) { (try? server.get("/runs/live")).flatMap { Self.step(in: $0.body) }.map { $0 > firstStep } ?? false })

        let unknown = try server.get("/runs/nope")
        #expect(unknown.status == 404 && unknown.body.contains("no run named or numbered 'nope'"), "\(unknown.body.prefix(300))")
        let nearMiss = try server.get("/runs/lve")
        #expect(nearMiss.status == 404 && nearMiss.body.contains("did you mean 'live'?"), "\(nearMiss.body.prefix(300))")
        let single = try server.get("/compare?run=live")
        #expect(single.status == 400 && single.body.contains("a comparison needs at least two runs"))
        // The static report has no live script: only served pages do.
        let report = folder.file("live.html")
        #expect(try GanPipeProcess.run(["report", "live", "--db", path, "--out", report]).status == 0)
        #expect(!(try String(contentsOfFile: report, encoding: .utf8)).contains("/api/changes"))
    }

    @Test func servingChangesNoFileAndRefusesWhatIsNotADatabase() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("quiet.sqlite")
        #expect(try GanPipeProcess.run(["data", "generate", "8gaussians", "--samples", "200", "--name", "points", "--db", path]).status == 0)
        #expect(try GanPipeProcess.run(["train", "--db", path, "--dataset", "points", "--objective", "gan", "--steps", "2",
                                        "--generator-width", "8", "--discriminator-width", "8", "--name", "done"]).status == 0)
        let before = FileSnapshot(folder: folder.path)
        do {
            let server = try Server(database: path)
            for page in ["/", "/runs/done", "/runs/1", "/api/changes", "/api/events?after=0", "/compare?run=done&run=done"] {
                #expect(try server.get(page).status != 0, "\(page)")
            }
        }
        #expect(FileSnapshot(folder: folder.path) == before)
        try expectRefused(["serve", "--db", folder.file("missing.sqlite")], in: folder, mentioning: ["no database at"])
        try expectRefused(["serve", "--db", path, "--port", "70000"], in: folder, mentioning: ["--port must be 0…65535"])
    }

    /// The pages in a real browser (Debian's headless Chromium over the DevTools protocol) while
    /// a run trains: the run page's step advances without a reload, a warning recorded after
    /// the page opened appears in its events box, the runs page and a comparison draw; a
    /// screenshot of each is saved in `.build/test-screenshots/`.
    @Test func aBrowserSeesTheRunAdvanceAndItsEventsWithoutReloading() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("browser.sqlite")
        #expect(try GanPipeProcess.run(["data", "generate", "8gaussians", "--samples", "400", "--name", "points", "--db", path]).status == 0)
        func trainer(_ name: String, steps: Int, _ extra: [String] = []) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: GanPipeProcess.executablePath)
            process.arguments = ["train", "--db", path, "--dataset", "points", "--objective", "wgan-gp", "--steps", String(steps), "--name", name,
                                 "--metrics-every", "5", "--generator-width", "16", "--discriminator-width", "16"] + extra
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        #expect(try GanPipeProcess.run(["train", "--db", path, "--dataset", "points", "--objective", "gan", "--steps", "20", "--name", "short",
                                        "--generator-width", "16", "--discriminator-width", "16"]).status == 0)
        let live = try trainer("live", steps: 1_000_000)
        defer { live.terminate(); live.waitUntilExit() }
        #expect(waitUntil(timeout: .seconds(60), pollingEvery: .milliseconds(100)) { (try? GanPipeProcess.run(["runs", "--db", path]).standardOutput.contains("running")) == true })
        let server = try Server(database: path)
        let browser = try HeadlessBrowser()
        let shots = FileManager.default.currentDirectoryPath + "/.build/test-screenshots"
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)

        let page = try browser.open(server.address + "runs/live")
        func value(_ expression: String) -> Any? { try? browser.evaluate(expression, session: page) }
        let stepExpression = "(document.body.innerText.match(/running at step (\\d+)/) || [])[1] || null"
        #expect(waitUntil(timeout: .seconds(30), pollingEvery: .milliseconds(100)) { value("document.getElementById('ganpipe-live') !== null") as? Bool == true })
        // A run that has only just started may have no chart yet: the page then reloads once
        // when its first metrics arrive (to load the chart library), and is redrawn in place after.
        #expect(waitUntil(timeout: .seconds(30), pollingEvery: .milliseconds(100)) { value("document.querySelector('figure.chart[data-interactive]') !== null") as? Bool == true })
        let first = try #require((value(stepExpression) as? String).flatMap { Int($0) }, "\(value("document.body.innerText.slice(0, 500)") ?? "")")
        _ = value("window.ganpipeOpened = true")
        #expect(waitUntil(timeout: .seconds(60), pollingEvery: .milliseconds(200)) {
            (value(stepExpression) as? String).flatMap { Int($0) }.map { $0 > first } ?? false
        }, "the step shown advances while the run trains")
        #expect(value("window.ganpipeOpened === true && Number(document.body.dataset.redraws) > 0") as? Bool == true, "redrawn in place, not reloaded")
        #expect(value("document.querySelectorAll('svg').length > 0") as? Bool == true, "the redrawn page still has its charts")

        // Chart choices outlive the redraws: a hidden series stays hidden, a log axis stays log.
        func chart(_ title: String) -> String { "document.querySelector('figure.chart[data-chart-key=\"\(title) #1\"]')" }
        _ = value("\(chart("Losses")).querySelector('input[data-series=\"generator loss\"]').click()")
        let logarithmic = value("\(chart("Gradient penalty")).graph.getOption('logscale')") as? Bool
        _ = value("\(chart("Gradient penalty")).querySelector('input[data-option=\"log\"]').click()")
        _ = value("\(chart("Losses")).graph.mark = 'drawn before'")
        let lastStep = value("\(chart("Losses")).graph.xAxisRange()[1]") as? Double ?? .infinity
        let redraws = value("Number(document.body.dataset.redraws)") as? Int ?? 0
        #expect(waitUntil(timeout: .seconds(30), pollingEvery: .milliseconds(200)) { (value("Number(document.body.dataset.redraws)") as? Int ?? 0) > redraws + 1 })
        #expect(value("\(chart("Losses")).graph.visibility().join(',')") as? String == "true,false")
        #expect(value("\(chart("Losses")).querySelector('input[data-series=\"generator loss\"]').checked") as? Bool == false)
        #expect(logarithmic != nil && value("\(chart("Gradient penalty")).graph.getOption('logscale')") as? Bool == !(logarithmic ?? true))
        #expect(value("\(chart("Losses")).graph.mark") as? String == "drawn before", "the chart is kept through the redraw, not rebuilt")
        #expect(value("\(chart("Losses")).graph.xAxisRange()[1]") as? Double ?? 0 > lastStep, "and it takes the new steps")
        #expect(value("Object.keys(window.ganpipeCharts.figures).length === document.querySelectorAll('figure.chart[data-interactive]').length") as? Bool == true,
                "the charts of replaced pages are released")

        // A run that explodes at once, started after the page opened: its warnings reach the box.
        let loud = try trainer("loud", steps: 40, ["--metrics-every", "2", "--exploding-threshold", "0.001", "--vanishing-threshold", "0"])
        loud.waitUntilExit()
        #expect(waitUntil(timeout: .seconds(30), pollingEvery: .milliseconds(200)) {
            (value("document.getElementById('ganpipe-live-events').innerText") as? String)?.contains("loud: warning at step") == true
        }, "\(value("document.getElementById('ganpipe-live').innerText") ?? "")")
        try browser.screenshot(session: page, to: shots + "/run-live.png")

        let runs = try browser.open(server.address + "?status=completed")
        #expect(waitUntil(timeout: .seconds(30), pollingEvery: .milliseconds(100)) {
            (try? browser.evaluate("Array.from(document.querySelectorAll('#run-table a')).map(a => a.textContent).join(' ')", session: runs)) as? String == "short loud"
        }, "the status filter leaves the running run out; oldest first")
        try browser.screenshot(session: runs, to: shots + "/runs-completed.png")
        let comparison = try browser.open(server.address + "compare?run=live&run=short")
        #expect(waitUntil(timeout: .seconds(30), pollingEvery: .milliseconds(100)) {
            (try? browser.evaluate("document.querySelectorAll('svg').length", session: comparison)) as? Int ?? 0 > 0
        })
        try browser.screenshot(session: comparison, to: shots + "/compare.png")
    }

    /// A report's checkpoint slider in a real browser: the latest checkpoint shows first, moving
    /// the slider shows the chosen one and hides the others; on a served page it keeps its step
    /// when the page is redrawn.
    @Test func aReportsCheckpointSliderWorksInABrowser() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("slider.sqlite")
        for arguments in [["data", "generate", "8gaussians", "--samples", "400", "--name", "points"],
                          ["train", "--dataset", "points", "--objective", "gan", "--steps", "30", "--checkpoint-every", "10", "--name", "short",
                           "--generator-width", "16", "--discriminator-width", "16"],
                          ["eval", "short", "--checkpoints", "all", "--samples", "200"],
                          ["report", "short", "--out", folder.file("short.html")]] {
            let outcome = try GanPipeProcess.run(arguments + ["--db", path])
            #expect(outcome.status == 0, "\(outcome)")
        }
        let browser = try HeadlessBrowser()
        let page = try browser.open("file://" + folder.file("short.html"))
        func value(_ expression: String) -> Any? { try? browser.evaluate(expression, session: page) }
        let shown = "Array.from(document.querySelectorAll('#samples .checkpoint')).filter(item => !item.hidden).map(item => item.dataset.step).join(',')"
        #expect(waitUntil(timeout: .seconds(30), pollingEvery: .milliseconds(100)) { value(shown) as? String == "30" }, "\(value(shown) ?? "nothing")")
        #expect(value("document.querySelectorAll('#samples label.slider input').length") as? Int == 1)
        _ = value("(function () { var input = document.querySelector('#samples label.slider input'); input.value = '0'; input.dispatchEvent(new Event('input')); })()")
        #expect(value(shown) as? String == "0", "the first evaluated checkpoint, step 0")
        #expect((value("document.querySelector('#samples label.slider').textContent") as? String)?.contains("step 0 (1 of 4)") == true)
        let shots = FileManager.default.currentDirectoryPath + "/.build/test-screenshots"
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        _ = value("document.getElementById('samples').scrollIntoView()")
        try browser.screenshot(session: page, to: shots + "/report-slider.png")

        // Served, the page is redrawn when the run is tagged; the slider stays where it was put.
        let server = try Server(database: path)
        let served = try browser.open(server.address + "runs/short")
        func servedValue(_ expression: String) -> Any? { try? browser.evaluate(expression, session: served) }
        #expect(waitUntil(timeout: .seconds(30), pollingEvery: .milliseconds(100)) { servedValue(shown) as? String == "30" })
        _ = servedValue("(function () { var input = document.querySelector('#samples label.slider input'); input.value = '1'; input.dispatchEvent(new Event('input')); })()")
        #expect(servedValue(shown) as? String == "10")
        #expect(try GanPipeProcess.run(["tag", "short", "kept", "--db", path]).status == 0)
        #expect(waitUntil(timeout: .seconds(30), pollingEvery: .milliseconds(100)) { servedValue("Number(document.body.dataset.redraws)") as? Int ?? 0 > 0 },
                "a tag redraws the page")
        #expect(servedValue(shown) as? String == "10", "the slider keeps its step through the redraw")
        #expect(servedValue("document.querySelectorAll('#samples label.slider').length") as? Int == 1, "one slider, rebuilt")
    }
}
