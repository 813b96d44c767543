/// Arithmetic with numpy broadcasting: `+ − × ÷` between tensors and with scalars (either
/// order), and negation. A scalar operand is a shape-`[]` tensor that requires no gradient.
///
/// Backward rules (ḡ is the incoming gradient, `reduce` sums ḡ back to an input's shape over
/// the axes that input was broadcast along):
/// - a + b: ∂a = reduce(ḡ), ∂b = reduce(ḡ)
/// - a − b: ∂a = reduce(ḡ), ∂b = −reduce(ḡ)
/// - a · b: ∂a = reduce(ḡ·b), ∂b = reduce(ḡ·a)
/// - a / b: ∂a = reduce(ḡ/b), ∂b = −reduce(ḡ·y/b) with y = a/b
/// - −a: ∂a = −ḡ
extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let shape = Broadcasting.shape(a.shape, b.shape, operation: "+")
        let out = ElementwiseKernel.zip(a, b, shape: shape) { x, y in x + y }
        return record("add", shape: shape, storage: out, inputs: a, b, rule: { c in
            [c.needsGradient[0] ? c.gradient.summed(toShape: c.inputs[0].shape) : nil,
             c.needsGradient[1] ? c.gradient.summed(toShape: c.inputs[1].shape) : nil]
        })
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let shape = Broadcasting.shape(a.shape, b.shape, operation: "-")
        let out = ElementwiseKernel.zip(a, b, shape: shape) { x, y in x - y }
        return record("subtract", shape: shape, storage: out, inputs: a, b, rule: { c in
            [c.needsGradient[0] ? c.gradient.summed(toShape: c.inputs[0].shape) : nil,
             c.needsGradient[1] ? -c.gradient.summed(toShape: c.inputs[1].shape) : nil]
        })
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let shape = Broadcasting.shape(a.shape, b.shape, operation: "*")
        let out = ElementwiseKernel.zip(a, b, shape: shape) { x, y in x * y }
        return record("multiply", shape: shape, storage: out, inputs: a, b, rule: { c in
            [c.needsGradient[0] ? (c.gradient * c.inputs[1]).summed(toShape: c.inputs[0].shape) : nil,
             c.needsGradient[1] ? (c.gradient * c.inputs[0]).summed(toShape: c.inputs[1].shape) : nil]
        })
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let shape = Broadcasting.shape(a.shape, b.shape, operation: "/")
        let out = ElementwiseKernel.zip(a, b, shape: shape) { x, y in x / y }
        return record("divide", shape: shape, storage: out, inputs: a, b, rule: { c in
            [c.needsGradient[0] ? (c.gradient / c.inputs[1]).summed(toShape: c.inputs[0].shape) : nil,
             c.needsGradient[1]
                ? (-(c.gradient * c.output / c.inputs[1])).summed(toShape: c.inputs[1].shape) : nil]
        })
    }

    public static prefix func - (a: Tensor) -> Tensor {
        let out = ElementwiseKernel.map(a) { x in -x }
        return record("negate", shape: a.shape, storage: out, inputs: a, rule: { c in [-c.gradient] })
    }

    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }
}
