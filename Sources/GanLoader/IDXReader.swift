import Foundation
import GanStore

/// Reads IDX files, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
/// two zero bytes, an element-type code, the number of dimensions, one big-endian UInt32 per
/// dimension, then the elements big-endian in row-major order. Images are `0x00000803`
/// (`[count, rows, columns]` uint8), labels `0x00000801` (`[count]` uint8). Decompression of
/// `.gz` files happens before (in `InputFile`).
///
/// Supported element types: 0x08 uint8, 0x0C int32, 0x0D float32, 0x0E float64 (converted to
/// little-endian). Refused by name: 0x09 int8, 0x0B int16, unknown codes. Refused with the byte
/// offset: a wrong magic, a truncated header, data longer or shorter than the header says.
public struct IDXReader: Sendable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    /// The array in `bytes` (the file's decompressed content), with the file's own shape.
    public func read(_ bytes: [UInt8]) throws -> NumericArray {
        guard bytes.count >= 4 else {
            throw LoaderError.badBinary(path: path, byteOffset: bytes.count, reason: "file of \(bytes.count) bytes is too short for an IDX header (4 bytes of magic, then the dimensions)")
        }
        let magic = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        let magicText = String(format: "0x%08x", magic)
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw LoaderError.badBinary(path: path, byteOffset: 0, reason: "not an IDX file: magic \(magicText) should start with two zero bytes (MNIST images start 00 00 08 03, labels 00 00 08 01)")
        }
        let elementType: ElementType
        switch bytes[2] {
        case 0x08: elementType = .uint8
        case 0x0C: elementType = .int32
        case 0x0D: elementType = .float32
        case 0x0E: elementType = .float64
        case 0x09:
            throw LoaderError.unsupported(path: path, reason: "IDX element type 0x09 (int8) in magic \(magicText) is not supported; convert to unsigned bytes (0x08)")
        case 0x0B:
            throw LoaderError.unsupported(path: path, reason: "IDX element type 0x0B (int16) in magic \(magicText) is not supported; convert to int32 (0x0C) or float32 (0x0D)")
        default:
            throw LoaderError.badBinary(path: path, byteOffset: 2, reason: "not an IDX file: magic \(magicText) has the unknown element-type code \(String(format: "0x%02x", bytes[2])) (known: 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E)")
        }
        let dimensionCount = Int(bytes[3])
        guard dimensionCount >= 1 else {
            throw LoaderError.badBinary(path: path, byteOffset: 3, reason: "IDX magic \(magicText) declares 0 dimensions; a dataset needs at least one")
        }
        let dataStart = 4 + 4 * dimensionCount
        guard bytes.count >= dataStart else {
            throw LoaderError.badBinary(path: path, byteOffset: bytes.count, reason: "file ends inside the IDX header: magic \(magicText) declares \(dimensionCount) dimensions, which need \(dataStart) header bytes")
        }
        let shape = (0..<dimensionCount).map { d -> Int in
            let at = 4 + 4 * d
            return Int(UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3]))
        }
        let actual = bytes.count - dataStart
        let declared = "the IDX header declares \(CheckedSize.describe(shape)) \(elementType.rawValue)"
        guard let expected = CheckedSize.product(shape + [elementType.byteWidth]) else {
            throw LoaderError.badBinary(path: path, byteOffset: 4, reason: "\(declared), more bytes than any file holds, but \(actual) bytes follow it (a damaged or crafted header)")
        }
        guard actual == expected else {
            let verdict = actual < expected ? "the data is \(expected - actual) bytes short (truncated file?)" : "\(actual - expected) bytes follow the data"
            throw LoaderError.badBinary(path: path, byteOffset: dataStart,
                                        reason: "\(declared) = \(expected) bytes of data but \(actual) bytes follow it; \(verdict)")
        }
        if let empty = shape.firstIndex(of: 0) {
            throw LoaderError.badBinary(path: path, byteOffset: 4 + 4 * empty,
                                        reason: "the IDX header declares \(CheckedSize.describe(shape)): dimension \(empty + 1) is 0, so there is nothing to train on")
        }
        var data = Array(bytes[dataStart...])
        if elementType.byteWidth > 1 { Self.swapBytes(&data, width: elementType.byteWidth) }
        if let bad = NumericArray.firstNonFinite(data, elementType) {
            throw LoaderError.badBinary(path: path, byteOffset: dataStart + bad.index * elementType.byteWidth,
                                        reason: "element \(bad.index) is \(bad.value); NaN and infinite values cannot be trained on")
        }
        return NumericArray(elementType: elementType, shape: shape, bytes: data)
    }

    /// Reverses the byte order of each `width`-byte element of `data` in place.
    static func swapBytes(_ data: inout [UInt8], width: Int) {
        data.withUnsafeMutableBufferPointer { buffer in
            var start = 0
            while start + width <= buffer.count {
                var low = start, high = start + width - 1
                while low < high {
                    buffer.swapAt(low, high)
                    low += 1
                    high -= 1
                }
                start += width
            }
        }
    }
}
