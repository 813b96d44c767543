import Foundation
import GanStore
import GanTensor
import GRDB

/// Small datasets written straight into a database, for stage tests that must not depend on
/// the loader.
public enum TestDatasets {
    /// `count` points around 8 centres on a circle of radius 2 (std 0.02), scaled by 1/1.414 —
    /// the 8gaussians toy — stored as float32 `[count, 2]`, the last `testCount` held out.
    @discardableResult
    public static func insertEightGaussians(into database: GanDatabase, name: String = "8gaussians", count: Int = 512,
                                            testCount: Int = 64, seed: UInt64 = 1) throws -> DatasetRecord {
        var generator = PhiloxGenerator(seed: seed)
        var values: [Float] = []
        for _ in 0..<count {
            let mode = generator.nextIndex(below: 8)
            let angle = Double(mode) * Double.pi / 4
            values.append(Float((2 * cos(angle) + 0.02 * Double(generator.nextNormal())) / 1.414))
            values.append(Float((2 * sin(angle) + 0.02 * Double(generator.nextNormal())) / 1.414))
        }
        return try insert(values, shape: [count, 2], into: database, name: name, testCount: testCount)
    }

    /// Stores `values` (row-major, `shape`) as a float32 dataset.
    @discardableResult
    public static func insert(_ values: [Float], shape: [Int], into database: GanDatabase, name: String,
                              testCount: Int = 0) throws -> DatasetRecord {
        let bytes = values.withUnsafeBufferPointer { Data(buffer: $0) }
        let sha = SHA256.hex(bytes)
        return try database.writer.write { db in
            var dataset = DatasetRecord(name: name, kind: .synthetic, source: "test", contentSha256: sha,
                                        sampleCount: shape[0], trainCount: shape[0] - testCount, testCount: testCount)
            try dataset.insert(db)
            let shapeText = "[" + shape.map(String.init).joined(separator: ",") + "]"
            var array = DatasetArrayRecord(datasetId: dataset.id!, name: "samples", elementType: "float32", shapeJson: shapeText,
                                           scale: 1, offset: 0, byteCount: Int64(bytes.count), sha256: sha)
            try array.insert(db)
            try DatasetPartRecord(arrayId: array.id!, partIndex: 0, data: bytes).insert(db)
            return dataset
        }
    }
}
