import Foundation

/// Elementwise functions. Transcendentals call glibc's `expf`/`logf`/`powf` per scalar (scalar
/// code, deterministic for a given glibc); the others vectorise.
///
/// Backward rules (ḡ incoming gradient, y the output):
/// - exp: ∂x = ḡ·y
/// - log: ∂x = ḡ/x
/// - sqrt: ∂x = ḡ/(2y)
/// - pow(x, p), p constant: ∂x = ḡ·p·x^(p−1)
/// - abs: ∂x = ḡ·sign(x) (sign(0) = 0, the subgradient PyTorch uses)
/// - sign, comparison masks: constant, no gradient
extension Tensor {
    /// eˣ elementwise.
    public func exp() -> Tensor {
        let out = ElementwiseKernel.map(self) { v in Foundation.exp(v) }
        return Tensor.record("exp", shape: shape, storage: out, inputs: self, rule: { c in
            [c.gradient * c.output]
        })
    }

    /// Natural logarithm elementwise (−inf at 0, NaN below).
    public func log() -> Tensor {
        let out = ElementwiseKernel.map(self) { v in Foundation.log(v) }
        return Tensor.record("log", shape: shape, storage: out, inputs: self, rule: { c in
            [c.gradient / c.inputs[0]]
        })
    }

    /// √x elementwise. The derivative is infinite at 0: add a small constant first where 0 can
    /// occur (e.g. a norm of a gradient that may vanish).
    public func sqrt() -> Tensor {
        let out = ElementwiseKernel.map(self) { v in v.squareRoot() }
        return Tensor.record("sqrt", shape: shape, storage: out, inputs: self, rule: { c in
            [c.gradient / (c.output * 2)]
        })
    }

    /// xᵖ elementwise for a constant exponent (p = 2 is a multiply).
    public func pow(_ exponent: Float) -> Tensor {
        let out: TensorStorage
        if exponent == 2 {
            out = ElementwiseKernel.map(self) { v in v * v }
        } else if exponent == 1 {
            out = storage.copy()
        } else {
            out = ElementwiseKernel.map(self) { v in Foundation.pow(v, exponent) }
        }
        return Tensor.record("pow", shape: shape, storage: out, inputs: self, rule: { c in
            if exponent == 1 { return [c.gradient] }
            if exponent == 2 { return [c.gradient * c.inputs[0] * 2] }
            return [c.gradient * (c.inputs[0].pow(exponent - 1) * exponent)]
        })
    }

    /// |x| elementwise.
    public func abs() -> Tensor {
        let out = ElementwiseKernel.map(self) { v in Swift.abs(v) }
        return Tensor.record("abs", shape: shape, storage: out, inputs: self, rule: { c in
            [c.gradient * c.inputs[0].sign()]
        })
    }

    /// −1, 0 or 1 elementwise; a constant (no gradient flows through it).
    public func sign() -> Tensor {
        let out = ElementwiseKernel.map(self) { v in
            let positive: Float = v > 0 ? 1 : 0
            let negative: Float = v < 0 ? 1 : 0
            return positive - negative
        }
        return Tensor(shape: shape, storage: out)
    }

    /// Squares elementwise (`pow(2)`).
    public func squared() -> Tensor { pow(2) }

    /// Euclidean norm over `axes` (all by default): √(Σ x² + ε). A composite of primitives, so
    /// it is differentiable twice; ε > 0 keeps the gradient finite when x = 0.
    public func l2Norm(alongAxes axes: [Int]? = nil, keepDims: Bool = false, epsilon: Float = 0) -> Tensor {
        let sumOfSquares = (self * self).sum(alongAxes: axes, keepDims: keepDims)
        return (epsilon == 0 ? sumOfSquares : sumOfSquares + epsilon).sqrt()
    }
}
