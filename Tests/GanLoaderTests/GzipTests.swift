import GanLoader
import GanTestSupport
import Testing

/// gzip through zlib: round trips, concatenated members, and precise errors for damage.
@Suite struct GzipTests {
    let text = Array(String(repeating: "0,1,2,3,4,5,6,7,8,9\n", count: 5000).utf8)

    @Test func roundTripsAndReadsConcatenatedMembers() throws {
        let compressed = Gzip.compress(text)
        #expect(Gzip.isCompressed(compressed) && compressed.count < text.count / 10)
        #expect(try Gzip.decompress(compressed, path: "a.gz") == text)
        let twice = compressed + Gzip.compress(Array("tail\n".utf8))
        #expect(try Gzip.decompress(twice, path: "b.gz") == text + Array("tail\n".utf8))
        #expect(try Gzip.decompress(Gzip.compress([]), path: "empty.gz").isEmpty)
    }

    @Test func truncatedDataNamesTheFileAndOffset() {
        let compressed = Gzip.compress(text)
        let cut = Array(compressed.prefix(compressed.count / 2))
        let message = LoaderCorpus.message { _ = try Gzip.decompress(cut, path: "cut.gz") }
        #expect(message?.contains("cut.gz") == true)
        #expect(message?.contains("truncated") == true, "\(message ?? "")")
        #expect(message?.contains("byte") == true)
        let tiny = LoaderCorpus.message { _ = try Gzip.decompress([0x1f, 0x8b, 8, 0], path: "tiny.gz") }
        #expect(tiny?.contains("tiny.gz") == true)
    }

    @Test func corruptDataAndTrailingGarbageAreRefused() {
        var damaged = Gzip.compress(text)
        for i in 20..<40 { damaged[i] ^= 0x5a }
        let message = LoaderCorpus.message { _ = try Gzip.decompress(damaged, path: "bad.gz") }
        #expect(message?.contains("bad.gz") == true && message?.contains("corrupt") == true, "\(message ?? "")")
        let trailing = Gzip.compress(text) + Array("junk".utf8)
        let second = LoaderCorpus.message { _ = try Gzip.decompress(trailing, path: "junk.gz") }
        #expect(second?.contains("unexpected bytes") == true, "\(second ?? "")")
    }
}
