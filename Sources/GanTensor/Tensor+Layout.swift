/// Reshaping, permuting, concatenating and slicing.
///
/// Backward rules:
/// - reshape: ∂x = reshape(ḡ, x.shape) (shares storage, no copy)
/// - permute(p): ∂x = permute(ḡ, p⁻¹)
/// - concat along a: ∂xᵢ = slice(ḡ, a, range of xᵢ)
/// - slice along a: ∂x = pad(ḡ) with zeros back to x.shape — and pad's rule is slice, so the
///   pair is closed under differentiation
extension Tensor {
    /// The same scalars (shared storage) viewed with `newShape`; one dimension may be −1 and is
    /// inferred.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let hole = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != hole }.reduce(1) { $0 * $1.element }
            checkPrecondition(known > 0 && count % known == 0,
                         "reshaped: cannot infer -1 in \(newShape) for shape \(shape)")
            resolved[hole] = count / known
        }
        checkPrecondition(resolved.allSatisfy { $0 >= 0 } && Tensor.elementCount(resolved) == count,
                     "reshaped: shape \(shape) cannot be viewed as \(newShape)")
        if resolved == shape { return self }
        return Tensor.record("reshape", shape: resolved, storage: storage, inputs: self, rule: { c in
            [c.gradient.reshaped(c.inputs[0].shape)]
        })
    }

    /// Dimensions reordered: result dimension i is input dimension `permutation[i]`.
    public func permuted(_ permutation: [Int]) -> Tensor {
        checkPrecondition(permutation.sorted() == Array(0..<rank),
                     "permuted: \(permutation) is not a permutation of the axes of shape \(shape)")
        if permutation == Array(0..<rank) { return self }
        let outShape = permutation.map { shape[$0] }
        let out = LayoutKernel.permute(self, permutation: permutation, outShape: outShape)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, p) in permutation.enumerated() { inverse[p] = i }
        return Tensor.record("permute", shape: outShape, storage: out, inputs: self, rule: { c in
            [c.gradient.permuted(inverse)]
        })
    }

    /// Matrix transpose `[m, n] → [n, m]` (materialised). To multiply by a transpose, pass
    /// `transposeA`/`transposeB` to `matmul` instead: BLAS reads the operand transposed.
    public func transposed() -> Tensor {
        checkPrecondition(rank == 2, "transposed: needs a 2-D tensor, shape is \(shape)")
        return permuted([1, 0])
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        checkPrecondition(!tensors.isEmpty, "concat: no tensors")
        let first = tensors[0].shape
        let a = axis < 0 ? axis + first.count : axis
        checkPrecondition(a >= 0 && a < first.count, "concat: axis \(axis) out of range for shape \(first)")
        for t in tensors {
            var expected = first
            expected[a] = t.shape.count == first.count ? t.shape[a] : -1
            checkPrecondition(t.shape == expected, "concat: shapes \(first) and \(t.shape) differ off axis \(a)")
        }
        var outShape = first
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let out = LayoutKernel.concat(tensors, axis: a, outShape: outShape)
        let sizes = tensors.map { $0.shape[a] }
        return record("concat", shape: outShape, storage: out, inputs: tensors, rule: { c in
            var start = 0
            return sizes.enumerated().map { i, size in
                defer { start += size }
                return c.needsGradient[i] ? c.gradient.slice(alongAxis: a, start..<(start + size)) : nil
            }
        })
    }

    /// The entries with index in `range` along `axis` (a copy).
    public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let a = axis < 0 ? axis + rank : axis
        checkPrecondition(a >= 0 && a < rank, "slice: axis \(axis) out of range for shape \(shape)")
        checkPrecondition(range.lowerBound >= 0 && range.upperBound <= shape[a],
                     "slice: range \(range) out of bounds for dimension \(a) of shape \(shape)")
        if range == 0..<shape[a] { return self }
        var outShape = shape
        outShape[a] = range.count
        let out = LayoutKernel.copyBlock(from: self, axis: a, range: range, outShape: outShape)
        let fullSize = shape[a]
        return Tensor.record("slice", shape: outShape, storage: out, inputs: self, rule: { c in
            [c.gradient.padded(alongAxis: a, before: range.lowerBound, after: fullSize - range.upperBound)]
        })
    }

    /// Rows `range` of the first axis (`x[rows: 0..<64]` is a minibatch).
    public subscript(rows range: Range<Int>) -> Tensor {
        slice(alongAxis: 0, range)
    }

    /// Zeros added before and after along `axis`.
    public func padded(alongAxis axis: Int, before: Int, after: Int) -> Tensor {
        checkPrecondition(before >= 0 && after >= 0, "padded: negative padding \(before), \(after)")
        if before == 0 && after == 0 { return self }
        var outShape = shape
        outShape[axis] += before + after
        let out = LayoutKernel.pad(self, axis: axis, before: before, outShape: outShape)
        let size = shape[axis]
        return Tensor.record("pad", shape: outShape, storage: out, inputs: self, rule: { c in
            [c.gradient.slice(alongAxis: axis, before..<(before + size))]
        })
    }
}
