import Foundation
import GanStore
import GanTestSupport
import Testing

/// `ganpipe score`: anomaly scores from a trained run. The discriminator score is −D(x) as the
/// evaluator computes D over the plane; points far from the data score higher by reconstruction
/// (the discriminator, never trained there, may well rate them as more real: it does on this
/// run); the latent search lowers what it minimises; the same seed gives the same file; data of
/// another shape or scale is refused in one line.
@Suite struct ScoreCommandTests {
    static func trainedRun(in folder: TemporaryDirectory) throws -> String {
        let path = folder.file("score.sqlite")
        for arguments in [["data", "generate", "8gaussians", "--samples", "1000", "--name", "points"],
                          ["train", "--dataset", "points", "--objective", "nsgan", "--steps", "400", "--checkpoint-every", "200",
                           "--generator-width", "32", "--discriminator-width", "32", "--name", "ring", "--seed", "2"]] {
            let outcome = try GanPipeProcess.run(arguments + ["--db", path])
            #expect(outcome.status == 0, "\(outcome)")
        }
        return path
    }

    /// Columns of a score CSV by header name.
    static func columns(_ path: String) throws -> [String: [Double]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        guard let header = lines.first else { return [:] }
        var columns: [String: [Double]] = [:]
        for (index, name) in header.enumerated() { columns[name] = lines.dropFirst().compactMap { Double($0[index]) } }
        return columns
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

    @Test func pointsFarFromTheDataScoreHigherAndTheSearchConverges() throws {
        let folder = TemporaryDirectory()
        let path = try Self.trainedRun(in: folder)
        // 40 points on a circle of radius 2.5 (the data lie within ±1.45, its modes on radius 1.41).
        let far = folder.file("far.csv")
        try (0..<40).map { index -> String in
            let angle = Double(index) * 2 * Double.pi / 40
            return String(format: "%.4f,%.4f", 2.5 * cos(angle), 2.5 * sin(angle))
        }.joined(separator: "\n").write(toFile: far, atomically: true, encoding: .utf8)
        for (data, file) in [("points", "real.csv"), (far, "far.csv.scores.csv")] {
            let outcome = try GanPipeProcess.run(["score", "ring", "--db", path, "--data", data, "--split", "test", "--to", folder.file(file)])
            #expect(outcome.status == 0, "\(outcome)")
        }
        let real = try Self.columns(folder.file("real.csv")), outliers = try Self.columns(folder.file("far.csv.scores.csv"))
        #expect(real["discriminator"]?.count == 100 && real["label"]?.count == 100, "the test split of 1000 samples, with labels")
        let (inside, outside) = (Self.mean(real["reconstruction"] ?? []), Self.mean(outliers["reconstruction"] ?? []))
        #expect(outside > 2 * inside, "reconstruction: far points \(outside), data \(inside)")

        // −D(x) against the evaluator's own D over a grid (the critic field it stores).
        #expect(try GanPipeProcess.run(["eval", "ring", "--db", path, "--samples", "200"]).status == 0)
        let database = try GanDatabase.open(path: path, access: .readOnly)
        let field = try #require(try CheckpointViewStore(database).views(runId: 1, name: .criticField).last)
        try database.close()
        let window = try #require(field.meta.window)
        let (rows, columns) = (field.shape[0], field.shape[1])
        let picks = stride(from: 0, to: rows * columns, by: max(1, rows * columns / 25)).map { $0 }
        try picks.map { index -> String in
            let (row, column) = (index / columns, index % columns)
            let x = window[0] + Double(column) * (window[1] - window[0]) / Double(columns - 1)
            let y = window[2] + Double(row) * (window[3] - window[2]) / Double(rows - 1)
            return "\(Float(x)),\(Float(y))"
        }.joined(separator: "\n").write(toFile: folder.file("grid.csv"), atomically: true, encoding: .utf8)
        let scored = try GanPipeProcess.run(["score", "ring", "--db", path, "--data", folder.file("grid.csv"), "--method", "discriminator", "--to", folder.file("grid.scores.csv")])
        #expect(scored.status == 0, "\(scored)")
        let minusD = try Self.columns(folder.file("grid.scores.csv"))["discriminator"] ?? []
        #expect(minusD.count == picks.count)
        for (score, index) in zip(minusD, picks) {
            #expect(abs(score + Double(field.values[index])) <= 1e-4 * max(1, abs(score)), "−D(x) \(score) against the field's D \(field.values[index])")
        }
        // The latent search minimises the score: 200 steps end lower than 1.
        let short = folder.file("short.csv")
        #expect(try GanPipeProcess.run(["score", "ring", "--db", path, "--data", "points", "--split", "test", "--method", "reconstruction",
                                        "--iterations", "1", "--to", short]).status == 0)
        #expect(Self.mean(try Self.columns(short)["reconstruction"] ?? []) > Self.mean(real["reconstruction"] ?? []))
        // The same seed, the same scores; NumPy output holds [count, methods].
        let again = folder.file("again.csv")
        #expect(try GanPipeProcess.run(["score", "ring", "--db", path, "--data", "points", "--split", "test", "--to", again]).status == 0)
        #expect(try String(contentsOfFile: again, encoding: .utf8) == String(contentsOfFile: folder.file("real.csv"), encoding: .utf8))
        #expect(try GanPipeProcess.run(["score", "ring", "--db", path, "--data", "points", "--to", folder.file("all.npy")]).status == 0)
        let npy = try Data(contentsOf: URL(fileURLWithPath: folder.file("all.npy")))
        #expect(String(decoding: npy.prefix(128), as: UTF8.self).contains("'shape': (1000, 2)"))
    }

    @Test func dataOfAnotherShapeOrScaleIsRefused() throws {
        let folder = TemporaryDirectory()
        let path = try Self.trainedRun(in: folder)
        try "1,2,3\n4,5,6\n".write(toFile: folder.file("three.csv"), atomically: true, encoding: .utf8)
        try "100,200\n-300,150\n".write(toFile: folder.file("scaled.csv"), atomically: true, encoding: .utf8)
        for (arguments, words) in [(["--data", "three.csv", "--to", "s.csv"], ["3 numbers per sample", "take 2"]),
                                   (["--data", "scaled.csv", "--to", "s.csv"], ["same scale"]),
                                   (["--data", "nothing", "--to", "s.csv"], ["nothing"]),
                                   (["--data", "points", "--to", "s.txt"], ["score writes .csv or .npy"]),
                                   (["--data", "points", "--to", "s.csv", "--iterations", "0"], ["--iterations"]),
                                   (["--data", "points", "--to", "s.csv", "--lambda", "2"], ["--lambda"]),
                                   (["--data", "points", "--to", "s.csv", "--checkpoint", "7"], ["7"])] {
            try expectRefused(["score", "ring", "--db", path] + arguments, in: folder, mentioning: words)
        }
    }

    /// The one-class protocol on the toy ring: a run trained on mode 3 only, the whole test split
    /// scored, every method's AUROC printed beside the PCA and nearest-neighbour baselines.
    @Test func theOneClassProtocolMeasuresAUROCBesideBaselines() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("oneclass.sqlite")
        for arguments in [["data", "generate", "8gaussians", "--samples", "2000", "--name", "points"],
                          ["data", "subset", "points", "--classes", "3", "--name", "mode-3"],
                          ["train", "--dataset", "mode-3", "--objective", "wgan-gp", "--steps", "300", "--generator-width", "32",
                           "--discriminator-width", "32", "--name", "normal"]] {
            let outcome = try GanPipeProcess.run(arguments + ["--db", path])
            #expect(outcome.status == 0, "\(outcome)")
        }
        let shown = try GanPipeProcess.run(["data", "show", "mode-3", "--db", path, "--json"]).standardOutput
        #expect(shown.contains("\"derived_from\":{") && shown.contains("\"classes\":[3]") && shown.contains("\"whole_test_split\":true"), "\(shown)")
        let scored = try GanPipeProcess.run(["score", "normal", "--db", path, "--data", "mode-3", "--split", "test", "--normal-class", "3",
                                             "--to", folder.file("oneclass.csv"), "--json"])
        #expect(scored.status == 0, "\(scored)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(scored.standardOutput.utf8)) as? [String: Any])
        let auroc = try #require(result["auroc"] as? [String: Double])
        #expect(Set(auroc.keys) == ["discriminator", "reconstruction", "pca", "knn"])
        // The test split holds all 8 modes (200 samples): the other modes are far from mode 3.
        #expect((result["count"] as? Int) == 200)
        #expect(auroc.values.allSatisfy { $0 >= 0 && $0 <= 1 } && (auroc["knn"] ?? 0) > 0.95 && (auroc["reconstruction"] ?? 0) > 0.9, "\(auroc)")
        let csv = try Self.columns(folder.file("oneclass.csv"))
        #expect(csv["pca"]?.count == 200 && csv["knn"]?.count == 200 && csv["label"]?.count == 200)

        // --store keeps each method's scores and AUROC with what was scored and how; the same
        // inputs again replace their rows, other options add rows.
        for iterations in ["200", "200", "20"] {
            let stored = try GanPipeProcess.run(["score", "normal", "--db", path, "--data", "mode-3", "--split", "test", "--normal-class", "3",
                                                 "--iterations", iterations, "--store"])
            #expect(stored.status == 0 && stored.standardOutput.contains("wrote anomaly_scores: 200 scores"), "\(stored)")
        }
        let database = try GanDatabase.open(path: path, access: .readOnly)
        let records = try AnomalyScoreStore(database).records(runId: try RunStore(database).find("normal").id!)
        try database.close()
        #expect(records.count == 8 && Set(records.map(\.method)) == ["discriminator", "reconstruction", "pca", "knn"], "\(records.map(\.method))")
        let full = records.filter { $0.optionsJson.contains("\"iterations\":200") }
        #expect(full.count == 4 && full.allSatisfy { $0.data == "dataset mode-3 (split test)" && $0.step == 300 && $0.scores.count == 200 })
        #expect(full.allSatisfy { $0.optionsJson.contains("\"normal_class\":3") && $0.optionsJson.contains("\"split\":\"test\"") })
        for record in full where record.method != "reconstruction" {
            // The file's columns and the stored scores are the same numbers (the file rounds to 9 digits).
            let column = try #require(csv[record.method])
            #expect(zip(column, record.scores).allSatisfy { abs($0 - Double($1)) <= 1e-6 * max(1, abs($0)) }, "\(record.method)")
            #expect(abs((record.auroc ?? -1) - (auroc[record.method] ?? -2)) < 1e-12, "\(record.method)")
        }
        try expectRefused(["score", "normal", "--db", path, "--data", "mode-3"], in: folder, mentioning: ["--to FILE.csv|.npy, --store"])

        try "0.1,0.2\n0.3,0.1\n".write(toFile: folder.file("unlabelled.csv"), atomically: true, encoding: .utf8)
        try expectRefused(["score", "normal", "--db", path, "--data", "unlabelled.csv", "--normal-class", "3", "--to", "s.csv"], in: folder,
                          mentioning: ["--normal-class needs labelled data"])
        try expectRefused(["score", "normal", "--db", path, "--data", "mode-3", "--split", "train", "--normal-class", "5", "--to", "s.csv"], in: folder,
                          mentioning: ["no sample of class 5"])
        try expectRefused(["data", "subset", "points", "--classes", "9", "--name", "x", "--db", path], in: folder, mentioning: ["no class 9"])
        try expectRefused(["data", "subset", "points", "--classes", "1", "--name", "mode-3", "--db", path], in: folder, mentioning: ["mode-3"])
        #expect(try GanPipeProcess.run(["delete", "normal", "--db", path]).status == 0)
        let count = try GanPipeProcess.run(["sql", "SELECT count(*) FROM anomaly_scores", "--db", path, "--format", "csv"])
        #expect(count.standardOutput.contains("\n0"), "deleting the run deletes its scores: \(count)")
    }

    /// A pipeline makes its subsets after their source and trains on them, then scores its
    /// one-class runs (a rerun finds the scores stored); a subset without classes, or of a
    /// dataset it does not know, is refused in one line, and so is `normal_class: subset` for a
    /// run of two classes.
    @Test func aPipelineTrainsOnTheSubsetsItDefines() throws {
        let folder = TemporaryDirectory()
        let file = folder.file("oneclass.yaml")
        try """
            pipeline: oneclass
            datasets:
              points: {generate: 8gaussians, samples: 800, seed: 1}
              mode-2: {subset: points, classes: [2]}
              modes-1-5: {subset: points, classes: [1, 5], same_test_classes: true}
            train: {objective: nsgan, steps: 10, batch_size: 16, generator_width: 8, discriminator_width: 8, checkpoint_every: 5}
            matrix:
              dataset: [mode-2, modes-1-5]
            evaluate: {enabled: false}
            score:
              - {runs: "oneclass/mode-2/*", normal_class: subset, iterations: 20, split: test}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let database = folder.file("p.sqlite")
        let ran = try GanPipeProcess.run(["run", file, "--db", database])
        #expect(ran.status == 0, "\(ran)")
        #expect(ran.standardError.contains("score: oneclass/mode-2/nsgan on dataset mode-2 (split test)"), "\(ran)")
        #expect(ran.standardOutput.contains("AUROC knn") && ran.standardOutput.contains("oneclass/mode-2/nsgan"), "\(ran)")
        let stored = try GanPipeProcess.run(["sql", "SELECT method, auroc FROM anomaly_scores ORDER BY method", "--db", database, "--format", "csv"])
        #expect(stored.standardOutput.split(separator: "\n").count == 5, "four methods with their AUROC: \(stored)")
        let listed = try GanPipeProcess.run(["data", "list", "--db", database, "--json"]).standardOutput
        let datasets = try #require(try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [[String: Any]])
        let counts = Dictionary(uniqueKeysWithValues: datasets.compactMap { entry in (entry["name"] as? String).map { ($0, (entry["train_count"] as? Int ?? -1, entry["test_count"] as? Int ?? -1)) } })
        // 720 training and 80 test samples in 8 modes: one mode's training rows and every test row;
        // two modes in both splits.
        let one = try #require(counts["mode-2"]), two = try #require(counts["modes-1-5"])
        #expect(one.1 == 80 && (60...120).contains(one.0), "\(one)")
        #expect((120...240).contains(two.0) && (10...40).contains(two.1), "\(two)")
        let again = try GanPipeProcess.run(["run", file, "--db", database, "--json"])
        #expect(again.status == 0 && !again.standardError.contains("score:"), "a rerun finds its subsets and scores stored: \(again)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(again.standardOutput.utf8)) as? [String: Any])
        let scores = try #require(summary["scores"] as? [[String: Any]])
        #expect(scores.count == 1 && scores[0]["reused"] as? Bool == true && (scores[0]["auroc"] as? [String: Double])?.count == 4, "\(scores)")
        try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "oneclass/mode-2/*", with: "oneclass/modes-1-5/*")
            .write(toFile: file, atomically: true, encoding: .utf8)
        try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "oneclass/modes-1-5/*", with: "oneclass/mode-9/*")
            .write(toFile: folder.file("nomatch.yaml"), atomically: true, encoding: .utf8)
        try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "iterations: 20", with: "iterations: 0")
            .write(toFile: folder.file("zero.yaml"), atomically: true, encoding: .utf8)
        let zero = try GanPipeProcess.run(["run", folder.file("zero.yaml"), "--db", database])
        #expect(zero.status != 0 && zero.stderrLines.count == 1 && zero.standardError.contains("must be 1…100000 (got 0)"), "\(zero)")
        let nomatch = try GanPipeProcess.run(["run", folder.file("nomatch.yaml"), "--db", database])
        #expect(nomatch.status != 0 && nomatch.stderrLines.count == 1 && nomatch.standardError.contains("score.runs: 'oneclass/mode-9/*' matches none of this pipeline's runs"), "\(nomatch)")
        let pair = try GanPipeProcess.run(["run", file, "--db", database])
        #expect(pair.status == 4 && pair.standardOutput.contains("normal_class: subset needs a run trained on a one-class subset"), "\(pair)")

        try "pipeline: bad\ndatasets:\n  x: {subset: points}\ntrain: {objective: nsgan, steps: 2}\nmatrix:\n  dataset: [x]\n".write(toFile: folder.file("bad.yaml"), atomically: true, encoding: .utf8)
        let bad = try GanPipeProcess.run(["run", folder.file("bad.yaml"), "--db", folder.file("b.sqlite")])
        #expect(bad.status != 0 && bad.stderrLines.count == 1 && bad.standardError.contains("needs 'classes:"), "\(bad)")
        try "pipeline: orphan\ndatasets:\n  x: {subset: nowhere, classes: [1]}\ntrain: {objective: nsgan, steps: 2}\nmatrix:\n  dataset: [x]\n".write(toFile: folder.file("orphan.yaml"), atomically: true, encoding: .utf8)
        let orphan = try GanPipeProcess.run(["run", folder.file("orphan.yaml"), "--db", folder.file("o.sqlite")])
        #expect(orphan.status != 0 && orphan.standardError.contains("'nowhere' is neither stored nor defined above"), "\(orphan)")
    }
}
