/// Copy loops for permutation, concatenation, slicing and padding.
///
/// Every axis operation views a tensor as `[outer, size, inner]` around the axis, so a slice or
/// a concat is `outer` contiguous block copies of `count·inner` scalars (`memcpy` speed).
enum LayoutKernel {
    /// `x` with dimensions permuted; a blocked loop for the 2-D transpose, an odometer otherwise.
    static func permute(_ x: Tensor, permutation: [Int], outShape: [Int]) -> TensorStorage {
        let out = TensorStorage(uninitializedCount: x.count)
        let source = x.storage.pointer, target = out.pointer
        defer { withExtendedLifetime(x) {} }
        guard x.count > 0 else { return out }
        if x.rank == 2 {
            let rows = x.shape[0], columns = x.shape[1], tile = 32
            for i0 in stride(from: 0, to: rows, by: tile) {
                for j0 in stride(from: 0, to: columns, by: tile) {
                    for i in i0..<min(i0 + tile, rows) {
                        for j in j0..<min(j0 + tile, columns) {
                            target[j * rows + i] = source[i * columns + j]
                        }
                    }
                }
            }
            return out
        }
        // An odometer over the output's leading axes; the trailing axes that stay in place (the
        // last one in a convolution's [O, N, L] → [N, O, L]) are copied as contiguous rows.
        let inStrides = Broadcasting.contiguousStrides(x.shape)
        var kept = 0
        while kept < x.rank && permutation[x.rank - 1 - kept] == x.rank - 1 - kept { kept += 1 }
        let row = x.shape.suffix(kept).reduce(1, *)
        let outer = Array(outShape.dropLast(kept)), strides = permutation.dropLast(kept).map { inStrides[$0] }
        var index = [Int](repeating: 0, count: outer.count)
        var offset = 0
        for o in 0..<(x.count / row) {
            if row == 1 { target[o] = source[offset] } else { (target + o * row).update(from: source + offset, count: row) }
            var axis = outer.count - 1
            while axis >= 0 {
                index[axis] += 1
                offset += strides[axis]
                if index[axis] < outer[axis] { break }
                offset -= strides[axis] * outer[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return out
    }

    /// `tensors` joined along `axis` into `outShape`.
    static func concat(_ tensors: [Tensor], axis: Int, outShape: [Int]) -> TensorStorage {
        let (outer, total, inner) = Broadcasting.split(outShape, at: axis)
        let out = TensorStorage(uninitializedCount: outer * total * inner)
        var start = 0
        for t in tensors {
            let block = t.shape[axis] * inner
            let source = t.storage.pointer
            for o in 0..<outer {
                (out.pointer + o * total * inner + start * inner).update(from: source + o * block, count: block)
            }
            start += t.shape[axis]
        }
        withExtendedLifetime(tensors) {}
        return out
    }

    /// Entries `range` along `axis` of `x`.
    static func copyBlock(from x: Tensor, axis: Int, range: Range<Int>, outShape: [Int]) -> TensorStorage {
        let (outer, size, inner) = Broadcasting.split(x.shape, at: axis)
        let out = TensorStorage(uninitializedCount: Tensor.elementCount(outShape))
        let block = range.count * inner
        for o in 0..<outer {
            (out.pointer + o * block).update(
                from: x.storage.pointer + (o * size + range.lowerBound) * inner, count: block)
        }
        withExtendedLifetime(x) {}
        return out
    }

    /// `x` placed at offset `before` along `axis` inside zeros of `outShape`.
    static func pad(_ x: Tensor, axis: Int, before: Int, outShape: [Int]) -> TensorStorage {
        let (outer, size, inner) = Broadcasting.split(x.shape, at: axis)
        let total = outShape[axis]
        let out = TensorStorage(repeating: 0, count: Tensor.elementCount(outShape))
        for o in 0..<outer {
            (out.pointer + (o * total + before) * inner).update(
                from: x.storage.pointer + o * size * inner, count: size * inner)
        }
        withExtendedLifetime(x) {}
        return out
    }
}
