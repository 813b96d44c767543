import Foundation
import GanSchema
import GanStore
import GanTestSupport
import GRDB
import Testing

/// `ganpipe report`, `compare`, `diagnose` and `export` as a user runs them, on runs trained by
/// the real binary: a shallow penalty run and a deep critic clipped at 0.01.
@Suite struct ReportCommandTests {
    static let small = ["--dataset", "8gaussians", "--batch-size", "64", "--generator-width", "16", "--discriminator-width", "16",
                        "--steps", "40", "--checkpoint-every", "20"]

    /// A database with the two runs `penalty` and `clipped`.
    static func trainedDatabase(in folder: TemporaryDirectory) throws -> String {
        let path = folder.file("report.sqlite")
        let database = try GanDatabase.open(path: path)
        try TestDatasets.insertEightGaussians(into: database, count: 1024, testCount: 128)
        try database.close()
        for arguments in [["--name", "penalty", "--objective", "wgan-gp", "--discriminator-depth", "2"],
                          ["--name", "clipped", "--objective", "wgan", "--clip", "0.01", "--discriminator-depth", "12"]] {
            let outcome = try GanPipeProcess.run(["train", "--db", path] + arguments + small)
            #expect(outcome.status == 0, "\(outcome)")
        }
        return path
    }

    @Test func reportWritesOneSelfContainedPage() throws {
        let folder = TemporaryDirectory()
        let path = try Self.trainedDatabase(in: folder)
        let out = folder.file("clipped.html")
        let outcome = try GanPipeProcess.run(["report", "clipped", "--db", path, "--out", out])
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.standardOutput.hasPrefix("wrote \(out)"))
        let html = try String(contentsOfFile: out, encoding: .utf8)
        for id in ["verdict", "losses", "gradient-heatmap", "activation-gradients", "input-gradients", "events", "evaluations", "samples"] {
            #expect(html.contains("<section id=\"\(id)\">"), "missing section \(id)")
        }
        #expect(!html.contains("<script src") && !html.contains("src=\"http") && !html.contains("href=\"http"))
        #expect(html.contains("No checkpoint of this run has been evaluated"))
        // Evaluating stores what the samples section draws; the report then shows it.
        #expect(try GanPipeProcess.run(["eval", "clipped", "--db", path, "--checkpoints", "all", "--samples", "600"]).status == 0)
        #expect(try GanPipeProcess.run(["report", "clipped", "--db", path, "--out", out]).status == 0)
        let evaluated = try String(contentsOfFile: out, encoding: .utf8)
        #expect(evaluated.contains("critic score D(x)") && evaluated.contains(">Step 40<") && evaluated.contains(">Step 0<"))
        // Default name: RUN-report.html in the working directory.
        let defaulted = try GanPipeProcess.run(["report", "penalty", "--db", path], in: folder.path)
        #expect(defaulted.status == 0 && FileManager.default.fileExists(atPath: folder.file("penalty-report.html")), "\(defaulted)")
    }

    @Test func diagnoseExitsThreeForADeepClippedCriticAndZeroForAPenaltyRun() throws {
        let folder = TemporaryDirectory()
        let path = try Self.trainedDatabase(in: folder)
        let clipped = try GanPipeProcess.run(["diagnose", "clipped", "--db", path])
        #expect(clipped.status == 3, "\(clipped)")
        #expect(clipped.standardOutput.contains("verdict:") && clipped.standardOutput.contains("PROBLEM"))
        #expect(clipped.standardOutput.contains("clipping bounds \u{b1}0.01"))
        #expect(clipped.standardError.isEmpty, "\(clipped.standardError)")
        let json = try GanPipeProcess.run(["diagnose", "clipped", "--db", path, "--json"])
        #expect(json.status == 3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect(object["healthy"] as? Bool == false)
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.contains { $0["kind"] as? String == "vanishing" && $0["network"] as? String == "discriminator" })
        #expect((object["activation_profiles"] as? [Any])?.isEmpty == false)
        let penalty = try GanPipeProcess.run(["diagnose", "penalty", "--db", path])
        #expect(penalty.status == 0, "\(penalty)")
        #expect(penalty.standardOutput.contains("verdict: healthy"))
    }

    @Test func compareListsDifferingKeysAndWritesOverlaidCurves() throws {
        let folder = TemporaryDirectory()
        let path = try Self.trainedDatabase(in: folder)
        let page = folder.file("compare.html")
        let outcome = try GanPipeProcess.run(["compare", "penalty", "clipped", "--db", path, "--html", page])
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.standardOutput.contains("configuration keys that differ"))
        #expect(outcome.standardOutput.contains("discriminator_depth") && outcome.standardOutput.contains("loss/discriminator"))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<section id=\"curves\">") && html.contains("clipped") && html.contains("penalty"))
        let json = try GanPipeProcess.run(["compare", "penalty", "clipped", "--db", path, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let differing = try #require(object["differing_configuration"] as? [String: [Any]])
        #expect(differing["objective"] as? [String] == ["wgan-gp", "wgan"])
        let one = try GanPipeProcess.run(["compare", "penalty", "--db", path])
        #expect(one.status != 0 && one.standardError.contains("at least two runs"))
    }

    @Test func exportWritesSafetensorsThatReadBack() throws {
        let folder = TemporaryDirectory()
        let path = try Self.trainedDatabase(in: folder)
        let file = folder.file("penalty.safetensors")
        let outcome = try GanPipeProcess.run(["export", "penalty", "--step", "20", "--to", file, "--db", path])
        #expect(outcome.status == 0, "\(outcome)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        let length = Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try #require(try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + length))) as? [String: Any])
        let first = try #require(header["generator.layers.0.weight"] as? [String: Any])
        #expect(first["shape"] as? [Int] == [16, 2] && first["dtype"] as? String == "F32")
        #expect((header["__metadata__"] as? [String: String])?["step"] == "20")
        // The networks' description travels with the weights, and names every exported tensor.
        let model = try ModelDescription.decode(Data(try #require((header["__metadata__"] as? [String: String])?["ganpipe_model"]).utf8))
        let described = ["generator", "discriminator"].flatMap { network in model.network(network)!.parameters.map { "\(network).\($0.path)" } }
        #expect(Set(described) == Set(header.keys.filter { $0 != "__metadata__" }))
        // The bytes are the checkpoint's, unchanged.
        let database = try GanDatabase.open(path: path, access: .readOnly)
        let run = try RunStore(database).find("penalty")
        let checkpoint = try #require(try CheckpointStore(database).checkpoint(runId: run.id!, step: 20))
        let blob = try #require(try CheckpointStore(database).blobs(of: checkpoint)["generator/layers.0.weight"])
        let offsets = try #require(first["data_offsets"] as? [Int])
        #expect(bytes.subdata(in: (8 + length + offsets[0])..<(8 + length + offsets[1])) == blob.data)
    }

    @Test func badRequestsAreOneLineErrors() throws {
        let folder = TemporaryDirectory()
        let path = try Self.trainedDatabase(in: folder)
        try FileManager.default.createDirectory(atPath: folder.file("folder.safetensors"), withIntermediateDirectories: false)
        let cases: [([String], String)] = [
            (["report", "ghost", "--db", path], "no run named or numbered 'ghost'"),
            (["diagnose", "ghost", "--db", path], "no run named or numbered 'ghost'"),
            (["export", "penalty", "--step", "7", "--to", folder.file("x.safetensors"), "--db", path], "no complete checkpoint at step 7; its checkpoints are at steps 0, 20, 40"),
            (["report", "penalty", "--db", path, "--out", folder.file("missing/r.html")], "the folder of"),
            (["export", "penalty", "--to", folder.file("folder.safetensors"), "--force", "--db", path], "is a directory"),
            (["report", "penalty", "--db", folder.file("nothing.sqlite")], "no database at"),
        ]
        for (arguments, message) in cases {
            let outcome = try GanPipeProcess.run(arguments)
            #expect(outcome.status == 1, "\(arguments): \(outcome)")
            #expect(outcome.stderrLines.count == 1 && outcome.standardError.contains(message), "\(arguments): \(outcome.standardError)")
        }
    }
}
