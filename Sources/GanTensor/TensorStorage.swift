/// The scalars of a tensor: one contiguous, 64-byte aligned, row-major Float32 buffer.
///
/// A `final class` so that an in-place write (an optimizer step, gradient clipping) touches the
/// buffer and never copies it, which a `[Float]` stored in a class would risk on every write.
/// Kernels take the pointer once per operation (`pointer`) and loop on it; nothing indexes an
/// array inside a hot loop (see SWIFT-NOTES: 160–250× slower).
///
/// The buffer is allocated uninitialized: every creator writes every element before the storage
/// is visible (matmul with β = 0, kernels that fill the output, `zeros` that fills with 0).
public final class TensorStorage {
    /// Number of Float32 scalars.
    public let count: Int
    /// Start of the buffer; valid for `count` elements while the storage lives.
    @usableFromInline
    let pointer: UnsafeMutablePointer<Float>

    /// Allocates an **uninitialized** buffer of `count` scalars (callers fill it).
    @usableFromInline
    init(uninitializedCount count: Int) {
        checkPrecondition(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        self.pointer = BufferPool.shared.take(count: max(count, 1))
    }

    /// Allocates a buffer of `count` scalars, each set to `value`.
    @usableFromInline
    convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// Allocates a buffer holding a copy of `values`.
    @usableFromInline
    convenience init(copying values: UnsafeBufferPointer<Float>) {
        self.init(uninitializedCount: values.count)
        if let base = values.baseAddress, values.count > 0 {
            pointer.update(from: base, count: values.count)
        }
    }

    deinit {
        BufferPool.shared.give(pointer, count: max(count, 1))
    }

    /// Read-only view of the whole buffer.
    @inlinable
    public var buffer: UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: pointer, count: count)
    }

    /// Writable view of the whole buffer.
    @inlinable
    public var mutableBuffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    /// A new storage with the same scalars.
    func copy() -> TensorStorage {
        TensorStorage(copying: buffer)
    }
}
