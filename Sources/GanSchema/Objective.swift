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
}
