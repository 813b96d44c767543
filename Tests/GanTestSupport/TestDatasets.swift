import Foundation
import GanStore
import GanTensor

/// Small datasets stored without the loader, for stage tests that must not depend on it.
public enum TestDatasets {
    /// `count` points around 8 centres on a circle of radius 2 (std 0.02), scaled by 1/1.414 —
    /// the 8gaussians toy — stored as float32 `[count, 2]`, the last `testCount` held out.
    @discardableResult
    public static func insertEightGaussians(into database: GanDatabase, name: String = "8gaussians", count: Int = 512,
                                            testCount: Int = 64, seed: UInt64 = 1, metadataJson: String = "{}") throws -> DatasetRecord {
        var generator = PhiloxGenerator(seed: seed)
        var values: [Float] = []
        for _ in 0..<count {
            let mode = generator.nextIndex(below: 8)
            let angle = Double(mode) * Double.pi / 4
            values.append(Float((2 * cos(angle) + 0.02 * Double(generator.nextNormal())) / 1.414))
            values.append(Float((2 * sin(angle) + 0.02 * Double(generator.nextNormal())) / 1.414))
        }
        return try insert(values, shape: [count, 2], into: database, name: name, testCount: testCount, metadataJson: metadataJson)
    }

    /// Stores `values` (row-major, `shape`) as a float32 dataset, with `labels` (one byte per
    /// sample) as a uint8 `labels` array when given, through `DatasetStore` (no duplicate-content
    /// check).
    @discardableResult
    public static func insert(_ values: [Float], shape: [Int], into database: GanDatabase, name: String,
                              testCount: Int = 0, labels: [UInt8]? = nil, metadataJson: String = "{}") throws -> DatasetRecord {
        var arrays = [array("samples", elementType: "float32", shape: shape, bytes: values.withUnsafeBufferPointer { Data(buffer: $0) })]
        if let labels { arrays.append(array("labels", elementType: "uint8", shape: [labels.count], bytes: Data(labels))) }
        let dataset = DatasetRecord(name: name, kind: .synthetic, source: "test", contentSha256: arrays[0].record.sha256,
                                    sampleCount: shape[0], trainCount: shape[0] - testCount, testCount: testCount,
                                    metadataJson: metadataJson)
        return try DatasetStore(database).insert(dataset, arrays: arrays, allowDuplicate: true)
    }

    /// One array of one part; the store sets the ids.
    static func array(_ name: String, elementType: String, shape: [Int], bytes: Data) -> DatasetStore.PreparedArray {
        let shapeText = "[" + shape.map(String.init).joined(separator: ",") + "]"
        let record = DatasetArrayRecord(datasetId: 0, name: name, elementType: elementType, shapeJson: shapeText,
                                        scale: 1, offset: 0, byteCount: Int64(bytes.count), sha256: SHA256.hex(bytes))
        return (record, [DatasetPartRecord(arrayId: 0, partIndex: 0, data: bytes)])
    }
}
