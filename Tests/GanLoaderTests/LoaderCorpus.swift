import Foundation
import GanLoader
import GanTestSupport

/// Builders for the test corpus: good and deliberately broken CSV, NPY, IDX and gzip files,
/// made at run time in a temporary folder so the repository holds no binary fixtures.
enum LoaderCorpus {
    /// An NPY file with a hand-written header (so tests can write headers NumPy never would).
    static func npy(descr: String, fortranOrder: Bool = false, shape: [Int], data: [UInt8], version: UInt8 = 1) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        let prefix = version == 1 ? 10 : 12
        header += String(repeating: " ", count: (64 - (prefix + header.utf8.count + 1) % 64) % 64) + "\n"
        let length = header.utf8.count
        let lengthBytes: [UInt8] = version == 1
            ? [UInt8(length & 0xff), UInt8(length >> 8)]
            : [UInt8(length & 0xff), UInt8((length >> 8) & 0xff), UInt8((length >> 16) & 0xff), UInt8(length >> 24)]
        return [0x93] + Array("NUMPY".utf8) + [version, 0] + lengthBytes + Array(header.utf8) + data
    }

    /// Little-endian bytes of `values`.
    static func bytes<T>(_ values: [T]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }

    /// An IDX file: magic 00 00 `typeCode` `dims.count`, big-endian dimensions, then `data`.
    static func idx(typeCode: UInt8 = 0x08, dimensions: [Int], data: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, typeCode, UInt8(dimensions.count)]
        for dimension in dimensions {
            let value = UInt32(dimension)
            bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
        }
        return bytes + data
    }

    /// `count` fake 4×3 "images" whose pixel j of image i is (i * 7 + j) mod 256.
    static func images(count: Int, rows: Int = 4, columns: Int = 3) -> [UInt8] {
        (0..<count).flatMap { i in (0..<(rows * columns)).map { j in UInt8((i * 7 + j) % 256) } }
    }

    /// Writes `bytes` to `name` in `folder` and returns the path.
    @discardableResult
    static func write(_ bytes: [UInt8], _ name: String, in folder: TemporaryDirectory) -> String {
        let path = folder.file(name)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// Writes `text` to `name` in `folder` and returns the path.
    @discardableResult
    static func write(_ text: String, _ name: String, in folder: TemporaryDirectory) -> String {
        write(Array(text.utf8), name, in: folder)
    }

    /// The message of the `LoaderError` that `body` throws, or nil if it throws none.
    static func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }
}
