import Foundation
import GanStore
import Testing

/// The reads the report views make of `metrics` and what hangs off a run, aggregated in SQL.
@Suite struct MetricStoreTests {
    /// A run with `loss` at steps 0, 2, …, 10 (NaN at 4, zero at 6), `norm/a` and `norm/b` at
    /// step 10 and two events.
    static func database() throws -> (GanDatabase, RunRecord) {
        let database = try GanDatabase.inMemory()
        let run = try RunStore(database).insert(RunRecord(name: "r", objective: "gan", datasetId: nil, seed: 1, configJson: "{}", totalSteps: 10))
        var metrics = stride(from: 0, through: 10, by: 2).map { step in
            RunJournal.Metric(key: "loss", step: step, value: step == 4 ? .nan : step == 6 ? 0 : Double(step))
        }
        metrics += [RunJournal.Metric(key: "norm/a", step: 10, value: 1), RunJournal.Metric(key: "norm/b", step: 10, value: 2),
                    RunJournal.Metric(key: "normal", step: 10, value: 3)]
        try RunJournal(database, runId: run.id!).commit(
            metrics: metrics,
            events: [RunJournal.Event(step: 8, kind: "b", severity: .info, message: "later"),
                     RunJournal.Event(step: 2, kind: "a", severity: .warning, message: "earlier")],
            currentStep: 10)
        return (database, run)
    }

    @Test func contentsDownsampleEachKeyInBucketsOfSteps() throws {
        let (database, run) = try Self.database()
        let contents = try RunStore(database).contents(of: run, bucketsPerKey: 2)
        #expect(contents.bucketSize == 5)
        #expect(contents.series["loss"] == [
            MetricBucket(firstStep: 0, lastStep: 4, mean: 1, minimum: 0, maximum: 2, count: 3, nonFiniteCount: 1, zeroCount: 1),
            MetricBucket(firstStep: 6, lastStep: 8, mean: 4, minimum: 0, maximum: 8, count: 2, nonFiniteCount: 0, zeroCount: 1),
            MetricBucket(firstStep: 10, lastStep: 10, mean: 10, minimum: 10, maximum: 10, count: 1, nonFiniteCount: 0, zeroCount: 0),
        ])
        #expect(contents.series.keys.sorted() == ["loss", "norm/a", "norm/b", "normal"])
        #expect(contents.events.map(\.message) == ["earlier", "later"])
        #expect(contents.evaluations.isEmpty && contents.checkpointSteps.isEmpty && contents.dataset == nil)
    }

    @Test func valuesByKeyPrefixAndNearestRecordedSteps() throws {
        let (database, run) = try Self.database()
        let store = MetricStore(database)
        #expect(try store.values(runId: run.id!, keyPrefix: "norm/", step: 10) == ["norm/a": 1, "norm/b": 2])
        #expect(try store.values(runId: run.id!, keyPrefix: "loss", step: 4) == ["loss": Double?.none])
        #expect(try store.nearestSteps(runId: run.id!, key: "loss", to: [3, 5, 9, 100, -1]) == [0, 4, 6, 10])
        #expect(try store.nearestSteps(runId: run.id!, key: "missing", to: [3]) == [])
    }
}
