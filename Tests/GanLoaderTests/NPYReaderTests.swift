import GanLoader
import Testing

/// NPY: the three header versions, the supported dtypes, and refusals by name.
@Suite struct NPYReaderTests {
    let reader = NPYReader(path: "a.npy")

    @Test(arguments: [UInt8(1), 2, 3])
    func readsEveryHeaderVersion(version: UInt8) throws {
        let file = LoaderCorpus.npy(descr: "<f4", shape: [2, 3], data: LoaderCorpus.bytes([Float](arrayLiteral: 1, 2, 3, 4, 5, 6)), version: version)
        let array = try reader.read(file)
        #expect(array.shape == [2, 3] && array.elementType == .float32)
        #expect(array.floatValues() == [1, 2, 3, 4, 5, 6])
    }

    @Test func readsFloat64Uint8AndIntegerLabels() throws {
        let doubles = try reader.read(LoaderCorpus.npy(descr: "<f8", shape: [2, 1, 2], data: LoaderCorpus.bytes([0.5, 1.5, 2.5, 3.5])))
        #expect(doubles.elementType == .float64 && doubles.shape == [2, 1, 2] && doubles.floatValues() == [0.5, 1.5, 2.5, 3.5])
        let bytes = try reader.read(LoaderCorpus.npy(descr: "|u1", shape: [3], data: [7, 8, 9]))
        #expect(bytes.shape == [3, 1] && bytes.bytes == [7, 8, 9])
        let labels = try reader.read(LoaderCorpus.npy(descr: "<i8", shape: [2], data: LoaderCorpus.bytes([Int64(3), 4])))
        #expect(labels.integerValues() == [3, 4])
    }

    @Test(arguments: [("<f2", "float16"), (">f4", "big-endian float32"), ("|b1", "bool"), ("<c8", "complex64"),
                      ("<U3", "strings"), ("|O", "Python objects"), ("<u2", "uint16")])
    func refusesUnsupportedTypesByName(descriptor: String, name: String) {
        let file = LoaderCorpus.npy(descr: descriptor, shape: [1], data: [0, 0, 0, 0, 0, 0, 0, 0])
        let message = LoaderCorpus.message { _ = try reader.read(file) } ?? "accepted"
        #expect(message.contains("a.npy: NPY dtype '\(descriptor)' (\(name)) is not supported"), "\(message)")
    }

    @Test func refusesFortranOrderZeroDimensionsAndBadSizes() {
        let data = LoaderCorpus.bytes([Float](repeating: 1, count: 6))
        let fortran = LoaderCorpus.message { _ = try reader.read(LoaderCorpus.npy(descr: "<f4", fortranOrder: true, shape: [2, 3], data: data)) }
        #expect(fortran?.contains("Fortran (column-major) order") == true)
        let scalar = LoaderCorpus.message { _ = try reader.read(LoaderCorpus.npy(descr: "<f4", shape: [], data: Array(data.prefix(4)))) }
        #expect(scalar?.contains("0-dimensional") == true, "\(scalar ?? "")")
        let shortFile = LoaderCorpus.npy(descr: "<f4", shape: [2, 4], data: data)
        let short = LoaderCorpus.message { _ = try reader.read(shortFile) }
        #expect(short?.contains("needs 32 bytes of data but the file has 24 after the header (at byte \(shortFile.count - 24))") == true, "\(short ?? "")")
        #expect((shortFile.count - 24) % 64 == 0, "NumPy pads headers so data starts 64-byte aligned")
        let notNPY = LoaderCorpus.message { _ = try reader.read(Array("hello world".utf8)) }
        #expect(notNPY?.contains("not an NPY file") == true)
        let cutHeader = LoaderCorpus.message { _ = try reader.read(Array(LoaderCorpus.npy(descr: "<f4", shape: [1], data: []).prefix(30))) }
        #expect(cutHeader?.contains("ends inside the NPY header") == true)
    }

    @Test func refusesNaNAndInfinityWithTheirOffset() {
        let file = LoaderCorpus.npy(descr: "<f4", shape: [3], data: LoaderCorpus.bytes([Float(1), .nan, 2]))
        let message = LoaderCorpus.message { _ = try reader.read(file) }
        let offset = file.count - 12 + 4
        #expect(message?.contains("element 1 is nan") == true && message?.contains("(at byte \(offset))") == true, "\(message ?? "")")
        let infinite = LoaderCorpus.npy(descr: "<f8", shape: [1], data: LoaderCorpus.bytes([Double.infinity]))
        #expect(LoaderCorpus.message { _ = try reader.read(infinite) }?.contains("inf") == true)
    }
}
