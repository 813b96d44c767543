import Foundation
import GanReport
import GanStore
import GanTestSupport
import Testing

/// A 100,000-step run's report stays small and quick: metrics are downsampled when read.
@Suite struct LongRunTests {
    @Test func aHundredThousandStepReportStaysUnderFiveMegabytes() throws {
        let folder = TemporaryDirectory()
        var run = SyntheticRun()
        run.steps = 100_000
        run.discriminatorDepth = 6
        run.checkpointSteps = [0, 50_000, 100_000]
        run.evaluations = (1...20).map { (5000 * $0, "sliced_wasserstein", 1.0 / Double($0)) }
        run.events = (1...300).map { (300 * $0, "exploding", "grad_norm/discriminator/layers.0.weight above 1000.0 for 10 recorded steps (now 1.2e+03)") }
        run.nonFinite = ["loss/generator": [77_777]]
        let (database, _) = try SyntheticRun.database(in: folder, runs: [run])
        let rows = try RawDatabase(database).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM metrics") ?? 0 }
        #expect(rows == 100_000 * run.metricKeys.count)

        let data = try RunData.load("synthetic", from: database)
        let html = try RunReport(data).html()
        #expect(data.bucketSize == 200)
        #expect(data.series["loss/discriminator"]!.points.count <= 501)
        #expect(html.utf8.count < 5_000_000, "\(html.utf8.count) bytes")
        #expect(html.utf8.count < 1_500_000, "\(html.utf8.count) bytes: downsampling should keep it well below the limit")
        let parsed = HTMLChecks.parse(html)
        #expect(parsed.error == nil)
        // Opens fast: a bounded number of elements for the browser to lay out.
        #expect(parsed.elements.values.reduce(0, +) < 40_000, "\(parsed.elements)")
        #expect(html.contains("mean over 200 consecutive steps"))
        // The lone non-finite value survives downsampling as a marked bucket.
        #expect(data.series["loss/generator"]!.nonFiniteCount == 1)
        #expect(html.contains("1 point not finite"))
    }
}
