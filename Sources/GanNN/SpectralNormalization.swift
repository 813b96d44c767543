import GanTensor

/// Spectral normalisation of a weight (Miyato et al. 2018, arXiv 1802.05957): the layer uses
/// W / σ(W), σ estimated by power iteration on the weight viewed as a matrix `[rows, ·]`
/// (rows = output channels; PyTorch's `spectral_norm`, dim 0 — dim 1 for transposed
/// convolutions, whose output channels are the weight's second axis).
///
/// `u` and `v` (`weight_u` `[rows]`, `weight_v` `[columns]`, PyTorch's names) are state: saved
/// in checkpoints, advanced one power iteration by `iterate()` — the trainer calls it once per
/// network update — and fixed during a forward pass, so σ = uᵀ·W·v is differentiable in W
/// alone (twice, for the gradient penalty), as in PyTorch.
public final class SpectralNormalization {
    public let u: Tensor
    public let v: Tensor
    /// Whether the weight's output axis is its second (transposed convolutions).
    public let outputAxis: Int
    static let epsilon: Float = 1e-12

    /// u drawn from the normal distribution and normalised, as PyTorch does.
    public init(weight: Tensor, outputAxis: Int = 0, using generator: inout PhiloxGenerator) {
        self.outputAxis = outputAxis
        let rows = weight.shape[outputAxis]
        let draw = Tensor.normal([rows], using: &generator)
        u = GradientMode.withGradientsDisabled { Self.normalized(draw) }
        v = Tensor(shape: [weight.count / rows], scalars: [Float](repeating: 0, count: weight.count / rows))
        iterate(weight)
    }

    /// The weight as a matrix `[rows, columns]` with the output channels as rows.
    func matrix(_ weight: Tensor) -> Tensor {
        let rows = weight.shape[outputAxis]
        if outputAxis == 0 { return weight.reshaped([rows, -1]) }
        var order = Array(0..<weight.rank)
        order.swapAt(0, outputAxis)
        return weight.permuted(order).reshaped([rows, -1])
    }

    static func normalized(_ x: Tensor) -> Tensor {
        x / Swift.max(Float(x.sumOfSquares().squareRoot()), epsilon)
    }

    /// One power iteration: v ← normalize(Wᵀu), u ← normalize(W v). No graph.
    public func iterate(_ weight: Tensor) {
        GradientMode.withGradientsDisabled {
            let w = matrix(weight.detached())
            v.assign(Self.normalized(Tensor.matmul(w, u.reshaped([-1, 1]), transposeA: true).reshaped([-1])))
            u.assign(Self.normalized(Tensor.matmul(w, v.reshaped([-1, 1])).reshaped([-1])))
        }
    }

    /// σ = uᵀ·W·v as a graph in W (u, v constants).
    func sigmaTensor(_ weight: Tensor) -> Tensor {
        (Tensor.matmul(matrix(weight), v.reshaped([-1, 1])).reshaped([-1]) * u).sum()
    }

    /// W / σ: differentiable in W.
    public func normalize(_ weight: Tensor) -> Tensor {
        weight / sigmaTensor(weight)
    }

    /// σ of the current estimate, for metrics.
    public func sigma(_ weight: Tensor) -> Double {
        GradientMode.withGradientsDisabled { Double(sigmaTensor(weight.detached()).scalar) }
    }
}
