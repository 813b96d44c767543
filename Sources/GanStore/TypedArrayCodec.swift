import Foundation

/// The element types a stored dataset array may have: the values of the
/// `dataset_arrays.element_type` CHECK constraint. Numbers are stored little-endian.
public enum ElementType: String, Codable, CaseIterable, Sendable {
    case float32, float64, uint8, int32, int64

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .uint8: return 1
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        }
    }

    /// Whether elements are floating point (and so may be NaN or infinite).
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }
}

/// ganpipe's one typed-array codec: little-endian element bytes (a dataset array, a float32
/// checkpoint blob) ⇄ values. The loader, the trainer, the evaluator and the report all decode
/// through it, so they see bit-identical values. Reads are unaligned, so any `Data` or
/// `[UInt8]` will do; callers check that the bytes fit the shape before decoding.
public enum TypedArrayCodec {
    /// The first `count` elements of `type` in `bytes`, each mapped through
    /// `element * scale + offset` as Float32: computed in Double and rounded once, except
    /// uint8 (computed in Float) and unscaled float32 (the stored values exactly).
    public static func floats(_ bytes: some ContiguousBytes, as type: ElementType, count: Int,
                              scale: Double = 1, offset: Double = 0) -> [Float] {
        bytes.withUnsafeBytes { raw in
            precondition(raw.count >= count * type.byteWidth, "\(raw.count) bytes hold fewer than \(count) \(type.rawValue) elements")
            return [Float](unsafeUninitializedCapacity: count) { output, initialized in
                func map<T: FixedWidthInteger>(_: T.Type) {
                    for i in 0..<count {
                        let element = T(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
                        output[i] = Float(Double(element) * scale + offset)
                    }
                }
                switch type {
                case .uint8:
                    let (s, o) = (Float(scale), Float(offset))
                    for i in 0..<count { output[i] = Float(raw[i]) * s + o }
                case .float32:
                    for i in 0..<count {
                        output[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    }
                    if scale != 1 || offset != 0 {
                        for i in 0..<count { output[i] = Float(Double(output[i]) * scale + offset) }
                    }
                case .float64:
                    for i in 0..<count {
                        let element = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
                        output[i] = Float(element * scale + offset)
                    }
                case .int32: map(Int32.self)
                case .int64: map(Int64.self)
                }
                initialized = count
            }
        }
    }

    /// The first `count` float64 elements of `bytes`, unscaled.
    public static func doubles(_ bytes: some ContiguousBytes, count: Int) -> [Double] {
        bytes.withUnsafeBytes { raw in
            precondition(raw.count >= count * 8, "\(raw.count) bytes hold fewer than \(count) float64 elements")
            return (0..<count).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))) }
        }
    }

    /// The first `count` elements of `type` in `bytes` as integers (labels), unscaled; floats
    /// are truncated toward zero.
    public static func integers(_ bytes: some ContiguousBytes, as type: ElementType, count: Int) -> [Int64] {
        bytes.withUnsafeBytes { raw in
            precondition(raw.count >= count * type.byteWidth, "\(raw.count) bytes hold fewer than \(count) \(type.rawValue) elements")
            func load<T: FixedWidthInteger>(_: T.Type) -> [Int64] {
                (0..<count).map { Int64(T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self))) }
            }
            switch type {
            case .uint8: return (0..<count).map { Int64(raw[$0]) }
            case .int32: return load(Int32.self)
            case .int64: return load(Int64.self)
            case .float32:
                return (0..<count).map { Int64(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))) }
            case .float64:
                return doubles(raw, count: count).map { Int64($0) }
            }
        }
    }

    /// The little-endian float32 bytes of `values`.
    public static func bytes(_ values: [Float]) -> [UInt8] {
        store(values) { $0.bitPattern }
    }

    /// The little-endian int32 bytes of `values`.
    public static func bytes(_ values: [Int32]) -> [UInt8] {
        store(values) { $0 }
    }

    private static func store<Value, Bits: FixedWidthInteger>(_ values: [Value], _ bits: (Value) -> Bits) -> [UInt8] {
        let width = MemoryLayout<Bits>.size
        return [UInt8](unsafeUninitializedCapacity: values.count * width) { output, initialized in
            let raw = UnsafeMutableRawBufferPointer(output)
            for (i, value) in values.enumerated() { raw.storeBytes(of: bits(value).littleEndian, toByteOffset: i * width, as: Bits.self) }
            initialized = values.count * width
        }
    }
}
