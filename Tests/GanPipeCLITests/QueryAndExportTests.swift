import Foundation
import GanTestSupport
import Testing

/// What `sql` and `export` do with what a user types: one result per query, JSON keys in the
/// query's order, exports only as safetensors and never over a file without --force.
@Suite struct QueryAndExportTests {
    @Test func sqlRunsOneResultAndKeepsTheColumnOrder() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("q.sqlite")
        #expect(try GanPipeProcess.run(["db", "init", "--db", path]).status == 0)
        try expectRefused(["sql", "SELECT 1; SELECT 2", "--db", path], in: folder, mentioning: ["2 statements that return rows", "one at a time"])
        let json = try GanPipeProcess.run(["sql", "SELECT 1 AS zeta, 'x' AS alpha, NULL AS mid", "--format", "json", "--db", path])
        #expect(json.status == 0 && json.standardOutput == "[{\"zeta\":1,\"alpha\":\"x\",\"mid\":null}]\n", "\(json)")
        let single = try GanPipeProcess.run(["sql", "SELECT 7 AS n;", "--format", "csv", "--db", path])
        #expect(single.status == 0 && single.standardOutput == "n\n7\n", "\(single)")
    }

    @Test func exportWritesSafetensorsOnlyAndNeverOverAFileUnasked() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("e.sqlite")
        #expect(try GanPipeProcess.run(["data", "generate", "8gaussians", "--samples", "200", "--name", "points", "--db", path]).status == 0)
        #expect(try GanPipeProcess.run(["train", "--db", path, "--dataset", "points", "--objective", "wgan-gp", "--steps", "2", "--name", "r",
                                        "--generator-width", "8", "--discriminator-width", "8"]).status == 0)
        try expectRefused(["export", "r", "--to", folder.file("g.onnx"), "--db", path], in: folder, mentioning: ["--to must name a .safetensors file"])
        try expectRefused(["export", "r", "--to", folder.file("g.safetensors"), "--torch-module", folder.file("g.txt"), "--db", path],
                          in: folder, mentioning: ["--torch-module must name a .py file"])
        let target = folder.file("g.safetensors")
        #expect(try GanPipeProcess.run(["export", "r", "--to", target, "--db", path]).status == 0)
        try expectRefused(["export", "r", "--to", target, "--db", path], in: folder, mentioning: ["exists; pass --force"])
        let forced = try GanPipeProcess.run(["export", "r", "--to", target, "--force", "--torch-module", folder.file("g.py"), "--db", path])
        #expect(forced.status == 0, "\(forced)")
        try expectRefused(["export", "r", "--to", folder.file("h.safetensors"), "--torch-module", folder.file("g.py"), "--db", path],
                          in: folder, mentioning: ["g.py exists"])
    }
}
