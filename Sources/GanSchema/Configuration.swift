/// The settings of a run, by their keys in `runs.config_json` (and in pipeline files). Front
/// ends name them in their own terms (`--batch-size`, `train.batch_size`); the trainer's
/// `TrainingSpecification` holds them.
public enum ConfigurationKey: String, CaseIterable, Sendable {
    case dataset, objective, steps, seed
    case batchSize = "batch_size", noiseDimension = "noise_dimension"
    case generatorDepth = "generator_depth", generatorWidth = "generator_width"
    case discriminatorDepth = "discriminator_depth", discriminatorWidth = "discriminator_width"
    case activation, leakySlope = "leaky_slope", optimizer, learningRate = "learning_rate", beta1, beta2
    case discriminatorSteps = "discriminator_steps", gradientPenaltyWeight = "gradient_penalty_weight", clip
    case checkpointEvery = "checkpoint_every", metricsEvery = "metrics_every", threads
    case vanishingThreshold = "vanishing_threshold", explodingThreshold = "exploding_threshold", healthWindow = "health_window"
    case generatorFrozenAfter = "generator_frozen_after"
    case architecture, channels
    case generatorNormalization = "generator_normalization", discriminatorNormalization = "discriminator_normalization"
    case generatorLayers = "generator_layers", discriminatorLayers = "discriminator_layers"
    case conditional, classEmbedding = "class_embedding"
}

/// The networks a run trains, by name (`architecture` in `runs.config_json`).
public enum Architecture: String, Codable, CaseIterable, Sendable {
    /// Multilayer perceptrons of the configured depths and widths (the toy experiments).
    case mlp
    /// DCGAN (Radford et al. 2016, arXiv 1511.06434), sized for images whose sides divide by 4
    /// (28×28, the 8×8 digits): strided (transposed) convolutions, batch norm in the generator,
    /// ReLU/tanh in G, LeakyReLU(0.2) in D, weights N(0, 0.02).
    case dcgan
    /// The WGAN-GP authors' MNIST networks (arXiv 1704.00028, gan_mnist.py), for 28×28 images.
    case wganGPMNIST = "wgan-gp-mnist"

    /// The noise dimension the architecture's authors used.
    public var noiseDimension: Int {
        switch self {
        case .mlp: TrainingDefaults.noiseDimension
        case .dcgan: 100
        case .wganGPMNIST: 128
        }
    }
}

/// Normalisation of a network's hidden layers (`generator_normalization`,
/// `discriminator_normalization`).
public enum Normalization: String, Codable, CaseIterable, Sendable {
    case none
    /// Batch normalisation (Ioffe & Szegedy 2015); breaks the per-sample gradient penalty in a critic.
    case batch
    /// Layer normalisation over each sample (the WGAN-GP paper's advice for critics).
    case layer
    /// Spectral normalisation of every weight (Miyato et al. 2018, arXiv 1802.05957).
    case spectral
}

/// The defaults of the settings that do not depend on the objective (those that do are the
/// objective's published ones: `TrainingSpecification.init`). Readers of older
/// configurations that lack a key fall back to these too.
public enum TrainingDefaults {
    public static let batchSize = 256
    public static let noiseDimension = 2
    /// Hidden layers of each network.
    public static let depth = 3
    /// Units per hidden layer.
    public static let width = 512
    public static let activation = "relu"
    public static let leakySlope: Float = 0.2
    public static let checkpointEvery = 1000
    public static let metricsEvery = 1
    public static let threads = 1
    public static let vanishingThreshold = 1e-7
    public static let explodingThreshold = 1e3
    public static let healthWindow = 10
    public static let architecture = Architecture.mlp
    /// The base channel count D of the convolutional architectures.
    public static let channels = 64
}
