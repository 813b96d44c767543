import Foundation
import GanStore

/// A dense little-endian array in memory, as stored in `dataset_arrays`: an element type, a
/// full shape (`[count, features…]`, the first dimension indexing samples), the raw bytes, and
/// the affine map `value = element * scale + offset` (uint8 images: `scale = 1/255`).
public struct NumericArray: Sendable, Equatable {
    public var elementType: ElementType
    public var shape: [Int]
    public var bytes: [UInt8]
    public var scale: Double
    public var offset: Double

    /// An array over `bytes`; the byte count must match the shape.
    public init(elementType: ElementType, shape: [Int], bytes: [UInt8], scale: Double = 1, offset: Double = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(bytes.count == shape.reduce(1, *) * elementType.byteWidth,
                     "\(bytes.count) bytes do not fit shape \(shape) of \(elementType)")
        self.elementType = elementType
        self.shape = shape
        self.bytes = bytes
        self.scale = scale
        self.offset = offset
    }

    /// A float32 array of `values` with `shape`.
    public init(float32 values: [Float], shape: [Int]) {
        self.init(elementType: .float32, shape: shape, bytes: TypedArrayCodec.bytes(values))
    }

    /// An int32 array of `values` with `shape`.
    public init(int32 values: [Int32], shape: [Int]) {
        self.init(elementType: .int32, shape: shape, bytes: TypedArrayCodec.bytes(values))
    }

    /// The number of rows (samples): the first dimension.
    public var rowCount: Int { shape.first ?? 0 }
    /// Elements per row: the product of the other dimensions.
    public var rowWidth: Int { shape.dropFirst().reduce(1, *) }
    public var elementCount: Int { shape.reduce(1, *) }
    /// The shape as stored in `shape_json`, e.g. `[60000,28,28]`.
    public var shapeJSON: String { "[" + shape.map(String.init).joined(separator: ",") + "]" }

    /// Every element mapped through `element * scale + offset`, as Float32 (through GanStore's
    /// `TypedArrayCodec`, so the trainer and this loader see the same values).
    public func floatValues() -> [Float] {
        TypedArrayCodec.floats(bytes, as: elementType, count: elementCount, scale: scale, offset: offset)
    }

    /// Every element as an integer (for labels); floats are truncated toward zero.
    public func integerValues() -> [Int64] {
        TypedArrayCodec.integers(bytes, as: elementType, count: elementCount)
    }

    /// The rows in `order` (a permutation or selection of row indices).
    public func rows(_ order: [Int]) -> NumericArray {
        let width = rowWidth * elementType.byteWidth
        var result = [UInt8](repeating: 0, count: order.count * width)
        result.withUnsafeMutableBytes { output in
            bytes.withUnsafeBytes { input in
                for (target, source) in order.enumerated() where width > 0 {
                    precondition(source >= 0 && source < rowCount, "row \(source) out of range")
                    (output.baseAddress! + target * width).copyMemory(from: input.baseAddress! + source * width, byteCount: width)
                }
            }
        }
        var shape = self.shape
        shape[0] = order.count
        return NumericArray(elementType: elementType, shape: shape, bytes: result, scale: scale, offset: offset)
    }

    /// This array's rows followed by `other`'s; element types, row shapes and scaling must agree.
    public func appending(_ other: NumericArray) -> NumericArray {
        precondition(elementType == other.elementType && shape.dropFirst() == other.shape.dropFirst())
        var shape = self.shape
        shape[0] += other.rowCount
        return NumericArray(elementType: elementType, shape: shape, bytes: bytes + other.bytes, scale: scale, offset: offset)
    }

    /// The lowercase hex SHA-256 of the bytes.
    public func sha256() -> String {
        SHA256.hex(bytes)
    }
}

extension NumericArray {
    /// The first NaN or infinite element of little-endian `bytes` of `type`, if any
    /// (always nil for integer types).
    public static func firstNonFinite(_ bytes: [UInt8], _ type: ElementType) -> (index: Int, value: String)? {
        bytes.withUnsafeBytes { raw -> (Int, String)? in
            switch type {
            case .float32:
                let values = raw.bindMemory(to: Float.self)
                // A branch-free sweep first: finite arrays (the usual case) cost one pass.
                var allFinite = true
                for value in values { allFinite = allFinite && value.isFinite }
                if allFinite { return nil }
                if let index = values.firstIndex(where: { !$0.isFinite }) { return (index, "\(values[index])") }
            case .float64:
                let values = raw.bindMemory(to: Double.self)
                if let index = values.firstIndex(where: { !$0.isFinite }) { return (index, "\(values[index])") }
            case .uint8, .int32, .int64:
                return nil
            }
            return nil
        }
    }
}
