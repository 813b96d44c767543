/// Why an evaluation could not run. Each message names the problem and the fix, on one line;
/// nothing is written to the database when one is thrown.
public enum EvaluatorError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidOption(String)
    case noCheckpoint(run: String)
    case unknownCheckpoints(run: String, missing: [Int], available: [Int])
    case unusableCheckpoint(String)
    case notAGeneratorRun(run: String, objective: String)
    case datasetMissing(run: String)
    case datasetUnusable(String)
    case noHeldOutData(dataset: String)
    /// Stopped by a signal before anything was stored.
    case interrupted

    public var description: String {
        switch self {
        case .invalidOption(let message):
            return message
        case .noCheckpoint(let run):
            return "run '\(run)' has no complete checkpoint to evaluate; train it first (`ganpipe resume \(run)`)"
        case .unknownCheckpoints(let run, let missing, let available):
            let shown = available.count > 12 ? available.prefix(6).map(String.init) + ["…"] + available.suffix(5).map(String.init)
                                             : available.map(String.init)
            return "run '\(run)' has no complete checkpoint at step \(missing.map(String.init).joined(separator: ", ")); "
                + "its checkpoints are at steps \(shown.joined(separator: ", ")) (or pass --checkpoints latest|all)"
        case .unusableCheckpoint(let detail):
            return "the checkpoint cannot be read as a generator: \(detail)"
        case .notAGeneratorRun(let run, let objective):
            return "run '\(run)' is a \(objective), not a GAN run; evaluate the runs listed by `ganpipe runs`"
        case .datasetMissing(let run):
            return "the dataset of run '\(run)' was deleted; its checkpoints cannot be scored against held-out data"
        case .datasetUnusable(let detail):
            return detail
        case .noHeldOutData(let dataset):
            return "dataset '\(dataset)' has no held-out test split (test_count 0) to score against; re-create it with --test-fraction > 0"
        case .interrupted:
            return "interrupted; what was finished is stored, run the same command again to continue"
        }
    }
}
