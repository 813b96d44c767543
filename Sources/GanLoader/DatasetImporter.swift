import Foundation
import GanStore

/// Turns files into a `DatasetContent`: samples from CSV, NPY or IDX (raw or gzip), optional
/// labels (a CSV column or a separate file), an optional separate test file (as MNIST ships
/// `train-…` and `t10k-…`), the split, and provenance (absolute paths, sizes, SHA-256s).
/// Everything is read and validated in memory; nothing touches a database.
public struct DatasetImporter: Sendable {
    public var path: String
    public var format: ImportFormat?
    /// A file of labels, one per sample (IDX, NPY or a one-column CSV).
    public var labelsPath: String?
    /// A separate test file; its rows become the test split, after the training rows.
    public var testPath: String?
    public var testLabelsPath: String?
    /// For CSV: which column holds the labels.
    public var labelColumn: CSVReader.LabelColumn?
    public var delimiter: Character?
    /// Share of rows held out as the test split when there is no test file (default 0.1).
    public var testFraction: Double?
    /// If set, the training rows (and test-file rows) are shuffled with this seed before storing.
    public var shuffleSeed: UInt64?
    /// Overrides for `value = element * scale + offset`. Defaults: uint8 from IDX or NPY
    /// (images) 1/255 and 0, everything else 1 and 0.
    public var scale: Double?
    public var offset: Double?
    /// A shape for each sample, e.g. `[8, 8]` for 64-column CSV digits.
    public var sampleShape: [Int]?
    public var labelNames: [String]?

    public init(path: String) {
        self.path = path
    }

    /// Reads, checks and assembles everything. `progress` gets a phase name and a fraction.
    public func read(progress: ((String, Double) -> Void)? = nil) throws -> DatasetContent {
        if let testFraction, !(testFraction >= 0 && testFraction < 1) {
            throw LoaderError.invalidArgument("--test-fraction must be in [0, 1), got \(testFraction)")
        }
        if testPath != nil && testFraction != nil {
            throw LoaderError.invalidArgument("pass either --test-fraction or a test file, not both")
        }
        if testLabelsPath != nil && testPath == nil {
            throw LoaderError.invalidArgument("--test-labels needs --test (the test samples it labels)")
        }
        var files: [DatasetMetadata.SourceFile] = []
        let (main, mainFile, format) = try readSamples(path, role: "samples", files: &files, progress: progress)
        var labels = try labelArray(for: main, samplesPath: path, labelsPath: labelsPath, role: "labels", files: &files)
        var samples = try reshaped(main.samples, path: path)
        var testCount: Int
        if let testPath {
            let (test, _, _) = try readSamples(testPath, role: "test-samples", files: &files, progress: progress)
            let testLabels = try labelArray(for: test, samplesPath: testPath, labelsPath: testLabelsPath, role: "test-labels", files: &files)
            var testSamples = try reshaped(test.samples, path: testPath)
            // CSV picks uint8 per file when every value is a small integer: if only one file
            // qualifies, both are stored as float32 (values unchanged).
            if format == .csv, Set([samples.elementType, testSamples.elementType]) == [.uint8, .float32] {
                samples = NumericArray(float32: samples.floatValues(), shape: samples.shape)
                testSamples = NumericArray(float32: testSamples.floatValues(), shape: testSamples.shape)
            }
            guard testSamples.elementType == samples.elementType, testSamples.shape.dropFirst() == samples.shape.dropFirst() else {
                throw LoaderError.mismatch(reason: "\(testPath) holds \(testSamples.elementType.rawValue) samples of shape \(Array(testSamples.shape.dropFirst())) but \(path) holds \(samples.elementType.rawValue) samples of shape \(Array(samples.shape.dropFirst())); train and test files must match")
            }
            guard (labels == nil) == (testLabels == nil) else {
                throw LoaderError.mismatch(reason: labels == nil
                    ? "\(testPath) has labels but \(path) has none; give both files labels or neither"
                    : "\(path) has labels but \(testPath) has none; pass --test-labels too")
            }
            testCount = testSamples.rowCount
            let shuffled = shuffle(samples: samples, labels: labels, seed: shuffleSeed)
            let shuffledTest = shuffle(samples: testSamples, labels: testLabels, seed: shuffleSeed.map { $0 &+ 1 })
            samples = shuffled.0.appending(shuffledTest.0)
            if let trainLabels = shuffled.1, let testLabels = shuffledTest.1 {
                labels = try combinedLabels(trainLabels, testLabels)
            }
        } else {
            let fraction = testFraction ?? 0.1
            testCount = min(samples.rowCount - 1, Int((Double(samples.rowCount) * fraction).rounded()))
            (samples, labels) = shuffle(samples: samples, labels: labels, seed: shuffleSeed)
        }
        let imageDefault = samples.elementType == .uint8 && format != .csv
        samples.scale = scale ?? (imageDefault ? 1.0 / 255.0 : 1)
        samples.offset = offset ?? 0
        if let labelNames, let labels, let largest = labels.integerValues().max(), largest >= labelNames.count {
            throw LoaderError.invalidArgument("--label-names gives \(labelNames.count) names but the labels go up to \(largest)")
        }
        var metadata = DatasetMetadata()
        metadata.format = format.rawValue
        metadata.files = files
        metadata.header = main.header
        metadata.labelColumn = main.labelColumnIndex
        metadata.labelNames = labelNames
        metadata.sampleShape = Array(samples.shape.dropFirst())
        metadata.shuffleSeed = shuffleSeed
        metadata.split = testPath == nil ? "fraction" : "files"
        metadata.parameters = testPath == nil ? ["test_fraction": testFraction ?? 0.1] : nil
        testCount = max(0, testCount)
        return DatasetContent(kind: .imported, source: mainFile.absolutePath, sourceBytes: mainFile.fileBytes,
                              samples: samples, labels: labels, testCount: testCount, metadata: metadata)
    }

    private func readSamples(_ path: String, role: String, files: inout [DatasetMetadata.SourceFile],
                             progress: ((String, Double) -> Void)?) throws -> (CSVReader.Table, InputFile, ImportFormat) {
        let name = URL(fileURLWithPath: path).lastPathComponent
        progress?("reading \(name)", 0)
        let file = try InputFile(path: path) { progress?("decompressing \(name)", $0) }
        let format = try ImportFormat.resolve(self.format, path: path, bytes: file.bytes)
        let delimiter = self.delimiter ?? (path.lowercased().contains(".tsv") ? "\t" : ",")
        let csv = CSVReader(path: path, delimiter: delimiter, labelColumn: labelColumn)
        let table = try format.read(file, csv: csv) { progress?("parsing \(name)", $0) }
        guard table.samples.rowCount > 0 else {
            throw LoaderError.mismatch(reason: "\(path) holds 0 samples; a dataset needs at least one")
        }
        files.append(file.provenance(role: role))
        return (table, file, format)
    }

    /// The labels of `table`: its CSV column, or the file at `labelsPath` (not both).
    private func labelArray(for table: CSVReader.Table, samplesPath: String, labelsPath: String?, role: String,
                            files: inout [DatasetMetadata.SourceFile]) throws -> NumericArray? {
        guard let labelsPath else { return table.labels }
        if table.labels != nil {
            throw LoaderError.invalidArgument("labels come from either --labels-column or a labels file, not both")
        }
        let file = try InputFile(path: labelsPath)
        let format = try ImportFormat.resolve(nil, path: labelsPath, bytes: file.bytes)
        let read = try format.read(file, csv: CSVReader(path: labelsPath), progress: nil).samples
        guard read.shape.count == 1 || (read.shape.count == 2 && read.shape[1] == 1) else {
            throw LoaderError.mismatch(reason: "\(labelsPath) holds an array of shape \(read.shape); labels need one value per sample (shape [count])")
        }
        guard read.rowCount == table.samples.rowCount else {
            throw LoaderError.mismatch(reason: "\(samplesPath) has \(table.samples.rowCount) samples but \(labelsPath) has \(read.rowCount) labels; pass the labels file that belongs to these samples")
        }
        files.append(file.provenance(role: role))
        return try normalizedLabels(read, path: labelsPath)
    }

    /// Labels as uint8 if every value is in 0…255, else int32; non-integers refused.
    func normalizedLabels(_ array: NumericArray, path: String) throws -> NumericArray {
        let count = array.rowCount
        if array.elementType == .uint8 { return NumericArray(elementType: .uint8, shape: [count], bytes: array.bytes) }
        let values = array.floatValues()
        for (index, value) in values.enumerated() where value != value.rounded() || abs(value) > Float(Int32.max) {
            throw LoaderError.mismatch(reason: "\(path): label \(index) is \(value), not an integer class label")
        }
        if values.allSatisfy({ $0 >= 0 && $0 <= 255 }) {
            return NumericArray(elementType: .uint8, shape: [count], bytes: values.map { UInt8($0) })
        }
        let integers = values.map { Int32($0) }
        return NumericArray(int32: integers, shape: [count])
    }

    private func combinedLabels(_ train: NumericArray, _ test: NumericArray) throws -> NumericArray {
        if train.elementType == test.elementType { return train.appending(test) }
        func widened(_ array: NumericArray) -> NumericArray {
            let values = array.integerValues().map { Int32($0) }
            return NumericArray(int32: values, shape: [values.count])
        }
        return widened(train).appending(widened(test))
    }

    private func reshaped(_ samples: NumericArray, path: String) throws -> NumericArray {
        var samples = samples
        if samples.shape.count == 1 { samples.shape.append(1) }
        guard let sampleShape else { return samples }
        let shapeText = sampleShape.map(String.init).joined(separator: ",")
        guard sampleShape.allSatisfy({ $0 > 0 }), let elements = CheckedSize.product(sampleShape) else {
            throw LoaderError.invalidArgument("--sample-shape \(shapeText) is not a shape: give positive sizes whose product is the number of values per sample (\(samples.rowWidth) in \(path))")
        }
        guard elements == samples.rowWidth else {
            throw LoaderError.invalidArgument("--sample-shape \(shapeText) has \(elements) elements but each sample of \(path) has \(samples.rowWidth)")
        }
        samples.shape = [samples.rowCount] + sampleShape
        return samples
    }

    private func shuffle(samples: NumericArray, labels: NumericArray?, seed: UInt64?) -> (NumericArray, NumericArray?) {
        guard let seed else { return (samples, labels) }
        var random = Xoshiro256StarStar(seed: seed)
        var order = Array(0..<samples.rowCount)
        random.shuffle(&order)
        return (samples.rows(order), labels?.rows(order))
    }
}
