import Foundation
import GanSchema
import GanEvaluator
import GanNN
import GanStore
import GanTensor
import GanTestSupport
import GRDB
import Testing

/// The stage against a real database: checkpoints written by hand (collapsed, broken and
/// non-finite generators), datasets with and without modes, labels and test splits.
@Suite struct EvaluatorStageTests {
    /// A file database with the 8gaussians test data (with the loader's mode metadata).
    static func database(in folder: TemporaryDirectory, testCount: Int = 400) throws -> GanDatabase {
        let database = try GanDatabase.open(path: folder.file("eval.sqlite"))
        let modes = MetricTests.eightModes.map { "[\($0[0]),\($0[1])]" }.joined(separator: ",")
        try TestDatasets.insertEightGaussians(into: database, count: 2400, testCount: testCount,
                                              metadataJson: "{\"modes\":[\(modes)],\"mode_std\":\(MetricTests.std)}")
        return database
    }

    /// A run on `dataset` with one checkpoint per (step, generator).
    @discardableResult
    static func insertRun(_ name: String, dataset: String = "8gaussians", into database: GanDatabase,
                          checkpoints: [(Int, [CheckpointBlob])]) throws -> RunRecord {
        let datasetId = try DatasetStore(database).find(dataset).id
        let run = try RunStore(database).insert(RunRecord(
            name: name, objective: "gan", datasetId: datasetId, seed: 0,
            configJson: #"{"activation":"leaky-relu","leaky_slope":0.2,"noise_dimension":2}"#, totalSteps: 10))
        for (step, blobs) in checkpoints { try CheckpointStore(database).write(blobs, runId: run.id!, step: step) }
        return run
    }

    /// A generator that maps every noise vector to `point` (plus `spread`·noise), features =
    /// point.count, and the linear discriminator D(x) = x₀ − 2·x₁ + 0.5 (on its first two features).
    static func pointGenerator(_ point: [Float], spread: Float = 0, noiseDimension: Int = 2) -> [CheckpointBlob] {
        let features = point.count
        var weight = [Float](repeating: 0, count: features * noiseDimension)
        for i in 0..<min(features, noiseDimension) { weight[i * noiseDimension + i] = spread }
        var criticWeight = [Float](repeating: 0, count: features)
        criticWeight[0] = 1
        if features > 1 { criticWeight[1] = -2 }
        return [
            CheckpointBlob.float32("generator/layers.0.weight", shape: [features, noiseDimension], values: weight),
            CheckpointBlob.float32("generator/layers.0.bias", shape: [features], values: point),
            CheckpointBlob.float32("discriminator/layers.0.weight", shape: [1, features], values: criticWeight),
            CheckpointBlob.float32("discriminator/layers.0.bias", shape: [1], values: [0.5]),
        ]
            + [CheckpointBlob(name: "state", elementType: "json", shape: [], data: Data("{}".utf8))]
    }

    static func values(_ database: GanDatabase, run: String) throws -> [String] {
        try RawDatabase(database).read {
            try String.fetchAll($0, sql: """
                SELECT step || ' ' || metric || '=' || quote(value) || ' n=' || quote(sample_count) || ' seed=' || evaluations.seed
                FROM evaluations JOIN runs ON runs.id = run_id WHERE runs.name = ? ORDER BY step, metric
                """, arguments: [run])
        }
    }

    @Test func aCollapsedGeneratorCoversOneModeAndRealDataCoversAll() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        try Self.insertRun("collapsed", into: database, checkpoints: [
            (0, Self.pointGenerator([0, 0])),
            (5, Self.pointGenerator(MetricTests.eightModes[2].map(Float.init))),
            (10, Self.pointGenerator(MetricTests.eightModes[2].map(Float.init), spread: 0.5)),
        ])
        let report = try EvaluatorStage(database).evaluate("collapsed", checkpoints: .all)
        #expect(report.checkpoints.map(\.step) == [0, 5, 10] && report.samples == 2500 && report.referenceCount == 400)
        let atZero = report.checkpoints[0].metrics, collapsed = report.checkpoints[1].metrics, spread = report.checkpoints[2].metrics
        #expect(atZero[EvaluationMetric.modesCovered] == 0 && atZero[EvaluationMetric.modeReverseKL] == .some(nil))
        #expect(collapsed[EvaluationMetric.modesCovered] == 1 && collapsed[EvaluationMetric.highQualityPercent] == 100)
        #expect(abs(collapsed[EvaluationMetric.modeReverseKL]!! - log(8.0)) < 1e-9)
        // Real training samples scored as if generated: every mode, the Gaussian rate of high quality, distances near 0.
        #expect(collapsed[EvaluationMetric.baseline(EvaluationMetric.modesCovered)] == 8)
        let baselineQuality = collapsed[EvaluationMetric.baseline(EvaluationMetric.highQualityPercent)]!!
        #expect(baselineQuality > 97.5 && baselineQuality <= 100, "\(baselineQuality)")
        #expect(collapsed[EvaluationMetric.baseline(EvaluationMetric.slicedWasserstein)]!! < 0.15)
        #expect(abs(collapsed[EvaluationMetric.baseline(EvaluationMetric.energyDistance)]!!) < 0.01)
        // Collapse is far from the data; spreading it out (still off the modes) changes the distances.
        #expect(collapsed[EvaluationMetric.slicedWasserstein]!! > 5 * collapsed[EvaluationMetric.baseline(EvaluationMetric.slicedWasserstein)]!!)
        #expect(collapsed[EvaluationMetric.energyDistance]!! > 0.5)
        #expect(spread[EvaluationMetric.highQualityPercent]!! < 10)
        #expect(report.checkpoints[1].sampleCounts[EvaluationMetric.modesCovered] == 2500)
        #expect(report.checkpoints[1].sampleCounts[EvaluationMetric.referenceCount] == 400)
    }

    @Test func evaluatingAgainReplacesRowsAndTheSameSeedGivesTheSameValues() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        try Self.insertRun("r", into: database, checkpoints: [(0, Self.pointGenerator([0.3, 0.3], spread: 0.4)),
                                                               (7, Self.pointGenerator([0.1, 0.3], spread: 0.6))])
        _ = try EvaluatorStage(database).evaluate("r", checkpoints: .latest)
        let first = try Self.values(database, run: "r")
        #expect(first.count > 10 && first.allSatisfy { $0.hasPrefix("7 ") && $0.hasSuffix("seed=0") })
        _ = try EvaluatorStage(database).evaluate("r", checkpoints: .steps([7]))
        #expect(try Self.values(database, run: "r") == first)
        _ = try EvaluatorStage(database, options: EvaluationOptions(sampleCount: 2500, seed: 99)).evaluate("r", checkpoints: .latest)
        let reseeded = try Self.values(database, run: "r")
        #expect(reseeded.count == first.count && reseeded != first)
        _ = try EvaluatorStage(database).evaluate("r", checkpoints: .all)
        #expect(try Self.values(database, run: "r").count == 2 * first.count)
        #expect(try Self.values(database, run: "r").filter { $0.hasPrefix("7 ") } == first)
        // The hook's entry point writes the same rows as the command.
        try EvaluatorStage(database).evaluate(runId: try RunStore(database).find("r").id!, step: 7)
        #expect(try Self.values(database, run: "r").filter { $0.hasPrefix("7 ") } == first)
    }

    /// What the report draws is computed here and stored with the scores: the first generated
    /// samples, and the discriminator over a window around the held-out data.
    @Test func samplesAndTheCriticFieldAreStoredForTheReport() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        let run = try Self.insertRun("r", into: database, checkpoints: [(0, Self.pointGenerator([0.3, -0.2])),
                                                                         (7, Self.pointGenerator([0.1, 0.3], spread: 0.6))])
        let views = CheckpointViewStore(database)
        _ = try EvaluatorStage(database).evaluate("r", checkpoints: .latest)
        let samples = try views.views(runId: run.id!, name: .samples)
        #expect(samples.map(\.step) == [7] && samples[0].shape == [512, 2] && samples[0].meta.seed == 0)
        // The stored samples are the evaluator's: a second evaluation with the same seed stores the same ones.
        _ = try EvaluatorStage(database).evaluate("r", checkpoints: .all)
        let both = try views.views(runId: run.id!, name: .samples)
        #expect(both.map(\.step) == [0, 7] && both[1].values == samples[0].values)
        #expect(both[0].values == [Float](repeating: 0, count: 1024).enumerated().map { $0.offset % 2 == 0 ? 0.3 : -0.2 })
        let fields = try views.views(runId: run.id!, name: .criticField)
        #expect(fields.map(\.step) == [0, 7] && fields[0].shape == [48, 48] && fields[0].meta.output == "logit")
        let window = try #require(fields[0].meta.window)
        // The window holds the held-out 8gaussians data (modes at radius √2) with a 30% margin.
        #expect(window[0] < -1.6 && window[1] > 1.6 && window[2] < -1.6 && window[3] > 1.6 && window[1] - window[0] < 4)
        for (row, column) in [(0, 0), (0, 47), (17, 30), (47, 47)] {
            let x = window[0] + Double(column) * (window[1] - window[0]) / 47, y = window[2] + Double(row) * (window[3] - window[2]) / 47
            #expect(abs(Double(fields[0].values[row * 48 + column]) - (x - 2 * y + 0.5)) < 1e-4)
        }
        // Deleting the run deletes its views.
        try RawDatabase(database).write { try $0.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [run.id]) }
        #expect(try views.views(runId: run.id!, name: .samples).isEmpty)
    }

    @Test func aNonFiniteGeneratorGivesNullDistancesNotACrash() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        try Self.insertRun("nan", into: database, checkpoints: [(3, Self.pointGenerator([.nan, 0]))])
        let result = try EvaluatorStage(database).evaluate("nan", checkpoints: .latest).checkpoints[0].metrics
        #expect(result[EvaluationMetric.nonFinitePercent] == 100 && result[EvaluationMetric.modesCovered] == 0)
        #expect(result[EvaluationMetric.slicedWasserstein] == .some(nil) && result[EvaluationMetric.energyDistance] == .some(nil))
        let stored = try Self.values(database, run: "nan")
        #expect(stored.contains("3 sliced_wasserstein=NULL n=2500 seed=0"))
    }

    @Test func refusedRequestsLeaveTheDatabaseUnchanged() throws {
        let folder = TemporaryDirectory()
        let database = try Self.database(in: folder)
        try Self.insertRun("r", into: database, checkpoints: [(0, Self.pointGenerator([0, 0])), (10, Self.pointGenerator([1, 0]))])
        try Self.insertRun("wide", into: database, checkpoints: [(1, Self.pointGenerator([0, 0, 0]))])
        try Self.insertRun("empty", into: database, checkpoints: [])
        try TestDatasets.insert([0, 1, 2, 3], shape: [2, 2], into: database, name: "no-test")
        try Self.insertRun("untestable", dataset: "no-test", into: database, checkpoints: [(1, Self.pointGenerator([0, 0]))])
        try Self.insertRun("broken", into: database, checkpoints: [(1, [CheckpointBlob(name: "generator/layers.0.weight",
                                                                                          elementType: "float32", shape: [2, 2], data: Data(count: 16))])])
        try database.close()
        let path = folder.file("eval.sqlite")
        let before = try DatabaseDump.digest(path)
        let reopened = try GanDatabase.open(path: path)
        let stage = EvaluatorStage(reopened)
        let cases: [(() throws -> Void, String)] = [
            ({ _ = try stage.evaluate("r", checkpoints: .steps([0, 5])) }, "no complete checkpoint at step 5; its checkpoints are at steps 0, 10"),
            ({ _ = try stage.evaluate("ghost", checkpoints: .latest) }, "no run named or numbered 'ghost'"),
            ({ _ = try stage.evaluate("empty", checkpoints: .latest) }, "has no complete checkpoint to evaluate"),
            ({ _ = try stage.evaluate("wide", checkpoints: .latest) }, "makes 3 features but dataset '8gaussians' has 2"),
            ({ _ = try stage.evaluate("untestable", checkpoints: .latest) }, "has no held-out test split"),
            ({ _ = try stage.evaluate("broken", checkpoints: .latest) }, "layers.0.bias is missing"),
            ({ _ = try EvaluatorStage(reopened, options: EvaluationOptions(sampleCount: 1)).evaluate("r", checkpoints: .latest) }, "--samples must be between 2"),
            ({ _ = try CheckpointSelection(parsing: "1,x") }, "--checkpoints must be latest, all, or steps"),
        ]
        for (attempt, message) in cases {
            do {
                try attempt()
                Issue.record("expected an error containing \(message)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
                #expect(!"\(error)".contains("\n"))
            }
        }
        // A corrupt checkpoint part is detected, not loaded, and no row is written for the run.
        try RawDatabase(reopened).write { db in
            try db.execute(sql: "UPDATE checkpoint_parts SET data = zeroblob(length(data)) WHERE name = 'generator/layers.0.bias' AND checkpoint_id = (SELECT id FROM checkpoints WHERE step = 10)")
        }
        let corrupted = try DatabaseDump.digest(path)
        #expect(throws: StoreError.self) { _ = try stage.evaluate("r", checkpoints: .all) }
        try reopened.close()
        #expect(try DatabaseDump.digest(path) == corrupted)
        #expect(corrupted != before)
    }

    /// A labelled 4×4 "image" dataset with 4 classes: the classifier is trained once, stored as
    /// a pseudo-run with its accuracy, and reused; real data scores near the class count.
    @Test func theClassifierOfAnImageDatasetIsTrainedOnceAndStored() throws {
        let folder = TemporaryDirectory()
        let database = try GanDatabase.open(path: folder.file("images.sqlite"))
        var generator = PhiloxGenerator(seed: 6)
        var values: [Float] = [], labels: [UInt8] = []
        for _ in 0..<1000 {
            let label = generator.nextIndex(below: 4)
            labels.append(UInt8(label))
            for pixel in 0..<16 { values.append((pixel / 4 == label ? 0.8 : 0.1) + 0.15 * generator.nextNormal()) }
        }
        let dataset = try TestDatasets.insert(values, shape: [1000, 4, 4], into: database, name: "blocks", testCount: 200, labels: labels)
        try Self.insertRun("image-gan", dataset: "blocks", into: database, checkpoints: [
            (0, Self.pointGenerator([Float](repeating: 0.1, count: 16), spread: 0.2)),
        ])
        let first = try EvaluatorStage(database).evaluate("image-gan", checkpoints: .latest)
        let classifier = try #require(first.classifier)
        #expect(classifier.trainedNow && classifier.run == "classifier/blocks" && classifier.testCount == 200)
        #expect(classifier.testAccuracy! > 0.97)
        let metrics = first.checkpoints[0].metrics
        #expect(metrics[EvaluationMetric.baseline(EvaluationMetric.classifierScore)]!! > 3.5)
        #expect(metrics[EvaluationMetric.baseline(EvaluationMetric.classesCovered)] == 4)
        #expect(metrics[EvaluationMetric.baseline(EvaluationMetric.frechetDistance)]!! < 0.1 * metrics[EvaluationMetric.frechetDistance]!!)
        #expect(metrics[EvaluationMetric.classifierScore]!! < 2 && metrics[EvaluationMetric.modesCovered] == nil)
        let second = try EvaluatorStage(database).evaluate("image-gan", checkpoints: .latest)
        #expect(second.classifier?.trainedNow == false)
        #expect(second.checkpoints[0].metrics == metrics)
        let stored = try RawDatabase(database).read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.status, r.total_steps, json_extract(r.config_json, '$.dataset_sha256') AS sha, c.step, e.metric, e.value, e.sample_count
                FROM runs r JOIN checkpoints c ON c.run_id = r.id JOIN evaluations e ON e.run_id = r.id
                WHERE r.objective = 'classifier' ORDER BY e.metric
                """)
        }
        #expect(stored.count == 3 && stored.allSatisfy { $0["status"] == "completed" && $0["sha"] == dataset.contentSha256 })
        #expect(stored.map { $0["metric"] as String } == ["classifier/test_accuracy", "classifier/test_loss", "classifier/train_accuracy"])
        let losses = try RawDatabase(database).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM metrics WHERE key = 'loss/classifier'") }
        #expect(losses ?? 0 >= 10)
        // A classifier pseudo-run is not itself evaluated.
        #expect(throws: EvaluatorError.self) { _ = try EvaluatorStage(database).evaluate("classifier/blocks", checkpoints: .latest) }
    }
}
