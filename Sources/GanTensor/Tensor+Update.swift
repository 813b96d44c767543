import CBLAS

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
        guard count > 0 else { return }
        cblas_saxpy(Int32(count), scale, other.storage.pointer, 1, storage.pointer, 1)
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
        var total: Double = 0
        for i in 0..<count { let v = Double(p[i]); total += v * v }
        withExtendedLifetime(storage) {}
        return total
    }

    /// Whether every scalar is finite (no NaN, no ±inf).
    public var isFinite: Bool {
        let p = storage.pointer
        var finite = true
        for i in 0..<count where !p[i].isFinite { finite = false; break }
        withExtendedLifetime(storage) {}
        return finite
    }
}
