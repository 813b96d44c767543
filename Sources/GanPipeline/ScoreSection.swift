import Foundation
import GanEvaluator

/// Reads the `score:` section: anomaly scores of trained runs, computed after training and
/// kept in `anomaly_scores` (`ganpipe score --store`); a rerun skips what is stored.
///
///     score:
///       - runs: "anomaly/*"            # shell pattern over this pipeline's runs (default: all)
///         split: test                  # of each run's own dataset: all, train or test (default test)
///         normal_class: subset         # the class of a one-class subset, or a label; omit: no AUROC
///         methods: [discriminator, reconstruction]
///         iterations: 200              # and learning_rate, lambda, seed: the latent search
enum ScoreSection {
    static let keys: Set<String> = ["runs", "split", "normal_class", "methods", "iterations", "learning_rate", "lambda", "seed"]

    static func parse(_ value: YAMLValue) throws -> [ScoreSpecification] {
        try value.sequence().map { entry in
            let fields = try entry.mapping()
            try entry.rejectUnknown(fields, allowed: keys)
            let values = Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            var specification = ScoreSpecification(line: entry.line ?? 0)
            if let runs = values["runs"] { specification.runs = try runs.string() }
            if let split = values["split"] {
                specification.split = try split.string()
                guard ["all", "train", "test"].contains(specification.split) else { throw split.error("must be all, train or test, got \(specification.split)") }
            }
            if let normal = values["normal_class"] {
                if case .text("subset")? = try? normal.setting() {
                    specification.normalClass = .subset
                } else {
                    let label = try normal.integer()
                    guard label >= 0 else { throw normal.error("must be 'subset' or a label ≥ 0, got \(label)") }
                    specification.normalClass = .label(label)
                }
            }
            if let methods = values["methods"] {
                specification.methods = try methods.sequence().map { item in
                    guard let method = AnomalyScorer.Method(rawValue: try item.string()) else {
                        throw item.error("is not a method; use discriminator or reconstruction")
                    }
                    return method
                }
                guard !specification.methods.isEmpty else { throw methods.error("must list at least one method") }
            }
            if let iterations = values["iterations"] { specification.options.iterations = try iterations.integer() }
            if let rate = values["learning_rate"] { specification.options.learningRate = Float(try rate.number()) }
            if let weight = values["lambda"] { specification.options.featureWeight = Float(try weight.number()) }
            if let problem = specification.options.problems.first {
                throw (values[problem.setting.rawValue] ?? entry).error(problem.message)
            }
            if let seed = values["seed"] {
                let value = try seed.integer()
                guard value >= 0 else { throw seed.error("must be ≥ 0, got \(value)") }
                specification.options.seed = UInt64(value)
            }
            return specification
        }
    }
}
