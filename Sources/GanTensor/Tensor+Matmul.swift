/// Matrix products through OpenBLAS `cblas_sgemm`.
///
/// `matmul(a, b, transposeA:, transposeB:)` computes op(a)·op(b) with op = identity or
/// transpose, passing the flags to BLAS, which reads the operand transposed in place: no
/// transposed copy is ever made. With a PyTorch-style weight `W: [out, in]`, a linear layer is
/// `matmul(x, W, transposeB: true)`: `[batch, in] · [out, in]ᵀ → [batch, out]`.
///
/// Backward rules for C = op(A)·op(B) (each is again a flagged matmul, so double backward
/// works and never copies a transpose):
/// - C = A·B:   ∂A = ḡ·Bᵀ,   ∂B = Aᵀ·ḡ
/// - C = Aᵀ·B:  ∂A = B·ḡᵀ,   ∂B = A·ḡ
/// - C = A·Bᵀ:  ∂A = ḡ·B,    ∂B = ḡᵀ·A
/// - C = Aᵀ·Bᵀ: ∂A = Bᵀ·ḡᵀ,  ∂B = ḡᵀ·Aᵀ
extension Tensor {
    /// op(a)·op(b) for 2-D tensors: `[m, k] · [k, n] → [m, n]` after the optional transposes.
    public static func matmul(_ a: Tensor, _ b: Tensor,
                              transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        checkPrecondition(a.rank == 2 && b.rank == 2,
                     "matmul: needs 2-D tensors, shapes are \(a.shape) and \(b.shape)")
        let m = transposeA ? a.shape[1] : a.shape[0]
        let k = transposeA ? a.shape[0] : a.shape[1]
        let kb = transposeB ? b.shape[1] : b.shape[0]
        let n = transposeB ? b.shape[0] : b.shape[1]
        checkPrecondition(k == kb, "matmul: shapes \(a.shape)\(transposeA ? "ᵀ" : "") and "
                     + "\(b.shape)\(transposeB ? "ᵀ" : "") have inner dimensions \(k) ≠ \(kb)")
        let out = TensorStorage(uninitializedCount: m * n)
        BLAS.gemm(a.storage.pointer, rowsA: a.shape[0], columnsA: a.shape[1], transposeA: transposeA,
                  b.storage.pointer, rowsB: b.shape[0], columnsB: b.shape[1], transposeB: transposeB,
                  into: out.pointer, m: m, n: n, k: k)
        withExtendedLifetime((a, b)) {}
        return record("matmul", shape: [m, n], storage: out, inputs: a, b, rule: { c in
            let g = c.gradient, x = c.inputs[0], y = c.inputs[1]
            let needA = c.needsGradient[0], needB = c.needsGradient[1]
            switch (transposeA, transposeB) {
            case (false, false):
                return [needA ? matmul(g, y, transposeB: true) : nil,
                        needB ? matmul(x, g, transposeA: true) : nil]
            case (true, false):
                return [needA ? matmul(y, g, transposeB: true) : nil,
                        needB ? matmul(x, g) : nil]
            case (false, true):
                return [needA ? matmul(g, y) : nil,
                        needB ? matmul(g, x, transposeA: true) : nil]
            case (true, true):
                return [needA ? matmul(y, g, transposeA: true, transposeB: true) : nil,
                        needB ? matmul(g, x, transposeA: true, transposeB: true) : nil]
            }
        })
    }

    /// `self · other` with optional transposes; see `Tensor.matmul(_:_:transposeA:transposeB:)`.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        Tensor.matmul(self, other, transposeA: transposeSelf, transposeB: transposeOther)
    }

    /// A fully connected layer in one op: `x·Wᵀ + b`, `[batch, in] · [out, in]ᵀ + [out] →
    /// [batch, out]`, followed by max(·, 0) when `relu`. The bias (and the rectifier) are applied
    /// in place to the product's buffer in one pass, saving the separate broadcast and relu ops
    /// and their output tensors; the result is bit-identical to `(matmul(x, W, transposeB: true)
    /// + b).relu()` (accumulating onto the bias with β = 1 would not be: BLAS adds each K-block's
    /// partial sum to C, which rounds differently).
    /// Backward, with ḡ' = ḡ·(y > 0) after a rectifier (y > 0 exactly where x·Wᵀ + b > 0) and
    /// ḡ' = ḡ otherwise: ∂x = ḡ'·W, ∂W = ḡ'ᵀ·x, ∂b = Σ_rows ḡ' (tensor ops: double backward works).
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor, relu: Bool = false) -> Tensor {
        checkPrecondition(x.rank == 2 && weight.rank == 2 && bias.shape == [weight.shape[0]] && x.shape[1] == weight.shape[1],
                          "linear: shapes \(x.shape), weight \(weight.shape) and bias \(bias.shape) do not fit")
        let (rows, outputs) = (x.shape[0], weight.shape[0])
        let out = TensorStorage(uninitializedCount: rows * outputs)
        BLAS.gemm(x.storage.pointer, rowsA: rows, columnsA: x.shape[1], transposeA: false,
                  weight.storage.pointer, rowsB: outputs, columnsB: weight.shape[1], transposeB: true,
                  into: out.pointer, m: rows, n: outputs, k: x.shape[1])
        let b = bias.storage.pointer
        for row in 0..<rows {
            let y = out.pointer + row * outputs
            if relu {
                for j in 0..<outputs { y[j] = Swift.max(y[j] + b[j], 0) }
            } else {
                for j in 0..<outputs { y[j] += b[j] }
            }
        }
        withExtendedLifetime((x, weight, bias)) {}
        return record(relu ? "linearReLU" : "linear", shape: [rows, outputs], storage: out, inputs: x, weight, bias, rule: { c in
            let g = relu ? reluGradient(c.gradient, c.output) : c.gradient
            return [c.needsGradient[0] ? matmul(g, c.inputs[1]) : nil,
                    c.needsGradient[1] ? matmul(g, c.inputs[0], transposeA: true) : nil,
                    c.needsGradient[2] ? g.summed(toShape: c.inputs[2].shape) : nil]
        })
    }
}
