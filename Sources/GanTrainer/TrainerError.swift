/// Why training could not start or continue; each message names the problem and the fix.
public enum TrainerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Named by configuration keys (`batch_size must be …`): the CLI and pipeline files check
    /// first and name them in their own terms.
    case invalidSpecification([TrainingSpecification.Problem])
    case insufficientMemory(String)
    case datasetUnusable(String)
    /// The architecture cannot be built for the dataset's samples.
    case networkDoesNotFit(String)
    case checkpointMismatch(String)
    case runCompleted(name: String, steps: Int)
    case cannotHonour(name: String, reason: String)

    public var description: String {
        switch self {
        case .invalidSpecification(let problems):
            return problems.map(\.description).joined(separator: "; ")
        case .insufficientMemory(let reason):
            return reason
        case .datasetUnusable(let reason), .networkDoesNotFit(let reason):
            return reason
        case .checkpointMismatch(let reason):
            return "the checkpoint does not fit this run: \(reason); it was not loaded"
        case .runCompleted(let name, let steps):
            return "run '\(name)' already completed its \(steps) steps; pass --steps N with N > \(steps) to train it further"
        case .cannotHonour(let name, let reason):
            return "run '\(name)' cannot be continued: \(reason)"
        }
    }
}
