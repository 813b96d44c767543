import Foundation
import GanTestSupport
import Testing

/// Data augmentation as a user measures it on the shipped 8×8 digits: a small labelled set of
/// 15 images per class, a class-conditional DCGAN trained on it, and classifiers trained without
/// and with its samples — stored with their provenance, reused by a rerun, from the command
/// line and from a pipeline; and the mistakes refused in one line.
@Suite struct AugmentCommandTests {
    static let generatorArguments = ["train", "--dataset", "digits-15", "--architecture", "dcgan", "--channels", "4", "--batch-size", "16",
                                     "--noise-dim", "8", "--objective", "nsgan", "--steps", "60", "--checkpoint-every", "30"]

    @Test func classifiersWithAndWithoutGeneratedSamplesAreStoredAndReused() throws {
        let folder = TemporaryDirectory()
        let path = try ConvolutionalCommandTests.digits(in: folder)
        func run(_ arguments: [String]) throws -> GanPipeProcess.Outcome {
            let outcome = try GanPipeProcess.run(arguments + ["--db", path])
            #expect(outcome.status == 0, "\(arguments): \(outcome)")
            return outcome
        }
        _ = try run(["data", "subset", "digits", "--per-class", "15", "--seed", "2", "--name", "digits-15"])
        let shown = try run(["data", "show", "digits-15"])
        #expect(shown.standardOutput.contains("150 train, 180 test") && shown.standardOutput.contains("at most 15 training samples per class (seed 2)"), "\(shown)")
        _ = try run(Self.generatorArguments + ["--conditional", "--name", "cgan"])
        _ = try run(Self.generatorArguments + ["--name", "plain"])

        let first = try run(["augment", "--dataset", "digits-15", "--generator", "cgan", "--per-class", "20", "--seeds", "1", "2", "--json"])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(first.standardOutput.utf8)) as? [String: Any], "\(first)")
        let classifiers = try #require(summary["classifiers"] as? [[String: Any]])
        #expect(classifiers.count == 4)
        #expect(classifiers.allSatisfy { ($0["reused"] as? Bool) == false })
        #expect(classifiers.map { $0["train_count"] as? Int } == [150, 350, 150, 350])
        let accuracies = classifiers.compactMap { $0["test_accuracy"] as? Double }
        #expect(accuracies.count == 4 && accuracies.allSatisfy { $0 > 0.5 && $0 <= 1 }, "\(accuracies)")
        // Stored as classifier runs with their provenance; the dataset's own classifier is not one of them.
        let stored = try run(["sql", """
            SELECT r.name, json_extract(r.config_json, '$.kind'), json_extract(r.config_json, '$.generator'),
                   json_extract(r.config_json, '$.generated_per_class'), e.value
            FROM runs r JOIN evaluations e ON e.run_id = r.id
            WHERE r.objective = 'classifier' AND e.metric = 'classifier/test_accuracy' ORDER BY r.name
            """, "--format", "csv"])
        let rows = stored.standardOutput.split(separator: "\n").dropFirst()
        #expect(rows.count == 4, "\(stored)")
        #expect(rows.filter { $0.contains("/real,augmentation,,,") }.count == 2, "\(stored)")
        #expect(rows.filter { $0.contains(",augmentation,cgan,20,") }.count == 2, "\(stored)")

        // A rerun reuses every classifier, and the table says the same.
        let again = try run(["augment", "--dataset", "digits-15", "--generator", "cgan", "--per-class", "20", "--seeds", "1", "2"])
        #expect(again.standardOutput.contains("seed   real") && again.standardOutput.contains("mean"), "\(again)")
        let count = try run(["sql", "SELECT count(*) FROM runs WHERE name LIKE 'augment/%'", "--format", "csv"])
        #expect(count.standardOutput.contains("\n4"), "\(count)")
        // A pattern naming them reaches them (`delete 'augment/…'` to compute them again).
        let deleted = try run(["delete", "augment/digits-15/seed=2/*", "--dry-run"])
        #expect(deleted.standardOutput.contains("augment/digits-15/seed=2/real") && !deleted.standardOutput.contains("seed=1"), "\(deleted)")
        // Evaluating a run on the subset trains the dataset's own classifier, not a reused one.
        _ = try run(["eval", "cgan"])
        let own = try run(["sql", "SELECT count(*) FROM runs WHERE name = 'classifier/digits-15'", "--format", "csv"])
        #expect(own.standardOutput.contains("\n1"), "\(own)")

        for (arguments, words) in [
            (["--generator", "plain"], ["not class-conditional", "conditional: true"]),
            (["--generator", "cgan", "--per-class", "0"], ["per_class must be between 1 and 100000"]),
            (["--generator", "cgan", "--seeds", "1", "1"], ["each once"]),
            (["--generator", "nothing"], ["no run named or numbered 'nothing'"]),
        ] {
            try expectRefused(["augment", "--dataset", "digits-15", "--db", path] + arguments, in: folder, mentioning: words)
        }
        try expectRefused(["augment", "--dataset", "digits", "--generator", "cgan", "--db", path], in: folder,
                          mentioning: ["run 'cgan' was trained on digits-15, not digits"])
    }

    @Test func aPipelineRunsItsAugmentationAfterTrainingAndSkipsItOnARerun() throws {
        let folder = TemporaryDirectory()
        let csv = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../data/digits.csv.gz").standardized.path
        let file = folder.file("augment.yaml")
        /// The pipeline, augmenting with the samples of run `generator`.
        func write(generator: String) throws {
            try """
                pipeline: aug
                datasets:
                  digits: {import: \(csv), labels_column: last, sample_shape: [8, 8], scale: 0.0625}
                  digits-15: {subset: digits, per_class: 15, seed: 2}
                train: {conditional: true, architecture: dcgan, channels: 4, batch_size: 16, noise_dimension: 8, steps: 60, checkpoint_every: 30}
                matrix:
                  dataset: [digits-15]
                  objective: [nsgan]
                evaluate: {enabled: false}
                augment:
                  - {dataset: digits-15, generator: \(generator), per_class: 20, seeds: [1]}
                """.write(toFile: file, atomically: true, encoding: .utf8)
        }
        try write(generator: "aug/digits-15/nsgan")
        let path = folder.file("aug.sqlite")
        let first = try GanPipeProcess.run(["run", file, "--db", path])
        #expect(first.status == 0, "\(first)")
        #expect(first.standardOutput.contains("test accuracy on digits-15, without and with 20 samples per class of aug/digits-15/nsgan"), "\(first)")
        #expect(first.standardError.contains("augment: training augment/digits-15/seed=1/real"), "\(first)")
        let second = try GanPipeProcess.run(["run", file, "--db", path, "--json"])
        #expect(second.status == 0 && !second.standardError.contains("augment: training"), "\(second)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(second.standardOutput.utf8)) as? [String: Any])
        let augmentations = try #require(summary["augmentations"] as? [[String: Any]])
        let result = try #require(augmentations.first?["result"] as? [String: Any])
        #expect((result["classifiers"] as? [[String: Any]])?.allSatisfy { $0["reused"] as? Bool == true } == true, "\(result)")

        // A generator that is neither a run of the pipeline nor stored is refused before anything trains, in one line.
        try write(generator: "aug/digits-15/wgan")
        let before = try DatabaseDump.digest(path)
        let missing = try GanPipeProcess.run(["run", file, "--db", path])
        #expect(missing.status != 0 && missing.stderrLines.count == 1
                && missing.standardError.contains("augment.generator: 'aug/digits-15/wgan' is neither a run of this pipeline nor stored"), "\(missing)")
        #expect(try DatabaseDump.digest(path) == before)
    }
}
