import Foundation

/// Freed tensor buffers, kept by size for the next tensor of that size.
///
/// A training step allocates the same tensors, of the same few sizes, every step. Through
/// malloc that cost 13–15% of a small-configuration step (malloc, free, fastbin consolidation)
/// and 5–6% of a reference one (glibc returns blocks above 128 KiB to the kernel, so they came
/// back as fresh pages to fault in and zero). Taking a buffer from here is a lock and a pop.
///
/// Bounded: at most `perSizeLimit` buffers of one size and `byteLimit` bytes in all are kept;
/// beyond that a freed buffer goes back to the system. The working set of a step is the same
/// every step, so resident memory stays flat. Buffers come back uninitialized, as from malloc.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()
    static let byteLimit = 1 << 30
    static let perSizeLimit = 64

    /// The kept buffers of one size. A class, so taking and giving mutate it through a plain
    /// dictionary read: mutating an array stored in the dictionary goes through its `modify`
    /// accessor, whose coroutine frame was a malloc of its own on every take.
    private final class Bucket {
        var pointers: [UnsafeMutablePointer<Float>] = []
    }

    private let lock = NSLock()
    private var free: [Int: Bucket] = [:]
    private var pooledBytes = 0

    /// A 64-byte aligned buffer of `count` scalars, uninitialized.
    func take(count: Int) -> UnsafeMutablePointer<Float> {
        lock.lock()
        if let pointer = free[count]?.pointers.popLast() {
            pooledBytes -= count * MemoryLayout<Float>.stride
            lock.unlock()
            return pointer
        }
        lock.unlock()
        return UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
    }

    /// Returns a buffer that `take(count:)` handed out.
    func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let bytes = count * MemoryLayout<Float>.stride
        lock.lock()
        let bucket = free[count] ?? {
            let bucket = Bucket()
            free[count] = bucket
            return bucket
        }()
        if pooledBytes + bytes <= Self.byteLimit, bucket.pointers.count < Self.perSizeLimit {
            bucket.pointers.append(pointer)
            pooledBytes += bytes
            lock.unlock()
            return
        }
        lock.unlock()
        UnsafeMutableRawPointer(pointer).deallocate()
    }
}
