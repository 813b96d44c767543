import Foundation
import GanLoader
import GanTestSupport
import Testing

/// The corpus of bad inputs from issue 4, made at run time: each refused with one line naming
/// the file and the place (line, column, byte), a non-zero exit, and the database unchanged.
extension DataCommandTests {
    /// A folder with a database holding one dataset (`taken`) and the broken files.
    func corpusFolder() throws -> TemporaryDirectory {
        let folder = TemporaryDirectory()
        _ = try run(["data", "generate", "grid", "--samples", "300", "--name", "taken"], in: folder)
        func write(_ bytes: [UInt8], _ name: String) {
            _ = FileManager.default.createFile(atPath: folder.file(name), contents: Data(bytes))
        }
        let images = (0..<(5 * 12)).map { UInt8($0) }
        let idxHeader: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 3]
        write(idxHeader + images, "good-idx3-ubyte")
        write([0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4], "four-idx1-ubyte")
        write([0x50, 0x4b, 3, 4] + Array(idxHeader.dropFirst(4)) + images, "magic-idx3-ubyte")
        write(idxHeader + images.dropLast(7), "short-idx3-ubyte")
        let compressed = Gzip.compress(idxHeader + images + [UInt8](repeating: 9, count: 4000))
        write(Array(compressed.prefix(compressed.count / 2)), "cut-idx3-ubyte.gz")
        write([], "empty.csv")
        write(Array("1,2,3\n4,5,6\n7,8\n".utf8), "ragged.csv")
        write(Array("x,y\n1,2\n3,oops\n".utf8), "words.csv")
        write(Array("1,2\n3,nan\n".utf8), "nan.csv")
        write(Array("1,2\n3,4\n-inf,5\n".utf8), "inf.csv")
        let npy = DatasetExporter.npy(NumericArray(float32: [1, 2, 3, 4, 5, 6], shape: [3, 2]))
        func replacing(_ old: String, _ new: String) -> [UInt8] {
            let header = Array(npy[10..<64])
            let edited = String(decoding: header, as: UTF8.self).replacingOccurrences(of: old, with: new)
            return Array(npy[0..<10]) + Array(edited.utf8) + Array(npy[64...])
        }
        write(replacing("'<f4'", "'<f2'"), "half.npy")
        write(replacing("False", "True "), "fortran.npy")
        try FileManager.default.createDirectory(atPath: folder.file("adir"), withIntermediateDirectories: false)
        return folder
    }

    @Test func everyBadFileIsRefusedWithItsPlaceAndNothingChanges() throws {
        let folder = try corpusFolder()
        func refuse(_ file: String, _ extra: [String] = [], mentioning words: [String]) throws {
            try expectRefused(["data", "import", file, "--name", "new"] + extra, in: folder, mentioning: words)
        }
        try refuse("absent.csv", mentioning: ["cannot read absent.csv", "no such file"])
        try refuse("adir", mentioning: ["adir", "is a directory"])
        try refuse("/proc/self/mem", ["--format", "csv"], mentioning: ["cannot read /proc/self/mem"])
        try refuse("empty.csv", mentioning: ["empty.csv is empty"])
        try refuse("cut-idx3-ubyte.gz", mentioning: ["cut-idx3-ubyte.gz", "truncated", "compressed byte"])
        try refuse("magic-idx3-ubyte", mentioning: ["magic-idx3-ubyte", "not an IDX file", "0x504b0304", "at byte 0"])
        try refuse("short-idx3-ubyte", mentioning: ["short-idx3-ubyte", "60 bytes of data but 53", "at byte 16"])
        try refuse("good-idx3-ubyte", ["--labels", "four-idx1-ubyte"], mentioning: ["has 5 samples", "four-idx1-ubyte has 4 labels"])
        try refuse("ragged.csv", mentioning: ["ragged.csv:3:", "2 cells but line 1 has 3", "byte 12"])
        try refuse("words.csv", mentioning: ["words.csv:3:2:", "'oops' is not a number", "byte 10"])
        try refuse("nan.csv", mentioning: ["nan.csv:2:2:", "nan is not finite"])
        try refuse("inf.csv", mentioning: ["inf.csv:3:1:", "-inf is not finite"])
        try refuse("half.npy", mentioning: ["half.npy", "'<f2' (float16) is not supported"])
        try refuse("fortran.npy", mentioning: ["fortran.npy", "Fortran"])
        try expectRefused(["data", "import", "good-idx3-ubyte", "--name", "taken"], in: folder,
                          mentioning: ["'taken' already exists", "ganpipe data delete taken"])
        try expectRefused(["data", "generate", "grid", "--samples", "300", "--name", "twin"], in: folder,
                          mentioning: ["same arrays", "'taken'"])
        try expectRefused(["data", "generate", "ring", "--samples", "0"], in: folder, mentioning: ["--samples"])
        try expectRefused(["data", "import", "good-idx3-ubyte", "--name", "x", "--test-fraction", "1.5"], in: folder, mentioning: ["--test-fraction"])
    }

    @Test func unknownDatasetsAndExistingExportFilesAreRefused() throws {
        let folder = try corpusFolder()
        try expectRefused(["data", "show", "nope"], in: folder, mentioning: ["'nope'", "ganpipe data list"])
        try expectRefused(["data", "delete", "nope"], in: folder, mentioning: ["'nope'"])
        try expectRefused(["data", "export", "nope", "--to", "x.npy"], in: folder, mentioning: ["'nope'"])
        try expectRefused(["data", "export", "taken", "--to", "ragged.csv"], in: folder, mentioning: ["ragged.csv already exists", "--force"])
        try expectRefused(["data", "export", "taken", "--to", "out.parquet"], in: folder, mentioning: [".npy, .csv or .csv.gz"])
        try expectRefused(["data", "export", "taken", "--to", "missing/out.npy"], in: folder, mentioning: ["cannot write missing/out.npy"])
    }

    @Test func aBadFileNeverCreatesADatabase() throws {
        let folder = TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: folder.file("bad.csv"), contents: Data("1,2\n3\n".utf8))
        let before = FileSnapshot(folder: folder.path, strict: true)
        let outcome = try GanPipeProcess.run(["data", "import", "bad.csv", "--name", "b"], in: folder.path)
        #expect(outcome.status != 0 && outcome.stderrLines.count == 1)
        #expect(FileSnapshot(folder: folder.path, strict: true) == before, "no ganpipe.sqlite appeared")
        let list = try GanPipeProcess.run(["data", "list"], in: folder.path)
        #expect(list.status != 0 && list.standardError.contains("no database"))
    }
}
