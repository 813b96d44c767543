import Foundation
import GanEvaluator
import GanTrainer

/// A decoded pipeline file: the datasets to make, the training settings shared by every run,
/// the matrix whose every combination is one run, the evaluation cadence and the gates.
/// The format is documented in pipelines/README.md.
public struct PipelineSpecification: Sendable, Equatable {
    /// Used in run names: `NAME/DATASET/OBJECTIVE/key=value…`.
    public var name: String
    public var file: String
    public var datasets: [DatasetSpecification]
    /// Training settings (keys of `runs.config_json`) applied to every run, before the matrix.
    public var train: [String: Setting]
    /// One or more products: each is a list of axes in file order, each axis's values one
    /// dimension of that product. The runs are the union of the products' combinations.
    public var matrix: [[(key: String, values: [Setting])]]
    public var evaluation: EvaluationSpecification
    public var gates: [GateSpecification]
    /// How many times a failed run is tried again before the pipeline gives up on it.
    public var retries: Int
    /// Where `ganpipe run` writes a report per run and a comparison (nil: none).
    public var reportsFolder: String?
    /// Data-augmentation experiments, run after training.
    public var augmentations: [AugmentationSpecification] = []
    /// Anomaly scores of trained runs, computed after training.
    public var scores: [ScoreSpecification] = []
    /// The line of each `train.KEY` and `matrix.KEY`, for messages about their values.
    public var lines: [String: Int] = [:]

    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.file == b.file && a.datasets == b.datasets && a.train == b.train
            && a.matrix.map { $0.map(\.key) } == b.matrix.map { $0.map(\.key) }
            && a.matrix.map { $0.map(\.values) } == b.matrix.map { $0.map(\.values) }
            && a.evaluation == b.evaluation && a.gates == b.gates && a.retries == b.retries && a.reportsFolder == b.reportsFolder
            && a.augmentations == b.augmentations && a.scores == b.scores
    }
}

/// One scalar value from the file, with its line for error messages.
public enum Setting: Sendable, Equatable, Hashable, CustomStringConvertible {
    case integer(Int)
    case number(Double)
    case text(String)
    case flag(Bool)

    public var description: String {
        switch self {
        case .integer(let value): return String(value)
        case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
        case .text(let value): return value
        case .flag(let value): return String(value)
        }
    }

    /// The value as JSON, for merging into a training configuration.
    var json: Any {
        switch self {
        case .integer(let value): return value
        case .number(let value): return value
        case .text(let value): return value
        case .flag(let value): return value
        }
    }
}

/// A dataset the loader makes before any run starts.
public struct DatasetSpecification: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// A synthetic generator (`8gaussians`, …) with sample count and seed.
        case generate(kind: String, samples: Int, seed: UInt64, testFraction: Double)
        /// A file to import, with the importer's options.
        case importFile(path: String, labels: String?, labelsColumn: String?, sampleShape: [Int]?, scale: Double?,
                        testFraction: Double?, format: String?, test: String? = nil, testLabels: String? = nil, labelNames: [String]? = nil)
        /// Some classes of a dataset defined above it (or stored; nil: every class): the training
        /// split filtered, to `perClass` samples of each class chosen by `seed` when given, the
        /// test split whole unless `wholeTestSplit` is false (`ganpipe data subset`).
        case subset(of: String, classes: [Int]?, perClass: Int?, seed: UInt64, wholeTestSplit: Bool)
    }

    public var name: String
    public var source: Source
    public var line: Int
}

/// A data-augmentation experiment (`augment:`): a classifier trained on `dataset`'s training
/// split without and with `perClass` samples per class of the conditional run `generator`.
public struct AugmentationSpecification: Sendable, Equatable {
    public var dataset: String
    public var generator: String
    public var perClass: Int
    public var seeds: [UInt64]
    /// nil: the generator's latest checkpoint.
    public var checkpoint: Int?
    public var line: Int
}

/// Anomaly scores of some of the pipeline's runs (`score:`), each on its own dataset's `split`.
public struct ScoreSpecification: Sendable, Equatable {
    public enum NormalClass: Sendable, Equatable {
        /// The one class of the run's dataset, a subset (`data subset --classes K`).
        case subset
        case label(Int)
    }

    /// A shell pattern over the runs' names.
    public var runs = "*"
    public var split = "test"
    public var normalClass: NormalClass?
    public var methods: [AnomalyScorer.Method] = [.discriminator, .reconstruction]
    public var options = AnomalyScorer.Options()
    public var line: Int

    public static func == (a: Self, b: Self) -> Bool {
        (a.runs, a.split, a.normalClass, a.methods, a.line) == (b.runs, b.split, b.normalClass, b.methods, b.line)
            && (a.options.iterations, a.options.learningRate, a.options.featureWeight, a.options.seed)
            == (b.options.iterations, b.options.learningRate, b.options.featureWeight, b.options.seed)
    }
}

/// When and how checkpoints are evaluated.
public struct EvaluationSpecification: Sendable, Equatable {
    /// Evaluate checkpoints at multiples of this step (and the last); nil: the last only.
    public var every: Int?
    public var samples: Int = 2500
    public var seed: UInt64 = 0
    /// False turns the evaluator stage off.
    public var enabled: Bool = true

    public init(every: Int? = nil, samples: Int = 2500, seed: UInt64 = 0, enabled: Bool = true) {
        self.every = every
        self.samples = samples
        self.seed = seed
        self.enabled = enabled
    }
}

/// A condition the pipeline's results must meet, e.g. "wgan-gp on 8gaussians covers ≥ 8 modes
/// at the last checkpoint".
public struct GateSpecification: Sendable, Equatable {
    public enum Source: String, Sendable, Equatable {
        /// A value in `evaluations` (by metric name) at the last evaluated checkpoint.
        case evaluation
        /// A value in `metrics` (by key) at the last recorded step.
        case metric
    }

    public var name: String
    /// Matrix values a run must have for the gate to apply (`objective: wgan-gp`); empty: all.
    public var filter: [String: Setting]
    public var source: Source
    public var key: String
    public var minimum: Double?
    public var maximum: Double?
    public var line: Int
}
