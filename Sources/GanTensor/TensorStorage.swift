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
    /// glibc hands blocks above 128 KiB back to the kernel when they are freed (munmap, heap
    /// trimming), so each `[256, 512]` activation of a training step came back as fresh pages
    /// that the kernel had to fault in and zero: 5–6% of a reference step. Raising both
    /// thresholds keeps freed buffers in the heap, where the next tensor of that size reuses them
    /// (measured with `scripts/profile-step`; the working set of a step is the same every step,
    /// so resident memory stays flat).
    private static let allocatorTuned: Bool = {
        #if os(Linux)
        _ = glibcMallopt(-3, 64 << 20)   // M_MMAP_THRESHOLD (glibc's <malloc.h>)
        _ = glibcMallopt(-1, 512 << 20)  // M_TRIM_THRESHOLD
        #endif
        return true
    }()

    /// Number of Float32 scalars.
    public let count: Int
    /// Start of the buffer; valid for `count` elements while the storage lives.
    @usableFromInline
    let pointer: UnsafeMutablePointer<Float>

    /// Allocates an **uninitialized** buffer of `count` scalars (callers fill it).
    @usableFromInline
    init(uninitializedCount count: Int) {
        checkPrecondition(count >= 0, "TensorStorage: negative element count \(count)")
        _ = Self.allocatorTuned
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        self.pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
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
        UnsafeMutableRawPointer(pointer).deallocate()
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

#if os(Linux)
/// glibc's `int mallopt(int param, int value)`; `<malloc.h>` is not part of the Glibc module.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
