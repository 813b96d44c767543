
/// In-place updates for optimizers and weight clipping. They write the storage directly,
/// record nothing, and are allowed on leaves only (a parameter, a moment buffer, a gradient).
///
/// Do not update a tensor in place while a graph that saved it is still to be differentiated:
/// backward rules read saved inputs, so an optimizer step belongs after `backward()`.
extension Tensor {
    /// Writable access to the scalars (for optimizers in other modules). `@inlinable`, so the
    /// caller's loop is compiled and vectorised in the caller's module.
    @inlinable
    public func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        checkPrecondition(isLeaf, "in-place write on a tensor produced by a recorded operation")
        return try withExtendedLifetime(storage) { try body(storage.mutableBuffer) }
    }

    /// self ← self + scale·other (BLAS saxpy). Shapes must match.
    public func addScaled(_ other: Tensor, scale: Float) {
        checkPrecondition(shape == other.shape, "addScaled: shapes \(shape) and \(other.shape) differ")
        checkPrecondition(isLeaf, "addScaled: in-place write on a recorded result")
        BLAS.axpy(count: count, alpha: scale, other.storage.pointer, into: storage.pointer)
        withExtendedLifetime(other) {}
    }

    /// self ← factor·self.
    public func scale(by factor: Float) {
        checkPrecondition(isLeaf, "scale(by:): in-place write on a recorded result")
        let p = storage.pointer
        for i in 0..<count { p[i] *= factor }
    }

    /// self ← other (copies the scalars). Shapes must match.
    public func assign(_ other: Tensor) {
        checkPrecondition(shape == other.shape, "assign: shapes \(shape) and \(other.shape) differ")
        checkPrecondition(isLeaf, "assign: in-place write on a recorded result")
        if other.storage !== storage { storage.pointer.update(from: other.storage.pointer, count: count) }
        withExtendedLifetime(other) {}
    }

    /// Copies `scalars` into this tensor (restoring a checkpoint); throws on a count mismatch.
    public func assign(scalars: [Float]) throws(TensorError) {
        guard scalars.count == count else { throw .countMismatch(shape: shape, count: scalars.count) }
        checkPrecondition(isLeaf, "assign(scalars:): in-place write on a recorded result")
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: count) }
    }

    /// Sets every scalar to `value`.
    public func fill(_ value: Float) {
        checkPrecondition(isLeaf, "fill: in-place write on a recorded result")
        storage.pointer.update(repeating: value, count: count)
    }

    /// Clamps every scalar into [lower, upper] (WGAN weight clipping, arXiv 1701.07875).
    public func clampInPlace(min lower: Float, max upper: Float) {
        checkPrecondition(lower <= upper, "clampInPlace: lower bound \(lower) exceeds upper bound \(upper)")
        checkPrecondition(isLeaf, "clampInPlace: in-place write on a recorded result")
        let p = storage.pointer
        for i in 0..<count { p[i] = Swift.min(Swift.max(p[i], lower), upper) }
    }

    /// Σ x² in Double (a gradient-norm probe that does not build a graph).
    public func sumOfSquares() -> Double {
        let p = storage.pointer
        // Eight lanes in double precision (AVX2 conversions and FMAs), then the tail.
        var lanes = SIMD8<Double>()
        var i = 0
        while i + 8 <= count {
            let v = SIMD8<Double>(UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self))
            lanes.addProduct(v, v)
            i += 8
        }
        var total = lanes.sum()
        while i < count { let v = Double(p[i]); total += v * v; i += 1 }
        withExtendedLifetime(storage) {}
        return total
    }

    /// Whether every scalar is finite (no NaN, no ±inf).
    public var isFinite: Bool {
        let p = storage.pointer
        // x·0 is 0 for every finite x and NaN for NaN and ±inf: one NaN anywhere makes the
        // lane sums NaN. Blocks of 1024 keep the loop vectorized and still stop early.
        var finite = true
        var start = 0
        while finite && start < count {
            let end = min(count, start + 1024)
            var lanes = SIMD8<Float>()
            var i = start
            while i + 8 <= end {
                lanes.addProduct(UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self), SIMD8<Float>())
                i += 8
            }
            var tail: Float = 0
            while i < end { tail += p[i] * 0; i += 1 }
            finite = (lanes.sum() + tail).isFinite
            start = end
        }
        withExtendedLifetime(storage) {}
        return finite
    }
}
