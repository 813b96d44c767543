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

    /// The NumPy `descr` string for this type (`<f4`, `|u1`, …).
    public var numpyDescriptor: String {
        switch self {
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .uint8: return "|u1"
        case .int32: return "<i4"
        case .int64: return "<i8"
        }
    }
}
