/// The public entry points of reverse-mode differentiation.
///
/// Two ways in, like PyTorch:
/// - `gradients(of:withRespectTo:)` (`torch.autograd.grad`) returns gradients without touching
///   any `.gradient`; with `createGraph: true` they are differentiable, which is how the WGAN-GP
///   penalty (Gulrajani et al., arXiv 1704.00028) is built:
///
///       interpolates.requiresGradient = true
///       let score = discriminator(interpolates)                          // [batch, 1]
///       let inputGradient = gradients(of: score.sum(), withRespectTo: [interpolates],
///                                     createGraph: true)[0]!             // [batch, features]
///       let norm = inputGradient.l2Norm(alongAxes: [1], epsilon: 1e-12)  // [batch]
///       let penalty = ((norm - 1).squared()).mean()
///       (loss + gradientPenaltyWeight * penalty).backward()              // ∂/∂θ through ∇ₓD
///
/// - `backward()` (`loss.backward()`) adds the gradient into `.gradient` of every leaf that
///   requires one and is reachable.
///
/// The graph is owned by the tensors that reach it: it is freed when the output (the loss) and
/// every gradient built with `createGraph: true` are released. Nothing is freed by `backward()`
/// itself, so calling it twice on a live graph accumulates twice.
public func gradients(of output: Tensor, withRespectTo inputs: [Tensor], seed: Tensor? = nil,
                      createGraph: Bool = false) -> [Tensor?] {
    let found = GradientEngine.run(output: output, seed: seed, targets: inputs, createGraph: createGraph)
    var byIdentity: [ObjectIdentifier: Tensor] = [:]
    for (tensor, gradient) in found { byIdentity[ObjectIdentifier(tensor)] = gradient }
    return inputs.map { input in
        input.requiresGradient ? byIdentity[ObjectIdentifier(input)] : nil
    }
}

extension Tensor {
    /// Accumulates ∂self/∂leaf into `leaf.gradient` for every reachable leaf that requires a
    /// gradient (`gradient = gradient + g`, or `g` when it was nil). `self` must be a scalar
    /// unless `seed` (the vector in the vector–Jacobian product, shape of `self`) is given.
    ///
    /// With `createGraph: false` (the training case) stored gradients never share storage with
    /// each other or with `seed`, so an optimizer may update them in place. With `createGraph:
    /// true` the stored gradients are differentiable and must be treated as read-only.
    public func backward(seed: Tensor? = nil, createGraph: Bool = false) {
        let found = GradientEngine.run(output: self, seed: seed, targets: nil, createGraph: createGraph)
        var storageUses: [ObjectIdentifier: Int] = [:]
        if let seed { storageUses[ObjectIdentifier(seed.storage)] = 1 }
        for (_, gradient) in found { storageUses[ObjectIdentifier(gradient.storage), default: 0] += 1 }
        GradientMode.withGradients(enabled: createGraph) {
            for (leaf, share) in found {
                if let existing = leaf.gradient {
                    leaf.gradient = existing + share
                } else if storageUses[ObjectIdentifier(share.storage), default: 0] > 1 && !createGraph {
                    leaf.gradient = share.copied()
                } else {
                    leaf.gradient = share
                }
            }
        }
    }
}
