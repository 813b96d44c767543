import GanNN
import GanSchema
import GanTensor

/// The losses of each objective (the objectives themselves are vocabulary: GanSchema).
extension Objective {
    /// The discriminator's loss from its outputs on real and generated samples (`[batch, 1]`
    /// each), before any gradient penalty. Computed from logits with softplus, which is
    /// stable for any logit: −log σ(l) = softplus(−l), −log(1 − σ(l)) = softplus(l).
    public func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor {
        switch self {
        case .gan, .nsgan:
            return (-real).softplus().mean() + fake.softplus().mean()
        case .wgan, .wganGP, .wganLP:
            return fake.mean() - real.mean()
        case .hinge:
            return (1 - real).relu().mean() + (1 + fake).relu().mean()
        }
    }

    /// The generator's loss from the discriminator's outputs on generated samples.
    public func generatorLoss(fake: Tensor) -> Tensor {
        switch self {
        case .gan:
            // log(1 − σ(l)) = −softplus(l)
            return -fake.softplus().mean()
        case .nsgan:
            return (-fake).softplus().mean()
        case .wgan, .wganGP, .wganLP, .hinge:
            return -fake.mean()
        }
    }

    /// The penalty on per-sample gradient norms `[batch]`: two-sided (GP) or one-sided (LP).
    public func penalty(gradientNorms norms: Tensor) -> Tensor {
        switch self {
        case .wganLP: return (norms - 1).relu().squared().mean()
        default: return (norms - 1).squared().mean()
        }
    }
}
