/// The loops behind elementwise operations, on raw pointers taken once per operation.
///
/// Each function is `@inline(__always)` and takes its scalar body as a closure literal, so in a
/// release build (whole-module optimisation) every call site becomes one specialised loop that
/// LLVM vectorises with AVX2/FMA (the target is built with `-march=x86-64-v3`; see AUTODIFF.md
/// for the objdump evidence). Bodies must load their operands first and then select
/// (`let d = g[i]; x > 0 ? d : 0`): a load inside `?:` stays scalar and branchy.
enum ElementwiseKernel {
    /// `out[i] = body(x[i])` over all scalars of `x`.
    @inline(__always)
    static func map(_ x: Tensor, _ body: (Float) -> Float) -> TensorStorage {
        let count = x.count
        let out = TensorStorage(uninitializedCount: count)
        let source = x.storage.pointer
        let target = out.pointer
        for i in 0..<count {
            target[i] = body(source[i])
        }
        withExtendedLifetime(x) {}
        return out
    }

    /// `out = body(a, b)` broadcast to `shape` (which must be the broadcast of both shapes).
    /// Fast paths: equal shapes, either side a single scalar; otherwise an odometer over the
    /// outer dimensions with a specialised contiguous inner loop.
    @inline(__always)
    static func zip(_ a: Tensor, _ b: Tensor, shape: [Int],
                    _ body: (Float, Float) -> Float) -> TensorStorage {
        let count = Tensor.elementCount(shape)
        let out = TensorStorage(uninitializedCount: count)
        let pa = a.storage.pointer, pb = b.storage.pointer, po = out.pointer
        defer { withExtendedLifetime((a, b)) {} }
        if a.count == count && b.count == count {
            for i in 0..<count { po[i] = body(pa[i], pb[i]) }
            return out
        }
        if b.count == 1 && a.count == count {
            let s = pb[0]
            for i in 0..<count { po[i] = body(pa[i], s) }
            return out
        }
        if a.count == 1 && b.count == count {
            let s = pa[0]
            for i in 0..<count { po[i] = body(s, pb[i]) }
            return out
        }
        guard count > 0 else { return out }
        let stridesA = Broadcasting.strides(of: a.shape, broadcastTo: shape)
        let stridesB = Broadcasting.strides(of: b.shape, broadcastTo: shape)
        let rank = shape.count
        let inner = shape[rank - 1]
        let innerA = stridesA[rank - 1], innerB = stridesB[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var offsetA = 0, offsetB = 0, offsetOut = 0
        while offsetOut < count {
            let ra = pa + offsetA, rb = pb + offsetB, ro = po + offsetOut
            switch (innerA, innerB) {
            case (1, 1): for j in 0..<inner { ro[j] = body(ra[j], rb[j]) }
            case (1, 0): let s = rb[0]; for j in 0..<inner { ro[j] = body(ra[j], s) }
            case (0, 1): let s = ra[0]; for j in 0..<inner { ro[j] = body(s, rb[j]) }
            default: let s = body(ra[0], rb[0]); for j in 0..<inner { ro[j] = s }
            }
            offsetOut += inner
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                offsetA += stridesA[axis]
                offsetB += stridesB[axis]
                if index[axis] < shape[axis] { break }
                offsetA -= stridesA[axis] * shape[axis]
                offsetB -= stridesB[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return out
    }

    /// The scalars of `x` repeated along broadcast dimensions to fill `shape`.
    static func broadcast(_ x: Tensor, to shape: [Int]) -> TensorStorage {
        let count = Tensor.elementCount(shape)
        if x.count == count { return x.storage.copy() }
        if x.count == 1 { return TensorStorage(repeating: x.storage.pointer[0], count: count) }
        let zero = Tensor(shape: [], storage: TensorStorage(repeating: 0, count: 1))
        return zip(x, zero, shape: shape) { v, _ in v }
    }
}
