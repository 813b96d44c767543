import Foundation
import GanLoader
import GanTestSupport
import Testing

/// Whole imports from files on disk: formats, labels, test files, splits, shuffles and the
/// file-level failures (missing, directory, unreadable, empty, truncated gzip, count mismatch).
@Suite struct DatasetImporterTests {
    @Test func importsGzipIDXWithLabelsAndATestFile() throws {
        let folder = TemporaryDirectory()
        let train = LoaderCorpus.write(Gzip.compress(LoaderCorpus.idx(dimensions: [6, 4, 3], data: LoaderCorpus.images(count: 6))), "train-images-idx3-ubyte.gz", in: folder)
        let labels = LoaderCorpus.write(LoaderCorpus.idx(dimensions: [6], data: [0, 1, 2, 3, 4, 5]), "train-labels-idx1-ubyte", in: folder)
        let test = LoaderCorpus.write(LoaderCorpus.idx(dimensions: [2, 4, 3], data: LoaderCorpus.images(count: 2)), "t10k-images-idx3-ubyte", in: folder)
        let testLabels = LoaderCorpus.write(LoaderCorpus.npy(descr: "<i8", shape: [2], data: LoaderCorpus.bytes([Int64(9), 8])), "t10k-labels.npy", in: folder)
        var importer = DatasetImporter(path: train)
        importer.labelsPath = labels
        importer.testPath = test
        importer.testLabelsPath = testLabels
        let content = try importer.read()
        #expect(content.samples.shape == [8, 4, 3] && content.samples.elementType == .uint8)
        #expect(content.samples.scale == 1.0 / 255 && content.trainCount == 6 && content.testCount == 2)
        #expect(content.labels?.integerValues() == [0, 1, 2, 3, 4, 5, 9, 8])
        #expect(content.metadata.files?.map(\.role) == ["samples", "labels", "test-samples", "test-labels"])
        #expect(content.metadata.files?.first?.gzip == true && content.metadata.split == "files")
        #expect(content.source.hasPrefix("/") && content.sourceBytes == content.metadata.files?.first?.bytes)
    }

    @Test func csvWithShapeScaleFractionAndShuffle() throws {
        let folder = TemporaryDirectory()
        let rows = (0..<20).map { i in "\(i),\(i + 1),\(i + 2),\(i + 3),\(i % 3)" }.joined(separator: "\n")
        let path = LoaderCorpus.write(Gzip.compress(Array(rows.utf8)), "small.csv.gz", in: folder)
        var importer = DatasetImporter(path: path)
        importer.labelColumn = .last
        importer.sampleShape = [2, 2]
        importer.scale = 0.5
        importer.testFraction = 0.25
        let plain = try importer.read()
        #expect(plain.samples.shape == [20, 2, 2] && plain.samples.scale == 0.5 && plain.testCount == 5)
        #expect(Array(plain.samples.floatValues().prefix(4)) == [0, 0.5, 1, 1.5])
        importer.shuffleSeed = 4
        let shuffled = try importer.read(), again = try importer.read()
        #expect(shuffled.samples.bytes == again.samples.bytes && shuffled.samples.bytes != plain.samples.bytes)
        #expect(shuffled.samples.bytes.sorted() == plain.samples.bytes.sorted())
        // Each shuffled row keeps its label: label = first pixel mod 3.
        let pixels = shuffled.samples.bytes, labels = try #require(shuffled.labels).bytes
        #expect((0..<20).allSatisfy { Int(pixels[4 * $0]) % 3 == Int(labels[$0]) })
        importer.sampleShape = [3, 3]
        #expect(LoaderCorpus.message { _ = try importer.read() }?.contains("--sample-shape 3,3 has 9 elements") == true)
    }

    @Test func fileLevelFailuresNameThePath() throws {
        let folder = TemporaryDirectory()
        func failure(_ path: String, format: ImportFormat? = nil) -> String {
            var importer = DatasetImporter(path: path)
            importer.format = format
            return LoaderCorpus.message { _ = try importer.read() } ?? "accepted"
        }
        #expect(failure(folder.file("absent.csv")).contains("cannot read \(folder.file("absent.csv")): no such file"))
        #expect(failure(folder.path).contains("it is a directory"))
        #expect(failure("/proc/self/mem", format: .csv).contains("cannot read /proc/self/mem"))
        let empty = LoaderCorpus.write([UInt8](), "empty.csv", in: folder)
        #expect(failure(empty).contains("empty.csv is empty"))
        let compressed = Gzip.compress(LoaderCorpus.idx(dimensions: [50, 4, 3], data: LoaderCorpus.images(count: 50)))
        let truncated = LoaderCorpus.write(Array(compressed.prefix(compressed.count - 30)), "cut-idx3-ubyte.gz", in: folder)
        #expect(failure(truncated).contains("cut-idx3-ubyte.gz: gzip data is truncated"))
        let mystery = LoaderCorpus.write([0xde, 0xad, 0xbe, 0xef, 0, 1], "blob.bin", in: folder)
        #expect(failure(mystery).contains("cannot tell the format"))
        let npz = LoaderCorpus.write([0x50, 0x4b, 3, 4], "arrays.npz", in: folder)
        #expect(failure(npz).contains(".npz archives are not supported"))
    }

    @Test func labelAndTestMismatchesAreRefused() throws {
        let folder = TemporaryDirectory()
        let images = LoaderCorpus.write(LoaderCorpus.idx(dimensions: [4, 4, 3], data: LoaderCorpus.images(count: 4)), "a-idx3-ubyte", in: folder)
        let fewLabels = LoaderCorpus.write(LoaderCorpus.idx(dimensions: [3], data: [1, 2, 3]), "b-idx1-ubyte", in: folder)
        let otherShape = LoaderCorpus.write(LoaderCorpus.idx(dimensions: [2, 3, 4], data: LoaderCorpus.images(count: 2)), "c-idx3-ubyte", in: folder)
        var importer = DatasetImporter(path: images)
        importer.labelsPath = fewLabels
        let count = LoaderCorpus.message { _ = try importer.read() }
        #expect(count?.contains("has 4 samples but \(fewLabels) has 3 labels") == true, "\(count ?? "")")
        importer.labelsPath = nil
        importer.testPath = otherShape
        #expect(LoaderCorpus.message { _ = try importer.read() }?.contains("train and test files must match") == true)
        importer.testPath = nil
        importer.testLabelsPath = fewLabels
        #expect(LoaderCorpus.message { _ = try importer.read() }?.contains("--test-labels needs --test") == true)
        let floats = LoaderCorpus.write(LoaderCorpus.npy(descr: "<f4", shape: [4], data: LoaderCorpus.bytes([Float(1), 2.5, 3, 4])), "l.npy", in: folder)
        importer.testLabelsPath = nil
        importer.labelsPath = floats
        #expect(LoaderCorpus.message { _ = try importer.read() }?.contains("label 1 is 2.5, not an integer") == true)
    }

    @Test func csvTrainAndTestFilesOfDifferentStoredTypesAreBothFloat() throws {
        let folder = TemporaryDirectory()
        let train = LoaderCorpus.write("1,2,0\n3,4,1\n", "train.csv", in: folder)
        let test = LoaderCorpus.write("0.5,2,1\n", "test.csv", in: folder)
        var importer = DatasetImporter(path: train)
        importer.testPath = test
        importer.labelColumn = .last
        let content = try importer.read()
        #expect(content.samples.elementType == .float32 && content.samples.floatValues() == [1, 2, 3, 4, 0.5, 2])
        #expect(content.labels?.integerValues() == [0, 1, 1] && content.testCount == 1)
    }
}
