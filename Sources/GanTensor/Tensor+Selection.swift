/// Clamping, selection by a mask, and comparison masks.
///
/// Masks are ordinary Float tensors holding 1 (true) and 0 (false); they are constants for
/// differentiation. Backward rules:
/// - clamped(lo, hi): ∂x = ḡ·[lo ≤ x ≤ hi]
/// - where(m, a, b): ∂a = reduce(where(m, ḡ, 0)), ∂b = reduce(where(m, 0, ḡ)); m gets none
extension Tensor {
    /// min(max(x, lower), upper) elementwise; either bound may be omitted. Used for WGAN weight
    /// clipping (arXiv 1701.07875) through `clampInPlace` and for safe logs (`clamped(min: 1e-7)`).
    public func clamped(min lower: Float = -.infinity, max upper: Float = .infinity) -> Tensor {
        checkPrecondition(lower <= upper, "clamped: lower bound \(lower) exceeds upper bound \(upper)")
        let out = ElementwiseKernel.map(self) { v in Swift.min(Swift.max(v, lower), upper) }
        return Tensor.record("clamp", shape: shape, storage: out, inputs: self, rule: { c in
            let x = c.inputs[0]
            let inside = Tensor(shape: x.shape, storage: ElementwiseKernel.map(x) { v in
                let above: Float = v >= lower ? 1 : 0
                let below: Float = v <= upper ? 1 : 0
                return above * below
            })
            return [c.gradient * inside]
        })
    }

    /// `ifTrue` where `condition` is non-zero, `ifFalse` elsewhere; all three broadcast together.
    /// Unlike `m·a + (1−m)·b` it never turns an unselected inf or NaN into NaN.
    public static func `where`(_ condition: Tensor, _ ifTrue: Tensor, _ ifFalse: Tensor) -> Tensor {
        let shape = Broadcasting.shape(
            Broadcasting.shape(condition.shape, ifTrue.shape, operation: "where"),
            ifFalse.shape, operation: "where")
        let count = elementCount(shape)
        let mask = condition.count == count ? condition.storage : ElementwiseKernel.broadcast(condition, to: shape)
        let a = ifTrue.count == count ? ifTrue.storage : ElementwiseKernel.broadcast(ifTrue, to: shape)
        let b = ifFalse.count == count ? ifFalse.storage : ElementwiseKernel.broadcast(ifFalse, to: shape)
        let out = TensorStorage(uninitializedCount: count)
        let pm = mask.pointer, pa = a.pointer, pb = b.pointer, po = out.pointer
        for i in 0..<count {
            let m = pm[i], x = pa[i], y = pb[i]
            po[i] = m != 0 ? x : y
        }
        withExtendedLifetime((mask, a, b)) {}
        return record("where", shape: shape, storage: out, inputs: condition, ifTrue, ifFalse, rule: { c in
            let zero = Tensor(0)
            let m = c.inputs[0]
            return [nil,
                    c.needsGradient[1] ? Tensor.where(m, c.gradient, zero).summed(toShape: c.inputs[1].shape) : nil,
                    c.needsGradient[2] ? Tensor.where(m, zero, c.gradient).summed(toShape: c.inputs[2].shape) : nil]
        })
    }

    /// Mask of `a > b` (broadcast), a constant.
    public static func .> (a: Tensor, b: Tensor) -> Tensor { compare(a, b) { x, y in x > y ? 1 : 0 } }
    /// Mask of `a < b` (broadcast), a constant.
    public static func .< (a: Tensor, b: Tensor) -> Tensor { compare(a, b) { x, y in x < y ? 1 : 0 } }
    /// Mask of `a ≥ b` (broadcast), a constant.
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { compare(a, b) { x, y in x >= y ? 1 : 0 } }
    /// Mask of `a ≤ b` (broadcast), a constant.
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { compare(a, b) { x, y in x <= y ? 1 : 0 } }
    /// Mask of `a == b` (broadcast), a constant.
    public static func .== (a: Tensor, b: Tensor) -> Tensor { compare(a, b) { x, y in x == y ? 1 : 0 } }

    public static func .> (a: Tensor, b: Float) -> Tensor { a .> Tensor(b) }
    public static func .< (a: Tensor, b: Float) -> Tensor { a .< Tensor(b) }
    public static func .>= (a: Tensor, b: Float) -> Tensor { a .>= Tensor(b) }
    public static func .<= (a: Tensor, b: Float) -> Tensor { a .<= Tensor(b) }
    public static func .== (a: Tensor, b: Float) -> Tensor { a .== Tensor(b) }

    @inline(__always)
    private static func compare(_ a: Tensor, _ b: Tensor, _ body: (Float, Float) -> Float) -> Tensor {
        let shape = Broadcasting.shape(a.shape, b.shape, operation: "comparison")
        return Tensor(shape: shape, storage: ElementwiseKernel.zip(a, b, shape: shape, body))
    }
}
