import Foundation

/// Freed tensor buffers, kept by size for the next tensor of that size.
///
/// A training step allocates the same tensors, of the same few sizes, every step. Through
/// malloc that cost 13–15% of a small-configuration step (malloc, free, fastbin consolidation)
/// and, before glibc's thresholds were raised, page faults and zeroing for every buffer above
/// 128 KiB in the reference one. Taking a buffer from here is a lock and an array pop.
///
/// Bounded: at most `perSizeLimit` buffers of one size and `byteLimit` bytes in all are kept;
/// beyond that a freed buffer goes back to the system. The working set of a step is the same
/// every step, so resident memory stays flat. Buffers come back uninitialized, as from malloc.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()
    static let byteLimit = 256 << 20
    static let perSizeLimit = 64

    private let lock = NSLock()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var pooledBytes = 0

    /// A 64-byte aligned buffer of `count` scalars, uninitialized.
    func take(count: Int) -> UnsafeMutablePointer<Float> {
        lock.lock()
        if let pointer = free[count]?.popLast() {
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
        if pooledBytes + bytes <= Self.byteLimit, free[count, default: []].count < Self.perSizeLimit {
            free[count, default: []].append(pointer)
            pooledBytes += bytes
            lock.unlock()
            return
        }
        lock.unlock()
        UnsafeMutableRawPointer(pointer).deallocate()
    }
}
