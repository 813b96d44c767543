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
}
