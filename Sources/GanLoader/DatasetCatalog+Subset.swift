import Foundation
import GanStore

extension DatasetCatalog {
    /// The rows of `source` whose label is in `classes` (nil: every class): its training split
    /// filtered — to at most `perClass` samples of each class when given, chosen by a seeded
    /// shuffle (`seed`) and kept in stored order (a small labelled set) — and its test split whole
    /// (`wholeTestSplit`, the one-class protocol of anomaly detection: train on one class, test
    /// on all) or filtered by the same classes. Arrays keep their stored element type and scale;
    /// metadata keeps the source's (shape, class names) and says where it came from.
    public func subset(of source: DatasetRecord, classes wanted: Set<Int>?, perClass: Int? = nil, seed: UInt64 = 0,
                       wholeTestSplit: Bool) throws -> DatasetContent {
        let store = DatasetStore(database)
        guard let samples = try store.array("samples", of: source), let labels = try store.array("labels", of: source) else {
            throw LoaderError.invalidArgument("dataset \(source.name) has no labels, so it has no classes to keep; subset a labelled dataset")
        }
        let labelValues = try labels.floats().map { Int($0) }
        let present = Set(labelValues)
        let classes = wanted ?? present
        let missing = classes.subtracting(present).sorted()
        guard missing.isEmpty else {
            throw LoaderError.invalidArgument("dataset \(source.name) has no class \(missing.map(String.init).joined(separator: ", ")); its labels are \(present.sorted().map(String.init).joined(separator: ", "))")
        }
        var train = (0..<source.trainCount).filter { classes.contains(labelValues[$0]) }
        if let perClass {
            guard perClass >= 1 else { throw LoaderError.invalidArgument("a per-class count must be at least 1 (got \(perClass))") }
            var random = Xoshiro256StarStar(seed: seed)
            var shuffled = train
            random.shuffle(&shuffled)
            var kept = [Int: Int]()
            train = shuffled.filter { row in
                kept[labelValues[row], default: 0] += 1
                return kept[labelValues[row]]! <= perClass
            }.sorted()
        }
        let test = (source.trainCount..<source.sampleCount).filter { wholeTestSplit || classes.contains(labelValues[$0]) }
        let rows = train + test
        func pick(_ array: DatasetStore.StoredArray) throws -> NumericArray {
            guard let type = ElementType(rawValue: array.record.elementType) else { throw StoreError.corruptBlob("array \(array.record.name)") }
            let width = array.shape.dropFirst().reduce(1, *) * type.byteWidth
            let bytes = [UInt8](array.bytes)
            var picked = [UInt8]()
            picked.reserveCapacity(rows.count * width)
            for row in rows { picked += bytes[(row * width)..<((row + 1) * width)] }
            return NumericArray(elementType: type, shape: [rows.count] + array.shape.dropFirst(), bytes: picked,
                                scale: array.record.scale, offset: array.record.offset)
        }
        var metadata = (try? JSONDecoder().decode(DatasetMetadata.self, from: Data(source.metadataJson.utf8))) ?? DatasetMetadata()
        metadata.derivedFrom = .init(dataset: source.name, contentSha256: source.contentSha256, classes: classes.sorted(), wholeTestSplit: wholeTestSplit,
                                     perClass: perClass, seed: perClass == nil ? nil : seed)
        metadata.split = "subset"
        return DatasetContent(kind: source.kind, source: "subset of \(source.name)", seed: source.seed, samples: try pick(samples),
                              labels: try pick(labels), testCount: test.count, metadata: metadata)
    }
}
