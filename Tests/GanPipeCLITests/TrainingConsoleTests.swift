import Foundation
import GanTestSupport
import GRDB
import Testing

/// What `train` says while and after it trains a run whose gradients cross the health
/// thresholds: each event as it happens (the first ten), then where the rest are, and a last
/// line pointing at `ganpipe diagnose`; a healthy run says none of it.
@Suite struct TrainingConsoleTests {
    @Test func gradientEventsAreShownAsTheyHappenAndTheRunEndsPointingAtDiagnose() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("console.sqlite")
        #expect(try GanPipeProcess.run(["data", "generate", "8gaussians", "--samples", "400", "--name", "points", "--db", path]).status == 0)
        func train(_ name: String, _ extra: [String]) throws -> GanPipeProcess.Outcome {
            try GanPipeProcess.run(["train", "--db", path, "--dataset", "points", "--objective", "wgan-gp", "--steps", "60", "--name", name,
                                    "--metrics-every", "2", "--generator-width", "16", "--discriminator-width", "16"] + extra)
        }
        // Every gradient norm is above 0.001: every probed tensor explodes after 10 records.
        let loud = try train("loud", ["--exploding-threshold", "0.001", "--vanishing-threshold", "0"])
        #expect(loud.status == 0, "\(loud)")
        let warnings = loud.stderrLines.filter { $0.hasPrefix("ganpipe: warning: step 20: exploding: ") }
        #expect(warnings.count == 10, "\(loud)")
        #expect(loud.stderrLines.contains("ganpipe: more events follow; they are recorded with the run (`ganpipe show loud`)"))
        let recorded = try RawDatabase(path: path).read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM events WHERE kind = 'exploding'")
        }
        #expect(recorded ?? 0 > 10)
        #expect(loud.stderrLines.last == "ganpipe: warning: run loud recorded \(recorded ?? 0) warnings (vanishing or exploding gradients); see `ganpipe diagnose loud`")
        let json = try train("loud-json", ["--exploding-threshold", "0.001", "--vanishing-threshold", "0", "--json"])
        #expect(json.standardOutput.contains("\"warnings\":\(recorded ?? 0)"), "\(json)")
        // The run's clock: `show` says how long it trained, and at what speed.
        let shown = try GanPipeProcess.run(["show", "loud", "--db", path]).standardOutput
        #expect(shown.contains("  training     ") && shown.contains("to step 60 (") && shown.contains("steps/s)"), "\(shown)")
        let quiet = try train("quiet", [])
        #expect(quiet.status == 0 && !quiet.standardError.contains("warning"), "\(quiet)")
    }

    /// A pipeline's workers train quietly; the pipeline relays what their runs record, as it
    /// happens (the first ten events of a run), and says at a run's end where to look.
    @Test func aPipelineRelaysItsRunsEventsAndPointsAtDiagnose() throws {
        let folder = TemporaryDirectory()
        let pipeline = folder.file("console.yaml")
        try """
            pipeline: console
            datasets:
              toy: {generate: 8gaussians, samples: 400, seed: 1}
            train: {steps: 60, metrics_every: 2, generator_width: 16, discriminator_width: 16, exploding_threshold: 0.001,
                    vanishing_threshold: 0}
            matrix:
              dataset: [toy]
              objective: [wgan-gp]
            evaluate: {samples: 200}
            """.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let path = folder.file("console.sqlite")
        let outcome = try GanPipeProcess.run(["run", pipeline, "--db", path])
        #expect(outcome.status == 0, "\(outcome)")
        let lines = (outcome.standardOutput + outcome.standardError).split(separator: "\n").map(String.init)
        let relayed = lines.filter { $0.contains(": warning: step 20: exploding: ") }
        #expect(relayed.count == 10, "\(lines)")
        let run = try #require(relayed.first?.components(separatedBy: "] ").dropFirst().first?.components(separatedBy: ": warning").first)
        #expect(lines.contains { $0.hasSuffix("\(run): more events follow; they are recorded with the run (`ganpipe show \(run)`)") }, "\(lines)")
        let recorded = try RawDatabase(path: path).read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM events WHERE severity IN ('warning', 'error')")
        } ?? 0
        #expect(recorded > 10)
        #expect(lines.contains { $0.hasSuffix("\(run): done; recorded \(recorded) warnings or errors: see `ganpipe diagnose \(run)`") }, "\(lines)")
    }
}
