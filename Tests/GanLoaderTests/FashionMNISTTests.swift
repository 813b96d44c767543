import Foundation
import GanLoader
import GanStore
import Testing

/// The real Fashion-MNIST test split from Debian's `dataset-fashion-mnist` package
/// (/usr/share/datasets/fashion-mnist/, listed in scripts/system-packages.txt). Only the
/// 10,000-image t10k files are read, so the test stays well under a second.
private let fashionMNISTFolder = "/usr/share/datasets/fashion-mnist"

/// The package is a build requirement (make and CI install it), so a missing file fails the test.
@Suite struct FashionMNISTTests {
    static let folder = fashionMNISTFolder

    @Test func importsTheRealTestSplit() throws {
        try #require(FileManager.default.fileExists(atPath: Self.folder + "/t10k-images-idx3-ubyte.gz"),
                     "install Debian's dataset-fashion-mnist (scripts/ensure-system-packages)")
        var importer = DatasetImporter(path: Self.folder + "/t10k-images-idx3-ubyte.gz")
        importer.labelsPath = Self.folder + "/t10k-labels-idx1-ubyte.gz"
        importer.testFraction = 0
        let content = try importer.read()
        #expect(content.samples.shape == [10_000, 28, 28] && content.samples.elementType == .uint8)
        #expect(content.samples.scale == 1.0 / 255 && content.testCount == 0)
        let labels = try #require(content.labels).integerValues()
        #expect((0...9).allSatisfy { label in labels.filter { $0 == label }.count == 1000 }, "1,000 images per class")
        #expect(content.metadata.files?.first?.bytes == 4_422_079)
        let database = try GanDatabase.inMemory()
        try DatasetCatalog(database).save(content, name: "fashion-t10k")
        let loaded = try DatasetCatalog(database).load("fashion-t10k")
        #expect(loaded.samples.count == 7_840_000 && loaded.samples.min() == 0 && loaded.samples.max() == 1)
    }
}
