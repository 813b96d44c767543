import Foundation

/// Activation functions, `[...] → [...]` (same shape).
///
/// The backward passes of relu, leakyRelu, tanh and sigmoid are fused primitives of their own
/// (one pass over memory instead of three), each with its own backward rule, so they stay
/// differentiable for the double-backward of the gradient penalty:
/// - relu: ∂x = ḡ·[x > 0]; the fused `reluGradient(ḡ, x)` is linear in ḡ and piecewise
///   constant in x, so its rule is ∂ḡ = reluGradient(ġ, x), ∂x = 0
/// - leakyRelu(s): ∂x = ḡ·(x > 0 ? 1 : s), same structure
/// - tanh: ∂x = ḡ·(1 − y²); its rule: ∂ḡ = ġ·(1 − y²), ∂y = −2·ġ·ḡ·y
/// - sigmoid: ∂x = ḡ·y·(1 − y); its rule: ∂ḡ = ġ·y·(1 − y), ∂y = ġ·ḡ·(1 − 2y)
/// - softplus: ∂x = ḡ·sigmoid(x)
extension Tensor {
    /// max(x, 0).
    public func relu() -> Tensor {
        let out = ElementwiseKernel.map(self) { v in Swift.max(v, 0) }
        return Tensor.record("relu", shape: shape, storage: out, inputs: self, rule: { c in
            [Tensor.reluGradient(c.gradient, c.inputs[0])]
        })
    }

    /// x for x > 0, slope·x otherwise (Maas et al. 2013; GAN discriminators use slope 0.2).
    public func leakyRelu(slope: Float = 0.2) -> Tensor {
        let out = ElementwiseKernel.map(self) { v in v > 0 ? v : v * slope }
        return Tensor.record("leakyRelu", shape: shape, storage: out, inputs: self, rule: { c in
            [Tensor.leakyReluGradient(c.gradient, c.inputs[0], slope: slope)]
        })
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        let out = ElementwiseKernel.map(self) { v in Foundation.tanh(v) }
        return Tensor.record("tanh", shape: shape, storage: out, inputs: self, rule: { c in
            [Tensor.tanhGradient(c.gradient, c.output)]
        })
    }

    /// 1 / (1 + e⁻ˣ), evaluated without overflow on either side.
    public func sigmoid() -> Tensor {
        let out = ElementwiseKernel.map(self) { v in
            let e = Foundation.exp(-Swift.abs(v))
            return v >= 0 ? 1 / (1 + e) : e / (1 + e)
        }
        return Tensor.record("sigmoid", shape: shape, storage: out, inputs: self, rule: { c in
            [Tensor.sigmoidGradient(c.gradient, c.output)]
        })
    }

    /// log(1 + eˣ) computed as max(x, 0) + log1p(e^−|x|): no overflow for large x, no loss of
    /// precision for very negative x. −softplus(−x) is log sigmoid(x), the GAN log-loss.
    public func softplus() -> Tensor {
        let out = ElementwiseKernel.map(self) { v in
            Swift.max(v, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(v)))
        }
        return Tensor.record("softplus", shape: shape, storage: out, inputs: self, rule: { c in
            [c.gradient * c.inputs[0].sigmoid()]
        })
    }

    /// ḡ·[x > 0], the fused relu backward (shapes of ḡ and x must match).
    static func reluGradient(_ gradient: Tensor, _ x: Tensor) -> Tensor {
        checkPrecondition(gradient.shape == x.shape, "reluGradient: shapes \(gradient.shape) and \(x.shape) differ")
        let out = ElementwiseKernel.zip(gradient, x, shape: x.shape) { g, v in v > 0 ? g : 0 }
        return record("reluGradient", shape: x.shape, storage: out, inputs: gradient, x, rule: { c in
            [c.needsGradient[0] ? reluGradient(c.gradient, c.inputs[1]) : nil, nil]
        })
    }

    /// ḡ·(x > 0 ? 1 : slope), the fused leaky-relu backward.
    static func leakyReluGradient(_ gradient: Tensor, _ x: Tensor, slope: Float) -> Tensor {
        checkPrecondition(gradient.shape == x.shape, "leakyReluGradient: shapes \(gradient.shape) and \(x.shape) differ")
        let out = ElementwiseKernel.zip(gradient, x, shape: x.shape) { g, v in v > 0 ? g : g * slope }
        return record("leakyReluGradient", shape: x.shape, storage: out, inputs: gradient, x, rule: { c in
            [c.needsGradient[0] ? leakyReluGradient(c.gradient, c.inputs[1], slope: slope) : nil, nil]
        })
    }

    /// ḡ·(1 − y²), the fused tanh backward in terms of its output y.
    static func tanhGradient(_ gradient: Tensor, _ y: Tensor) -> Tensor {
        checkPrecondition(gradient.shape == y.shape, "tanhGradient: shapes \(gradient.shape) and \(y.shape) differ")
        let out = ElementwiseKernel.zip(gradient, y, shape: y.shape) { g, v in g * (1 - v * v) }
        return record("tanhGradient", shape: y.shape, storage: out, inputs: gradient, y, rule: { c in
            [c.needsGradient[0] ? tanhGradient(c.gradient, c.inputs[1]) : nil,
             c.needsGradient[1] ? c.gradient * c.inputs[0] * c.inputs[1] * -2 : nil]
        })
    }

    /// ḡ·y·(1 − y), the fused sigmoid backward in terms of its output y.
    static func sigmoidGradient(_ gradient: Tensor, _ y: Tensor) -> Tensor {
        checkPrecondition(gradient.shape == y.shape, "sigmoidGradient: shapes \(gradient.shape) and \(y.shape) differ")
        let out = ElementwiseKernel.zip(gradient, y, shape: y.shape) { g, v in g * v * (1 - v) }
        return record("sigmoidGradient", shape: y.shape, storage: out, inputs: gradient, y, rule: { c in
            [c.needsGradient[0] ? sigmoidGradient(c.gradient, c.inputs[1]) : nil,
             c.needsGradient[1] ? c.gradient * c.inputs[0] * (1 - c.inputs[1] * 2) : nil]
        })
    }
}
