import Foundation
import GanStore

/// Reads NumPy `.npy` files (format versions 1.0, 2.0 and 3.0,
/// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
///
/// Accepted: C-order arrays of `<f4`, `<f8`, `|u1` (and `<i4`, `<i8`, mostly for labels) with at
/// least one dimension; a 1-D array of N values becomes N samples of one feature.
/// Refused by name: any other dtype (big-endian, float16, bool, complex, strings, objects,
/// structured), Fortran order, a 0-d array, a header that does not parse, and data whose size
/// does not match the header's shape (with the byte offset where the data starts).
public struct NPYReader: Sendable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// The array in `bytes` (the file's content), NaN/Inf refused for float types.
    public func read(_ bytes: [UInt8]) throws -> NumericArray {
        guard bytes.count >= 10, Array(bytes[0..<6]) == Self.magic else {
            let got = bytes.prefix(6).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw LoaderError.badBinary(path: path, byteOffset: 0, reason: "not an NPY file: expected the magic \\x93NUMPY, found \(got)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else {
                throw LoaderError.badBinary(path: path, byteOffset: bytes.count, reason: "file ends inside the NPY header")
            }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw LoaderError.unsupported(path: path, reason: "NPY format version \(major).\(bytes[7]) is not supported (1.0, 2.0 and 3.0 are)")
        }
        let dataStart = headerStart + headerLength
        guard dataStart <= bytes.count else {
            throw LoaderError.badBinary(path: path, byteOffset: bytes.count, reason: "file ends inside the NPY header, which claims \(headerLength) bytes from byte \(headerStart)")
        }
        let header = String(decoding: bytes[headerStart..<dataStart], as: UTF8.self)
        let (descriptor, fortranOrder, shape) = try parseHeader(header, at: headerStart)
        guard let elementType = Self.elementTypes[descriptor] else {
            throw LoaderError.unsupported(path: path, reason: "NPY dtype '\(descriptor)' (\(Self.describe(descriptor))) is not supported; save the array as float32 ('<f4'), float64 ('<f8') or uint8 ('|u1'), e.g. np.save(path, a.astype('<f4'))")
        }
        if fortranOrder {
            throw LoaderError.unsupported(path: path, reason: "the array is in Fortran (column-major) order; save it in C order, e.g. np.save(path, np.ascontiguousarray(a))")
        }
        guard !shape.isEmpty else {
            throw LoaderError.unsupported(path: path, reason: "the array is 0-dimensional (a single scalar); a dataset needs at least one sample dimension")
        }
        let shapeText = shape.map(String.init).joined(separator: ", ")
        let expected = CheckedSize.product(shape + [elementType.byteWidth])
        guard let expected, bytes.count - dataStart == expected else {
            let needs = expected.map { "\($0) bytes" } ?? "more bytes than any file holds"
            throw LoaderError.badBinary(
                path: path, byteOffset: dataStart,
                reason: "the header's shape (\(shapeText)) of '\(descriptor)' needs \(needs) of data but the file has \(bytes.count - dataStart) after the header")
        }
        if let empty = shape.firstIndex(of: 0) {
            throw LoaderError.unsupported(path: path, reason: "the array's shape (\(shapeText)) has size 0 in dimension \(empty + 1), so there is nothing to train on")
        }
        let data = Array(bytes[dataStart...])
        if let bad = NumericArray.firstNonFinite(data, elementType) {
            throw LoaderError.badBinary(path: path, byteOffset: dataStart + bad.index * elementType.byteWidth,
                                        reason: "element \(bad.index) is \(bad.value); NaN and infinite values cannot be trained on")
        }
        let fullShape = shape.count == 1 ? [shape[0], 1] : shape
        return NumericArray(elementType: elementType, shape: fullShape, bytes: data)
    }

    static let elementTypes: [String: ElementType] = [
        "<f4": .float32, "<f8": .float64, "|u1": .uint8, "<u1": .uint8, "<i4": .int32, "<i8": .int64,
    ]

    /// A person's name for a NumPy type string.
    static func describe(_ descriptor: String) -> String {
        let order = descriptor.first == ">" ? "big-endian " : ""
        let code = descriptor.dropFirst()
        let names: [String: String] = [
            "f2": "float16", "f4": "float32", "f8": "float64", "f16": "float128", "u1": "uint8", "i1": "int8",
            "u2": "uint16", "i2": "int16", "u4": "uint32", "i4": "int32", "u8": "uint64", "i8": "int64",
            "b1": "bool", "c8": "complex64", "c16": "complex128", "O": "Python objects",
        ]
        if let name = names[String(code)] { return order + name }
        if code.hasPrefix("U") || code.hasPrefix("S") { return "strings" }
        if code.hasPrefix("M") || code.hasPrefix("m") { return "dates or time deltas" }
        if descriptor.hasPrefix("[") { return "a structured dtype" }
        return "an unknown type"
    }

    /// Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
    func parseHeader(_ header: String, at offset: Int) throws -> (String, Bool, [Int]) {
        func fail(_ what: String) -> LoaderError {
            .badBinary(path: path, byteOffset: offset, reason: "the NPY header \(what): \(header.trimmingCharacters(in: .whitespacesAndNewlines).prefix(120))")
        }
        guard header.contains("{") else { throw fail("is not a dictionary") }
        func value(after key: String) -> Substring? {
            for quote in ["'", "\""] {
                if let range = header.range(of: "\(quote)\(key)\(quote)") {
                    let rest = header[range.upperBound...].drop { $0 == " " }
                    guard rest.first == ":" else { return nil }
                    return rest.dropFirst().drop { $0 == " " }
                }
            }
            return nil
        }
        guard let descrText = value(after: "descr") else { throw fail("has no 'descr'") }
        let descriptor: String
        if let quote = descrText.first, quote == "'" || quote == "\"" {
            guard let close = descrText.dropFirst().firstIndex(of: quote) else { throw fail("has an unterminated 'descr'") }
            descriptor = String(descrText[descrText.index(after: descrText.startIndex)..<close])
        } else if descrText.first == "[" {
            descriptor = "[structured]"
        } else {
            throw fail("has an unreadable 'descr'")
        }
        guard let orderText = value(after: "fortran_order") else { throw fail("has no 'fortran_order'") }
        let fortranOrder: Bool
        if orderText.hasPrefix("True") { fortranOrder = true } else if orderText.hasPrefix("False") { fortranOrder = false } else {
            throw fail("has an unreadable 'fortran_order'")
        }
        guard let shapeText = value(after: "shape"), shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else {
            throw fail("has no readable 'shape'")
        }
        var shape: [Int] = []
        for part in shapeText[shapeText.index(after: shapeText.startIndex)..<close].split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
            if trimmed.isEmpty { continue }
            guard let dimension = Int(trimmed), dimension >= 0 else { throw fail("has a bad dimension '\(trimmed)' in 'shape'") }
            shape.append(dimension)
        }
        return (descriptor, fortranOrder, shape)
    }
}
