import GanNN
import GanTensor

/// The game the two networks play. The discriminator's output is a logit for `gan`, `nsgan`
/// and `hinge`, and an unbounded score for the Wasserstein objectives (there the discriminator
/// is what the WGAN paper calls the critic).
public enum Objective: String, Codable, CaseIterable, Sendable {
    /// The original minimax game (Goodfellow et al. 2014): the generator minimises
    /// log(1 − D(G(z))), whose gradient vanishes as the discriminator improves.
    case gan
    /// The non-saturating variant: the generator minimises −log D(G(z)).
    case nsgan
    /// Wasserstein GAN with weight clipping (Arjovsky et al., arXiv 1701.07875).
    case wgan
    /// WGAN with a gradient penalty λ·E[(‖∇ₓD(x̂)‖₂ − 1)²] (Gulrajani et al., arXiv 1704.00028).
    case wganGP = "wgan-gp"
    /// WGAN with the one-sided penalty λ·E[max(0, ‖∇ₓD(x̂)‖₂ − 1)²] (Petzka et al., arXiv 1709.08894).
    case wganLP = "wgan-lp"
    /// The hinge loss (Lim & Ye, arXiv 1705.02894; Miyato et al. 2018).
    case hinge

    /// Whether the discriminator's scores estimate a Wasserstein distance.
    public var isWasserstein: Bool { self == .wgan || self == .wganGP || self == .wganLP }

    /// Whether the discriminator loss carries a penalty on ‖∇ₓD‖ at interpolates.
    public var hasGradientPenalty: Bool { self == .wganGP || self == .wganLP }

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
