/// The keys of `metrics.key` (per-step values; what the evaluator measures at a checkpoint is
/// `EvaluationMetric`), defined once. Documented for SQL users in migrations/README.md; they
/// are a public interface — never rename one.
public enum MetricKey {
    public static let discriminatorLoss = "loss/discriminator"
    public static let generatorLoss = "loss/generator"
    /// mean D(real) − mean D(fake), for the Wasserstein objectives.
    public static let wassersteinEstimate = "wasserstein_estimate"
    /// The gradient penalty's value (before multiplying by λ).
    public static let penalty = "penalty"
    public static let scoreReal = "score/real"
    public static let scoreFake = "score/fake"
    /// Share of real samples with logit > 0 and fake samples with logit < 0 (gan, nsgan, hinge).
    public static let discriminatorAccuracy = "discriminator/accuracy"
    /// ‖∂L/∂θ‖₂ of one parameter tensor: `grad_norm/discriminator/layers.2.weight`.
    public static func gradientNorm(_ network: String, _ path: String) -> String { "\(gradientNormPrefix)\(network)/\(path)" }
    public static let gradientNormPrefix = "grad_norm/"
    /// ‖∂L_D/∂h‖₂ over the batch of real and generated samples, h the output of hidden layer
    /// `layers.N` (N is the activation's index in the Sequential layout): WGAN-GP Figure 1b.
    public static func activationGradientNorm(_ path: String) -> String { "\(activationGradientNormPrefix)discriminator/\(path)" }
    public static let activationGradientNormPrefix = "activation_grad_norm/"
    /// Mean over the batch of ‖∇ₓD(x)‖₂ at real, generated and interpolated points.
    public static let inputGradientNormReal = "input_grad_norm/real"
    public static let inputGradientNormFake = "input_grad_norm/fake"
    public static let inputGradientNormInterpolates = "input_grad_norm/interpolates"
    /// ‖∂L_G/∂x̃‖₂ over the batch of generated samples x̃: the signal that vanishes for minimax.
    public static let generatorSampleGradientNorm = "generator/sample_grad_norm"
    /// Share of discriminator weights at ±c after clipping (wgan).
    public static let clippedFraction = "clip/fraction_at_bound"
    /// Per-epoch training loss of a dataset's classifier (a classifier pseudo-run).
    public static let classifierLoss = "loss/classifier"
}
