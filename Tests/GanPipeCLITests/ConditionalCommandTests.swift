import Foundation
import GanTestSupport
import Testing

/// A class-conditional run as a user drives it: `train --conditional` on the 8 Gaussians, whose
/// labels are the modes; its evaluations say how many samples drawn for class K land in mode
/// K; `sample --class K` draws class K; the mistakes get one line and leave the database as it was.
@Suite struct ConditionalCommandTests {
    @Test func aConditionalRunDrawsTheClassItIsAskedFor() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("conditional.sqlite")
        func run(_ arguments: [String]) throws -> GanPipeProcess.Outcome {
            let outcome = try GanPipeProcess.run(arguments + ["--db", path])
            #expect(outcome.status == 0, "\(outcome)")
            return outcome
        }
        _ = try run(["data", "generate", "8gaussians", "--samples", "4000", "--name", "modes"])
        _ = try run(["data", "generate", "swissroll", "--samples", "400", "--name", "roll"])
        // Measured over seeds 1–3: 40–53% of samples in their own mode at step 1000, 95–97% at
        // 2000, 98–99% at 3000 (λ = 0.1, the WGAN-GP authors' toy setting).
        _ = try run(["train", "--dataset", "modes", "--objective", "wgan-gp", "--conditional", "--gradient-penalty-weight", "0.1",
                     "--steps", "3000", "--checkpoint-every", "1000", "--eval-every", "3000", "--batch-size", "128",
                     "--generator-width", "64", "--discriminator-width", "64", "--generator-depth", "2", "--discriminator-depth", "2",
                     "--seed", "2", "--name", "cond"])
        let query = try run(["sql", "SELECT metric, value FROM evaluations WHERE metric LIKE 'class_match_percent%' ORDER BY metric", "--format", "csv"])
        var matched: [String: Double] = [:]
        for line in query.standardOutput.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: ",")
            if parts.count == 2, let value = Double(parts[1]) { matched[String(parts[0])] = value }
        }
        #expect(matched.count == 9, "\(query)")
        #expect((matched["class_match_percent"] ?? 0) >= 90, "\(matched)")
        for label in 0..<8 { #expect((matched["class_match_percent/\(label)"] ?? 0) >= 75, "class \(label): \(matched)") }
        // The report draws the per-class matches as one chart of 8 series, not 8 charts.
        _ = try run(["report", "cond", "--out", folder.file("cond.html")])
        let page = try String(contentsOfFile: folder.file("cond.html"), encoding: .utf8)
        #expect(page.contains("<title>class match by class</title>") && !page.contains("<title>class_match_percent/"))
        let series = (0..<10).filter { page.contains("\"name\":\"class \($0)\"") }
        #expect(series == Array(0..<8), "one series per class: \(series)")
        let shown = try run(["show", "cond"])
        #expect(shown.standardOutput.contains("given one of 8 classes"), "\(shown)")

        // Class 5 is the sixth mode of WGAN-GP's gan_toy.py, (√2, −√2) / 1.414: every sample lands next to it.
        _ = try run(["sample", "cond", "--class", "5", "--count", "50", "--seed", "4", "--to", folder.file("five.csv")])
        let lines = try String(contentsOfFile: folder.file("five.csv"), encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "label,x0,x1" && lines.count == 51)
        let centre = (2.0.squareRoot() / 1.414, -2.0.squareRoot() / 1.414)
        let near = lines.dropFirst().filter { line in
            let values = line.split(separator: ",").compactMap { Double(String($0)) }
            return values.count == 3 && values[0] == 5 && hypot(values[1] - centre.0, values[2] - centre.1) < 0.1
        }
        #expect(near.count >= 45, "\(near.count) of 50 near mode 5")
        // A dataset of class-balanced samples keeps the labels: it can train a conditional run.
        _ = try run(["sample", "cond", "--count", "80", "--into-dataset", "drawn"])
        _ = try run(["train", "--dataset", "drawn", "--objective", "nsgan", "--conditional", "--steps", "2", "--batch-size", "8",
                     "--generator-width", "8", "--discriminator-width", "8", "--name", "from-drawn"])

        try expectRefused(["sample", "cond", "--class", "8", "--to", "x.csv", "--db", path], in: folder, mentioning: ["--class", "0…7", "got 8"])
        // A refused run leaves the database's content as it was (opening it to write may touch its header).
        let before = try DatabaseDump.digest(path)
        for (arguments, message) in [(["--dataset", "roll", "--conditional"], "a conditional run needs class labels, but dataset 'roll' has none"),
                                      (["--dataset", "modes", "--class-embedding", "4"], "--class-embedding applies only to a conditional run")] {
            let outcome = try GanPipeProcess.run(["train", "--objective", "nsgan", "--steps", "5", "--db", path] + arguments)
            #expect(outcome.status == 1 && outcome.stderrLines.count == 1 && outcome.standardError.contains(message), "\(outcome)")
        }
        #expect(try DatabaseDump.digest(path) == before)
        try expectRefused(["score", "cond", "--data", "modes", "--to", "s.csv", "--db", path], in: folder, mentioning: ["class-conditional"])
        _ = try run(["train", "--dataset", "modes", "--objective", "nsgan", "--steps", "2", "--batch-size", "8",
                     "--generator-width", "8", "--discriminator-width", "8", "--name", "plain"])
        try expectRefused(["sample", "plain", "--class", "1", "--to", "x.csv", "--db", path], in: folder, mentioning: ["not class-conditional"])
    }
}
