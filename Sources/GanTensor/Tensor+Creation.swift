/// Creating tensors: constants, arrays, and seeded random draws.
extension Tensor {
    /// A scalar tensor (shape `[]`).
    public convenience init(_ scalar: Float, requiresGradient: Bool = false) {
        self.init(shape: [], storage: TensorStorage(repeating: scalar, count: 1),
                  requiresGradient: requiresGradient)
    }

    /// A tensor of `shape` holding `scalars` row-major. A count that does not match the shape is
    /// a programmer mistake (precondition); use `init(validatingShape:scalars:)` for data.
    public convenience init(shape: [Int], scalars: [Float], requiresGradient: Bool = false) {
        checkPrecondition(shape.allSatisfy { $0 >= 0 } && Tensor.elementCount(shape) == scalars.count,
                     "Tensor(shape: \(shape)): needs \(Tensor.elementCount(shape)) scalars, got \(scalars.count)")
        let storage = scalars.withUnsafeBufferPointer { TensorStorage(copying: $0) }
        self.init(shape: shape, storage: storage, requiresGradient: requiresGradient)
    }

    /// A tensor from data of unknown provenance (a file, a checkpoint blob): throws when the
    /// shape is invalid or does not match the number of scalars.
    public convenience init(validatingShape shape: [Int], scalars: [Float]) throws(TensorError) {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw .invalidShape(shape) }
        guard Tensor.elementCount(shape) == scalars.count else {
            throw .countMismatch(shape: shape, count: scalars.count)
        }
        self.init(shape: shape, scalars: scalars)
    }

    /// A tensor whose scalars `initializer` writes, every one of them (codecs decoding straight
    /// into the buffer, without an intermediate array).
    @inlinable
    public convenience init(shape: [Int],
                            initializingWith initializer: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        let storage = TensorStorage(uninitializedCount: Tensor.elementCount(shape))
        try initializer(storage.mutableBuffer)
        self.init(shape: shape, storage: storage)
    }

    /// A 1-D tensor `[values.count]`.
    public convenience init(_ values: [Float], requiresGradient: Bool = false) {
        self.init(shape: [values.count], scalars: values, requiresGradient: requiresGradient)
    }

    /// A 2-D tensor `[rows.count, columns]` from equally long rows.
    public convenience init(rows: [[Float]], requiresGradient: Bool = false) {
        let columns = rows.first?.count ?? 0
        checkPrecondition(rows.allSatisfy { $0.count == columns },
                     "Tensor(rows:): rows have different lengths \(rows.map(\.count))")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 },
                  requiresGradient: requiresGradient)
    }

    /// Every scalar set to `value`.
    public static func full(_ value: Float, shape: [Int], requiresGradient: Bool = false) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(repeating: value, count: elementCount(shape)),
               requiresGradient: requiresGradient)
    }

    /// All zeros.
    public static func zeros(_ shape: [Int], requiresGradient: Bool = false) -> Tensor {
        full(0, shape: shape, requiresGradient: requiresGradient)
    }

    /// All ones.
    public static func ones(_ shape: [Int], requiresGradient: Bool = false) -> Tensor {
        full(1, shape: shape, requiresGradient: requiresGradient)
    }

    /// Zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// Uniform draws in `[low, high)`: `low + (high − low) · u` with `u = Float(next() >> 40) · 2⁻²⁴`,
    /// one generator output per scalar, row-major. Same seed and stream → same bits.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               using generator: inout PhiloxGenerator,
                               requiresGradient: Bool = false) -> Tensor {
        let storage = TensorStorage(uninitializedCount: elementCount(shape))
        let span = high - low
        for i in 0..<storage.count {
            storage.pointer[i] = low + span * generator.nextUniformFloat()
        }
        return Tensor(shape: shape, storage: storage, requiresGradient: requiresGradient)
    }

    /// Normal draws `mean + standardDeviation · z`, `z` from Box–Muller in Double (see
    /// `PhiloxGenerator.fillNormal`): two generator outputs per pair of scalars, row-major.
    public static func normal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                              using generator: inout PhiloxGenerator,
                              requiresGradient: Bool = false) -> Tensor {
        let storage = TensorStorage(uninitializedCount: elementCount(shape))
        generator.fillNormal(storage.mutableBuffer, mean: mean, standardDeviation: standardDeviation)
        return Tensor(shape: shape, storage: storage, requiresGradient: requiresGradient)
    }
}

/// Errors for tensor data that came from outside the program (files, checkpoints).
public enum TensorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A dimension is negative.
    case invalidShape([Int])
    /// The number of scalars does not match the shape.
    case countMismatch(shape: [Int], count: Int)

    public var description: String {
        switch self {
        case .invalidShape(let shape):
            return "invalid tensor shape \(shape): dimensions must be non-negative"
        case .countMismatch(let shape, let count):
            return "tensor shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(count)"
        }
    }
}
