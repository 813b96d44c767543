/// Reductions over axes, and the broadcast/reduce pair that moves gradients between shapes.
///
/// `axes: nil` means all axes. Without `keepDims` reduced axes are removed (`[256, 512]` summed
/// along `[1]` is `[256]`; with keepDims `[256, 1]`). Backward rules:
/// - sum: ∂x = broadcast(ḡ, x.shape) (ḡ first given the keep-dims shape)
/// - mean: sum · (1/n)
/// - max: ∂x = broadcast(ḡ)·m / broadcast(Σm), m = [x = max] (ties share the gradient)
/// - broadcast(to:): ∂x = reduce(ḡ) — and `summed(toShape:)` is a sum, whose rule is broadcast
extension Tensor {
    /// Σ over `axes`.
    public func sum(alongAxes axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let axes = Broadcasting.normalizedAxes(axes, rank: rank, operation: "sum")
        let (keptShape, out) = ReductionKernel.reduce(self, axes: axes, kind: .sum)
        let result = Tensor.record("sum", shape: keptShape, storage: out, inputs: self, rule: { c in
            [c.gradient.broadcast(to: c.inputs[0].shape)]
        })
        return keepDims ? result : result.reshaped(Tensor.removing(axes, from: shape))
    }

    /// Arithmetic mean over `axes`.
    public func mean(alongAxes axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let axes = Broadcasting.normalizedAxes(axes, rank: rank, operation: "mean")
        let n = axes.reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// Maximum over `axes`. The gradient goes to the maximal entries, split evenly among ties.
    public func max(alongAxes axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let axes = Broadcasting.normalizedAxes(axes, rank: rank, operation: "max")
        checkPrecondition(count > 0, "max: empty tensor of shape \(shape)")
        let (keptShape, out) = ReductionKernel.reduce(self, axes: axes, kind: .max)
        let result = Tensor.record("max", shape: keptShape, storage: out, inputs: self, rule: { c in
            let x = c.inputs[0]
            let isMaximum = x .== c.output.detached()
            let ties = isMaximum.sum(alongAxes: axes, keepDims: true)
            return [c.gradient.broadcast(to: x.shape) * (isMaximum / ties)]
        })
        return keepDims ? result : result.reshaped(Tensor.removing(axes, from: shape))
    }

    /// This tensor repeated along broadcast dimensions to `target` (numpy `broadcast_to`, but
    /// materialised). Returns `self` when the shape already matches.
    public func broadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        checkPrecondition(Broadcasting.broadcasts(shape, to: target),
                     "broadcast(to:): shape \(shape) does not broadcast to \(target)")
        let out = ElementwiseKernel.broadcast(self, to: target)
        return Tensor.record("broadcast", shape: target, storage: out, inputs: self, rule: { c in
            [c.gradient.summed(toShape: c.inputs[0].shape)]
        })
    }

    /// Sums a broadcast result back to `target`, the shape it was broadcast from: the gradient
    /// of broadcasting. Returns `self` when the shape already matches.
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        checkPrecondition(Broadcasting.broadcasts(target, to: shape),
                     "summed(toShape:): shape \(target) does not broadcast to \(shape)")
        let axes = Broadcasting.reducedAxes(from: shape, to: target)
        return sum(alongAxes: axes, keepDims: true).reshaped(target)
    }

    static func removing(_ axes: [Int], from shape: [Int]) -> [Int] {
        var kept: [Int] = []
        kept.reserveCapacity(shape.count)
        for (axis, size) in shape.enumerated() where !axes.contains(axis) { kept.append(size) }
        return kept
    }
}
