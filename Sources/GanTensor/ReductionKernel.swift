/// Loops for sums and maxima over axes.
///
/// Reduced axes that are adjacent are merged, so every pass reduces a view `[outer, n, inner]`
/// to `[outer, inner]`: with `inner > 1` whole rows are added (or max-ed) into the output row,
/// which vectorises; with `inner == 1` each run of `n` contiguous scalars is folded with eight
/// SIMD lanes (a fixed order, so results are reproducible).
enum ReductionKernel {
    enum Kind { case sum, max }

    /// Reduces `x` over `axes` (sorted, unique, in range); returns the keep-dims shape and data.
    static func reduce(_ x: Tensor, axes: [Int], kind: Kind) -> (shape: [Int], storage: TensorStorage) {
        var shape = x.shape
        var storage = x.storage
        // Runs of adjacent axes, processed from the last run so earlier axis numbers stay valid.
        var runs: [(start: Int, end: Int)] = []
        for axis in axes {
            if let last = runs.last, last.end == axis { runs[runs.count - 1].end = axis + 1 } else { runs.append((axis, axis + 1)) }
        }
        for run in runs.reversed() {
            let outer = shape[..<run.start].reduce(1, *)
            let n = shape[run.start..<run.end].reduce(1, *)
            let inner = shape[run.end...].reduce(1, *)
            storage = reduce(storage, outer: outer, n: n, inner: inner, kind: kind)
            for axis in run.start..<run.end { shape[axis] = 1 }
        }
        if storage === x.storage { storage = storage.copy() }
        return (shape, storage)
    }

    private static func reduce(_ input: TensorStorage, outer: Int, n: Int, inner: Int,
                               kind: Kind) -> TensorStorage {
        let out = TensorStorage(uninitializedCount: outer * inner)
        let source = input.pointer, target = out.pointer
        checkPrecondition(n > 0 || kind == .sum, "max over an empty axis")
        if inner == 1 {
            for o in 0..<outer {
                target[o] = kind == .sum ? rowSum(source + o * n, n) : rowMax(source + o * n, n)
            }
        } else {
            for o in 0..<outer {
                let row = target + o * inner
                let block = source + o * n * inner
                if n == 0 {
                    row.initialize(repeating: 0, count: inner)
                    continue
                }
                row.update(from: block, count: inner)
                for j in 1..<max(n, 1) {
                    let next = block + j * inner
                    switch kind {
                    case .sum: for i in 0..<inner { row[i] += next[i] }
                    case .max: for i in 0..<inner { let v = next[i]; row[i] = Swift.max(row[i], v) }
                    }
                }
            }
        }
        withExtendedLifetime(input) {}
        return out
    }

    /// Σ p[0..<n] with eight lanes.
    @inline(__always)
    static func rowSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: 0)
        var j = 0
        while j + 8 <= n {
            lanes += UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Float>.self)
            j += 8
        }
        var total = lanes.sum()
        while j < n { total += p[j]; j += 1 }
        return total
    }

    /// max p[0..<n] with eight lanes (n ≥ 1).
    @inline(__always)
    static func rowMax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var best = p[0]
        var j = 0
        if n >= 8 {
            var lanes = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
            j = 8
            while j + 8 <= n {
                lanes = pointwiseMax(lanes, UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Float>.self))
                j += 8
            }
            best = lanes.max()
        }
        while j < n { best = Swift.max(best, p[j]); j += 1 }
        return best
    }
}
