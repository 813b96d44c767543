import Foundation
import GanReport
import GanStore
import GanTestSupport
import Testing

/// The exported file read back by an independent little reader (and by numpy when present).
@Suite struct SafetensorsTests {
    struct Parsed {
        var header: [String: Any]
        var payload: Data
    }

    /// Header length, JSON header, payload — as the safetensors format defines them.
    static func read(_ file: Data) throws -> Parsed {
        let length = file.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        let headerEnd = 8 + Int(length)
        #expect(length % 8 == 0)
        let header = try #require(try JSONSerialization.jsonObject(with: file.subdata(in: 8..<headerEnd)) as? [String: Any])
        return Parsed(header: header, payload: file.subdata(in: headerEnd..<file.count))
    }

    @Test func exportedWeightsReadBackExactly() throws {
        let folder = TemporaryDirectory()
        let (database, _) = try SyntheticRun.database(in: folder, runs: [SyntheticRun()])
        let file = try SafetensorsFile.export(run: "synthetic", step: 100, from: database)
        let bytes = file.encoded()
        let parsed = try Self.read(bytes)
        let metadata = try #require(parsed.header["__metadata__"] as? [String: String])
        #expect(metadata["step"] == "100" && metadata["format"] == "pt" && metadata["ganpipe_run"] == "synthetic")
        let names = parsed.header.keys.filter { $0 != "__metadata__" }.sorted()
        // Generator: 3 linear layers, discriminator: 5, each a weight and a bias.
        #expect(names.count == 16)
        #expect(names.contains("generator.layers.0.weight") && names.contains("discriminator.layers.8.bias"))
        let blobs = try CheckpointStore(database).blobs(of: try #require(try CheckpointStore(database).checkpoint(runId: 1, step: 100)))
        var expectedOffset = 0
        for name in names {
            let entry = try #require(parsed.header[name] as? [String: Any])
            #expect(entry["dtype"] as? String == "F32")
            let shape = try #require(entry["shape"] as? [Int])
            let offsets = try #require(entry["data_offsets"] as? [Int])
            // Sorted names, laid out back to back, covering the whole payload.
            #expect(offsets[0] == expectedOffset)
            #expect(offsets[1] - offsets[0] == 4 * shape.reduce(1, *))
            expectedOffset = offsets[1]
            let blob = try #require(blobs[name.replacingOccurrences(of: ".layers", with: "/layers")])
            #expect(shape == blob.shape)
            #expect(parsed.payload.subdata(in: offsets[0]..<offsets[1]) == blob.data)
        }
        #expect(expectedOffset == parsed.payload.count)
        // PyTorch nn.Linear layout: weight [out, in]; the first generator layer reads the 2-D noise.
        #expect((parsed.header["generator.layers.0.weight"] as? [String: Any])?["shape"] as? [Int] == [8, 2])
        #expect((parsed.header["discriminator.layers.8.weight"] as? [String: Any])?["shape"] as? [Int] == [1, 8])
    }

    @Test func missingStepsAndCheckpointsAreOneLineErrors() throws {
        let folder = TemporaryDirectory()
        var bare = SyntheticRun()
        bare.name = "bare"
        bare.checkpointSteps = []
        let (database, _) = try SyntheticRun.database(in: folder, runs: [SyntheticRun(), bare])
        #expect(throws: ReportError("run 'synthetic' has no complete checkpoint at step 7; its checkpoints are at steps 0, 100, 200")) {
            try SafetensorsFile.export(run: "synthetic", step: 7, from: database)
        }
        #expect(throws: ReportError("run 'bare' has no complete checkpoint yet; train it with `ganpipe train` or continue it with `ganpipe resume bare`")) {
            try SafetensorsFile.export(run: "bare", step: nil, from: database)
        }
    }

    /// Whether `python3` can import numpy here; asked once. Without it the numpy test is
    /// disabled (and says why), never passed.
    static let numpyIsAvailable: Bool = {
        let probe = try? GanPipeProcess.run(["python3", "-c", "import numpy"], executable: "/usr/bin/env")
        return probe?.status == 0
    }()

    /// numpy parses the file with nothing but the format's definition; any python failure fails.
    @Test(.enabled(if: SafetensorsTests.numpyIsAvailable, "needs python3 with numpy"))
    func numpyReadsTheFile() throws {
        let folder = TemporaryDirectory()
        let (database, _) = try SyntheticRun.database(in: folder, runs: [SyntheticRun()])
        let path = folder.file("weights.safetensors")
        try SafetensorsFile.export(run: "synthetic", step: nil, from: database).encoded().write(to: URL(fileURLWithPath: path))
        let script = """
        import json, struct, sys
        import numpy as np
        raw = open(sys.argv[1], 'rb').read()
        n = struct.unpack('<Q', raw[:8])[0]
        header = json.loads(raw[8:8 + n]); data = raw[8 + n:]
        meta = header.pop('__metadata__')
        w = {k: np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]], dtype='<f4').reshape(v['shape']) for k, v in header.items()}
        g = {k[len('generator.'):]: v for k, v in w.items() if k.startswith('generator.')}
        z = np.ones((1, g['layers.0.weight'].shape[1]), dtype=np.float32)
        h = np.maximum(z @ g['layers.0.weight'].T + g['layers.0.bias'], 0)
        print(meta['step'], len(w), g['layers.0.weight'].shape, h.shape)
        """
        let outcome = try GanPipeProcess.run(["python3", "-c", script, path], executable: "/usr/bin/env")
        guard outcome.status == 0 else {
            Issue.record("python3 exited \(outcome.status) reading the exported file: \(outcome.standardError)")
            return
        }
        #expect(outcome.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "200 16 (8, 2) (1, 8)", "\(outcome)")
    }
}
