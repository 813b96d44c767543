import ArgumentParser
import Foundation
import GanSchema
import GanStore
import GanTrainer

extension Objective: ExpressibleByArgument {}
extension Architecture: ExpressibleByArgument {}
extension Normalization: ExpressibleByArgument {}

/// `ganpipe train`: create a run and train it on a stored dataset.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a GAN, WGAN or WGAN-GP on a stored dataset, recording per-layer gradients.",
        discussion: """
            A step is one generator update, after --discriminator-steps discriminator updates. Defaults \
            that depend on the objective: gan, nsgan, hinge: Adam, learning rate 2e-4, β = (0.5, 0.999), \
            1 discriminator step; wgan: RMSprop, learning rate 5e-5, clip 0.01, 5 discriminator steps; \
            wgan-gp, wgan-lp: Adam, learning rate 1e-4, β = (0.5, 0.9), penalty weight 10, 5 discriminator \
            steps. The resolved configuration is stored with the run (`ganpipe show RUN`).
            Exit codes: 0 completed, 1 error or failed run (non-finite values), 130 stopped by a signal \
            (continue with `ganpipe resume RUN`).
            """)

    /// The settings that do not depend on the objective take their defaults from here.
    static let defaults = TrainingSpecification(dataset: "", objective: .gan, steps: 1)

    /// The option that sets `key`.
    static func flag(for key: TrainingSpecification.Key) -> String {
        switch key {
        case .noiseDimension: "--noise-dim"
        case .generatorFrozenAfter: "--freeze-generator-after"
        default: "--" + key.rawValue.replacingOccurrences(of: "_", with: "-")
        }
    }

    /// `problems` in one line, each named by its option.
    static func message(_ problems: [TrainingSpecification.Problem]) -> String {
        problems.map { "\(flag(for: $0.key)) \($0.message)" }.joined(separator: "; ")
    }

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The dataset to train on (`ganpipe data list`).") var dataset: String
    @Option(help: "gan, nsgan, wgan, wgan-gp, wgan-lp or hinge.") var objective: Objective
    @Option(help: "Generator steps in all.") var steps: Int
    @Option(help: "The run's name (default: OBJECTIVE-DATASET-seedSEED, then -2, -3, … when that name is taken).") var name: String?
    @Option(help: "Seed of every random stream.") var seed: UInt64 = Self.defaults.seed
    @Option(help: "Samples per batch.") var batchSize: Int = Self.defaults.batchSize
    @Option(help: "The networks: mlp, dcgan (images with sides divisible by 4) or wgan-gp-mnist (28×28 images).")
    var architecture: Architecture = TrainingDefaults.architecture
    @Option(help: "Base channel count D of a convolutional architecture.") var channels: Int?
    @Option(help: "Normalisation of the generator's hidden layers: none, batch, layer or spectral (default: by architecture).")
    var generatorNormalization: Normalization?
    @Option(help: "Normalisation of the discriminator's hidden layers: none, batch, layer or spectral (default: by architecture and objective).")
    var discriminatorNormalization: Normalization?
    @Option(help: "The generator written by hand, replacing the architecture's: 'linear 6272, relu, reshape 128x7x7, conv-transpose 64 k4 s2 p1, batch-norm, relu, conv-transpose 1 k4 s2 p1, sigmoid' (pipelines/README.md lists the words).")
    var generatorLayers: String?
    @Option(help: "The discriminator written by hand: 'conv 64 k4 s2 p1 sn, leaky-relu 0.2, conv 128 k4 s2 p1 sn, leaky-relu 0.2, reshape 6272, linear 1 sn'.")
    var discriminatorLayers: String?
    @Flag(help: "Class-conditional: the generator takes a label embedding, the discriminator a class projection (a labelled dataset).")
    var conditional = false
    @Option(help: "Features of the generator's label embedding (default: the number of classes).") var classEmbedding: Int?
    @Option(name: .customLong("noise-dim"), help: "Dimension of the generator's noise input (default: 2 for mlp, 100 for dcgan, 128 for wgan-gp-mnist).")
    var noiseDimension: Int?
    @Option(help: "Hidden layers of the generator (mlp).") var generatorDepth: Int = Self.defaults.generatorDepth
    @Option(help: "Units per hidden layer of the generator (mlp).") var generatorWidth: Int = Self.defaults.generatorWidth
    @Option(help: "Hidden layers of the discriminator; for a convolutional architecture its convolutions (2 in dcgan, 3 in wgan-gp-mnist; more adds 3×3 convolutions at the last resolution).")
    var discriminatorDepth: Int?
    @Option(help: "Units per hidden layer of the discriminator (mlp).") var discriminatorWidth: Int = Self.defaults.discriminatorWidth
    @Option(help: "Hidden activation: relu, leaky-relu, tanh, sigmoid.") var activation: String = Self.defaults.activation
    @Option(help: "Slope of leaky-relu for negative inputs.") var leakySlope: Float = Self.defaults.leakySlope
    @Option(help: "adam, rmsprop or sgd (default: by objective).") var optimizer: TrainingSpecification.OptimizerKind?
    @Option(help: "Learning rate of both networks (default: by objective).") var learningRate: Float?
    @Option(help: "Adam β₁, or SGD momentum (default: by objective).") var beta1: Float?
    @Option(help: "Adam β₂ (default: by objective).") var beta2: Float?
    @Option(help: "Discriminator updates per generator update (default: by objective).") var discriminatorSteps: Int?
    @Option(help: "λ of the gradient penalty (default: 10 for wgan-gp and wgan-lp, else 0).") var gradientPenaltyWeight: Float?
    @Option(help: "Clip discriminator weights to [-c, c] after each update (default: 0.01 for wgan, else 0 = off).") var clip: Float?
    @Option(help: "Write a checkpoint every N steps (and at the end).") var checkpointEvery: Int = Self.defaults.checkpointEvery
    @Option(help: "Record metrics every N steps (and at the last step).") var metricsEvery: Int = Self.defaults.metricsEvery
    @Option(help: "BLAS threads of this process.") var threads: Int = Self.defaults.threads
    @Option(help: "Per-layer gradient norm below which a layer counts as vanishing.") var vanishingThreshold: Double = Self.defaults.vanishingThreshold
    @Option(help: "Per-layer gradient norm above which a layer counts as exploding.") var explodingThreshold: Double = Self.defaults.explodingThreshold
    @Option(help: "Consecutive recorded steps out of range before a vanishing or exploding warning.") var healthWindow: Int = Self.defaults.healthWindow
    @Option(help: "Evaluate the checkpoints at multiples of N steps (and the last) while training, like `ganpipe eval`.") var evalEvery: Int?
    @Option(help: "Stop updating the generator after N steps; later steps train only the discriminator and measure the generator's gradients.") var freezeGeneratorAfter: Int?
    @Flag(help: "Print the result as one JSON object on standard output.") var json = false

    func specification() -> TrainingSpecification {
        var specification = TrainingSpecification(dataset: dataset, objective: objective, steps: steps, seed: seed, architecture: architecture)
        specification.batchSize = batchSize
        if let noiseDimension { specification.noiseDimension = noiseDimension }
        specification.channels = channels
        specification.generatorNormalization = generatorNormalization
        specification.discriminatorNormalization = discriminatorNormalization
        specification.generatorLayers = generatorLayers
        specification.discriminatorLayers = discriminatorLayers
        if conditional { specification.conditional = true }
        specification.classEmbedding = classEmbedding
        specification.generatorDepth = generatorDepth
        specification.generatorWidth = generatorWidth
        if let discriminatorDepth { specification.discriminatorDepth = discriminatorDepth }
        specification.discriminatorWidth = discriminatorWidth
        specification.activation = activation
        specification.leakySlope = leakySlope
        if let optimizer { specification.optimizer = optimizer }
        if let learningRate { specification.learningRate = learningRate }
        if let beta1 { specification.beta1 = beta1 }
        if let beta2 { specification.beta2 = beta2 }
        if let discriminatorSteps { specification.discriminatorSteps = discriminatorSteps }
        if let gradientPenaltyWeight { specification.gradientPenaltyWeight = gradientPenaltyWeight }
        if let clip { specification.clip = clip }
        specification.checkpointEvery = checkpointEvery
        specification.metricsEvery = metricsEvery
        specification.threads = threads
        specification.vanishingThreshold = vanishingThreshold
        specification.explodingThreshold = explodingThreshold
        specification.healthWindow = healthWindow
        specification.generatorFrozenAfter = freezeGeneratorAfter
        return specification
    }

    func run() throws {
        let specification = specification()
        let problems = specification.problems()
        guard problems.isEmpty else { throw CommandError(Self.message(problems)) }
        if let name, let problem = RunStore.nameProblem(name) { throw StoreError.invalidRunName(name, problem: problem) }
        let opened = try database.openForWriting()
        let runName = name ?? Self.freeName(base: "\(objective.rawValue)-\(dataset)-seed\(seed)", in: RunStore(opened))
        let reporter = TrainingReporter(json: json)
        var hooks = reporter.hooks()
        if let hook = try EvalCommand.trainingHook(every: evalEvery, checkpointEvery: checkpointEvery, dataset: dataset, database: opened) {
            hooks.checkpointCommitted = hook
        }
        let result = try TrainerStage(opened).train(name: runName, specification: specification, hooks: hooks)
        try reporter.finish(result)
    }
}

extension TrainCommand {
    /// `base`, or the first of `base-2`, `base-3`, … that names no run, said on standard error.
    static func freeName(base: String, in store: RunStore) -> String {
        var candidate = base, suffix = 1
        while (try? store.find(candidate)) != nil {
            suffix += 1
            candidate = "\(base)-\(suffix)"
        }
        if suffix > 1 {
            FileHandle.standardError.write(Data("ganpipe: note: a run named \(base) exists; this run is \(candidate) (pass --name to choose)\n".utf8))
        }
        return candidate
    }
}

extension TrainingSpecification.OptimizerKind: ExpressibleByArgument {}

/// `ganpipe resume RUN`: continue a run from its last complete checkpoint.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue an interrupted or failed run from its last complete checkpoint, bit for bit.",
        discussion: "Metric rows and events past the checkpoint are removed first, in one transaction. Exit codes as for `ganpipe train`.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("The run's name or id.", valueName: "run")) var reference: String
    @Option(help: "Train to this many generator steps in all (extends a completed run).") var steps: Int?
    @Option(help: "Evaluate the checkpoints at multiples of N steps (and the last) while training, like `ganpipe eval`.") var evalEvery: Int?
    @Flag(help: "Print the result as one JSON object on standard output.") var json = false

    func run() throws {
        let opened = try database.openForWriting()
        let reporter = TrainingReporter(json: json)
        var hooks = reporter.hooks()
        if let hook = try EvalCommand.resumeHook(every: evalEvery, run: reference, database: opened) { hooks.checkpointCommitted = hook }
        let result = try TrainerStage(opened).resume(reference, steps: steps, hooks: hooks)
        try reporter.finish(result)
    }
}
