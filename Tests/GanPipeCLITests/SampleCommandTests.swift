import Foundation
import GanTestSupport
import Testing

/// `ganpipe sample` as a user takes samples out of a trained run: the same file for the same
/// seed in every format, image grids as PNG, a new dataset with its provenance, and latent
/// interpolations whose ends are the two seeds' samples.
@Suite struct SampleCommandTests {
    static func toyRun(in folder: TemporaryDirectory) throws -> String {
        let path = folder.file("toy.sqlite")
        for arguments in [["data", "generate", "8gaussians", "--samples", "400", "--name", "points"],
                          ["train", "--dataset", "points", "--objective", "nsgan", "--steps", "20", "--checkpoint-every", "10",
                           "--generator-width", "16", "--discriminator-width", "16", "--name", "toy"]] {
            let outcome = try GanPipeProcess.run(arguments + ["--db", path])
            #expect(outcome.status == 0, "\(outcome)")
        }
        return path
    }

    static func rows(_ csv: String) -> [String] { csv.split(separator: "\n").dropFirst().map(String.init) }

    @Test func samplesAreReproducibleInEveryFormatAndIntoADataset() throws {
        let folder = TemporaryDirectory()
        let path = try Self.toyRun(in: folder)
        func sample(_ arguments: [String]) throws -> GanPipeProcess.Outcome {
            let outcome = try GanPipeProcess.run(["sample", "toy", "--db", path] + arguments)
            #expect(outcome.status == 0, "\(outcome)")
            return outcome
        }
        _ = try sample(["--count", "5", "--seed", "3", "--to", folder.file("a.csv")])
        _ = try sample(["--count", "5", "--seed", "3", "--to", folder.file("b.csv")])
        _ = try sample(["--count", "5", "--seed", "4", "--to", folder.file("c.csv")])
        _ = try sample(["--count", "5", "--seed", "3", "--checkpoint", "10", "--to", folder.file("d.csv")])
        let csv = { (name: String) in try String(contentsOfFile: folder.file(name), encoding: .utf8) }
        #expect(try csv("a.csv") == csv("b.csv"), "the same seed, the same samples")
        #expect(try csv("a.csv") != csv("c.csv") && csv("a.csv") != csv("d.csv"))
        #expect(try csv("a.csv").hasPrefix("x0,x1\n") && Self.rows(csv("a.csv")).count == 5)
        _ = try sample(["--count", "5", "--seed", "3", "--to", folder.file("a.npy")])
        let npy = try Data(contentsOf: URL(fileURLWithPath: folder.file("a.npy")))
        #expect(npy.starts(with: Data([0x93]) + Data("NUMPY".utf8)) && npy.count > 40)

        // Into the database: a new dataset that says where it came from.
        let stored = try sample(["--count", "100", "--seed", "9", "--into-dataset", "toy-samples", "--json"])
        #expect(stored.standardOutput.contains("\"dataset\":\"toy-samples\""), "\(stored)")
        let shown = try GanPipeProcess.run(["data", "show", "toy-samples", "--db", path])
        #expect(shown.standardOutput.contains("generated   samples of run toy at step 20, noise seed 9")
                && shown.standardOutput.contains("100: 100 train, 0 test"), "\(shown)")
        let exported = folder.file("exported.csv")
        #expect(try GanPipeProcess.run(["data", "export", "toy-samples", "--to", exported, "--db", path]).status == 0)
        _ = try sample(["--count", "100", "--seed", "9", "--to", folder.file("direct.csv")])
        // The stored samples are the ones `--to` writes for the same seed (as float32 values).
        let floats = { (line: String) in line.split(separator: ",").compactMap { Float(String($0)) } }
        let exportedRows = try csv("exported.csv").split(separator: "\n").map(String.init)
        #expect(exportedRows.count == 100)
        #expect(try exportedRows.map(floats) == Self.rows(csv("direct.csv")).map(floats))

        // An interpolation: its ends are the two seeds' first samples.
        _ = try sample(["--interpolate", "3", "4", "--count", "6", "--to", folder.file("path.csv")])
        let path6 = try Self.rows(csv("path.csv"))
        let (fromSeed3, fromSeed4) = (Self.rows(try csv("a.csv")).first, Self.rows(try csv("c.csv")).first)
        #expect(path6.count == 6 && path6.first == fromSeed3 && path6.last == fromSeed4, "\(path6)")
        #expect(Set(path6).count == 6, "the points in between differ")
        _ = try sample(["--interpolate", "3", "4", "--into-dataset", "toy-path"])
        #expect(try GanPipeProcess.run(["data", "show", "toy-path", "--db", path]).standardOutput.contains("latent interpolation of run toy at step 20 from seed 3 to seed 4"))
    }

    @Test func imageSamplesBecomeAPNGGrid() throws {
        let folder = TemporaryDirectory()
        let path = try ConvolutionalCommandTests.digits(in: folder)
        let trained = try GanPipeProcess.run(["train", "--db", path, "--objective", "nsgan", "--steps", "4", "--checkpoint-every", "2", "--name", "dc"]
                                             + ConvolutionalCommandTests.small)
        #expect(trained.status == 0, "\(trained)")
        for (arguments, columns, rows) in [(["--count", "10"], 4, 3), (["--interpolate", "1", "2", "--count", "7"], 7, 1)] {
            let file = folder.file("grid.png")
            let outcome = try GanPipeProcess.run(["sample", "dc", "--db", path, "--to", file] + arguments)
            #expect(outcome.status == 0, "\(outcome)")
            let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
            // 8×8 tiles with a one-pixel gap around each.
            #expect(width == columns * 9 + 1 && height == rows * 9 + 1, "\(width)×\(height)")
        }
    }

    @Test func badRequestsAreOneLineAndChangeNothing() throws {
        let folder = TemporaryDirectory()
        let path = try Self.toyRun(in: folder)
        #expect(try GanPipeProcess.run(["sample", "toy", "--db", path, "--into-dataset", "taken", "--count", "3"]).status == 0)
        for (arguments, words) in [(["--to", "grid.png"], ["a .png grid needs image samples"]),
                                   (["--to", "x.txt"], ["sample writes .npy, .csv or .png"]),
                                   ([], ["say where the samples go"]),
                                   (["--into-dataset", "taken"], ["'taken' already exists", "--into-dataset"]),
                                   (["--into-dataset", "123"], ["is all digits", "--into-dataset"]),
                                   (["--interpolate", "1", "--to", "x.npy"], ["--interpolate takes two seeds"]),
                                   (["--interpolate", "1", "2", "--count", "1", "--to", "x.npy"], ["at least 2"]),
                                   (["--count", "0", "--to", "x.npy"], ["--count must be between 1 and"]),
                                   (["--count", "99999999999", "--to", "x.npy"], ["--count must be between 1 and"]),
                                   (["--checkpoint", "7", "--to", "x.npy"], ["7"]),
                                   (["--to", "/proc/x.npy"], ["--to"])] {
            try expectRefused(["sample", "toy", "--db", path] + arguments, in: folder, mentioning: words)
        }
    }
}
