import Foundation

/// How an evaluation samples; every value is recorded with the rows it produces
/// (`sample_count`, `seed`).
public struct EvaluationOptions: Sendable, Equatable {
    /// Generated samples per checkpoint (also the size of the baseline's real sample).
    public var sampleCount = 2500
    /// The evaluator's own seed: noise, projections and subsets come from it, never from the
    /// run's streams. The same noise is used for every checkpoint of a run (common random
    /// numbers, so a curve over checkpoints shows the generator change, not the draw).
    public var seed: UInt64 = 0
    /// Random directions of the sliced Wasserstein distance.
    public var projectionCount = 256
    /// At most this many held-out real samples are compared against (a seeded subset beyond).
    public var referenceLimit = 10_000

    public static let maximumSampleCount = 100_000

    public init(sampleCount: Int = 2500, seed: UInt64 = 0) {
        self.sampleCount = sampleCount
        self.seed = seed
    }

    public func validate() throws {
        guard sampleCount >= 2 && sampleCount <= Self.maximumSampleCount else {
            throw EvaluatorError.invalidOption("--samples must be between 2 and \(Self.maximumSampleCount) (got \(sampleCount))")
        }
        guard projectionCount >= 1, referenceLimit >= 2 else {
            throw EvaluatorError.invalidOption("projection count and reference limit must be positive")
        }
    }
}

/// Which checkpoints of a run to evaluate: `latest`, `all`, or a list of steps (`0,1000,5000`).
public enum CheckpointSelection: Equatable, Sendable {
    case latest
    case all
    case steps([Int])

    /// Parses the `--checkpoints` argument.
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "latest", "last": self = .latest
        case "all": self = .all
        default:
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let steps = parts.map { Int($0) }
            guard !parts.isEmpty, steps.allSatisfy({ ($0 ?? -1) >= 0 }) else {
                throw EvaluatorError.invalidOption("--checkpoints must be latest, all, or steps separated by commas such as 0,1000,5000 (got '\(text)')")
            }
            var seen = Set<Int>()
            self = .steps(steps.map { $0! }.filter { seen.insert($0).inserted })
        }
    }
}
