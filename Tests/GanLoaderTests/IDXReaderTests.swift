import GanLoader
import Testing

/// IDX as MNIST uses it, and each way a header can disagree with its data.
@Suite struct IDXReaderTests {
    let reader = IDXReader(path: "x-idx3-ubyte")

    @Test func readsImagesLabelsAndBigEndianTypes() throws {
        let images = try reader.read(LoaderCorpus.idx(dimensions: [5, 4, 3], data: LoaderCorpus.images(count: 5)))
        #expect(images.shape == [5, 4, 3] && images.elementType == .uint8 && images.bytes == LoaderCorpus.images(count: 5))
        let labels = try reader.read(LoaderCorpus.idx(dimensions: [3], data: [1, 2, 3]))
        #expect(labels.shape == [3] && labels.bytes == [1, 2, 3])
        let integers = try reader.read(LoaderCorpus.idx(typeCode: 0x0C, dimensions: [2], data: [0, 0, 1, 0, 0xff, 0xff, 0xff, 0xfe]))
        #expect(integers.elementType == .int32 && integers.integerValues() == [256, -2])
        let floats = try reader.read(LoaderCorpus.idx(typeCode: 0x0D, dimensions: [1], data: [0x3f, 0xc0, 0, 0]))
        #expect(floats.floatValues() == [1.5])
    }

    @Test func wrongMagicIsRefusedAtByteZero() {
        let message = LoaderCorpus.message { _ = try reader.read([0x1f, 0x8c, 8, 3, 0, 0, 0, 1]) }
        #expect(message?.hasPrefix("x-idx3-ubyte: not an IDX file: magic 0x1f8c0803") == true, "\(message ?? "")")
        #expect(message?.contains("(at byte 0)") == true)
        let unknownType = LoaderCorpus.message { _ = try reader.read([0, 0, 0x07, 1, 0, 0, 0, 1, 0]) }
        #expect(unknownType?.contains("unknown element-type code 0x07") == true)
        let int16 = LoaderCorpus.message { _ = try reader.read([0, 0, 0x0B, 1, 0, 0, 0, 1, 0, 0]) }
        #expect(int16?.contains("int16") == true && int16?.contains("not supported") == true)
    }

    @Test func headerAndDataSizeMismatchNamesBothSizes() {
        let short = LoaderCorpus.message { _ = try reader.read(LoaderCorpus.idx(dimensions: [5, 4, 3], data: LoaderCorpus.images(count: 4))) }
        #expect(short?.contains("declares 5×4×3 uint8 = 60 bytes of data but 48 bytes follow it") == true, "\(short ?? "")")
        #expect(short?.contains("12 bytes short") == true && short?.contains("(at byte 16)") == true)
        let long = LoaderCorpus.message { _ = try reader.read(LoaderCorpus.idx(dimensions: [2], data: [1, 2, 3])) }
        #expect(long?.contains("1 bytes follow the data") == true)
        let cut = LoaderCorpus.message { _ = try reader.read([0, 0, 8, 3, 0, 0, 0, 5, 0]) }
        #expect(cut?.contains("ends inside the IDX header") == true)
        let tiny = LoaderCorpus.message { _ = try reader.read([0, 0]) }
        #expect(tiny?.contains("too short") == true)
        let noDimensions = LoaderCorpus.message { _ = try reader.read([0, 0, 8, 0]) }
        #expect(noDimensions?.contains("0 dimensions") == true)
    }
}
