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
    /// read of the table: mutating an array stored in a dictionary goes through its `modify`
    /// accessor, whose coroutine frame was a malloc of its own on every take.
    private final class Bucket {
        let count: Int
        var pointers: [UnsafeMutablePointer<Float>] = []
        init(count: Int) { self.count = count }
    }

    private let lock = NSLock()
    /// Buckets by size in an open-addressing table (Fibonacci hashing, linear probing, at most
    /// half full): a step uses a few dozen sizes, and SipHash through `Dictionary` was 1% of a
    /// small training step.
    private var table = [Bucket?](repeating: nil, count: 64)
    private var bucketCount = 0
    private var pooledBytes = 0

    /// The bucket for `count`, created when `create` (nil otherwise if there is none yet).
    private func bucket(for count: Int, create: Bool) -> Bucket? {
        var slot = home(count)
        while let bucket = table[slot] {
            if bucket.count == count { return bucket }
            slot = (slot + 1) & (table.count - 1)
        }
        guard create else { return nil }
        let bucket = Bucket(count: count)
        if 2 * (bucketCount + 1) > table.count {
            let buckets = table.compactMap { $0 }
            table = [Bucket?](repeating: nil, count: 2 * table.count)
            bucketCount = 0
            for old in buckets { place(old) }
        }
        place(bucket)
        return bucket
    }

    private func place(_ bucket: Bucket) {
        var slot = home(bucket.count)
        while table[slot] != nil { slot = (slot + 1) & (table.count - 1) }
        table[slot] = bucket
        bucketCount += 1
    }

    private func home(_ count: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15) >> 32) & (table.count - 1)
    }

    /// A 64-byte aligned buffer of `count` scalars, uninitialized.
    func take(count: Int) -> UnsafeMutablePointer<Float> {
        lock.lock()
        if let pointer = bucket(for: count, create: false)?.pointers.popLast() {
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
        let bucket = bucket(for: count, create: true)!
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
