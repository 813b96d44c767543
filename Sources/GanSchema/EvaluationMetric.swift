/// The names of `evaluations.metric` (what the evaluator measures at a checkpoint; the trainer's
/// per-step values are `MetricKey`, in `metrics.key`): stable strings, defined once, documented
/// for SQL users in migrations/README.md. `baseline/NAME` is NAME computed for real training samples
/// scored as if generated (same count, same seed): the value a perfect generator would get.
public enum EvaluationMetric {
    // Datasets with known modes (ModeCoverage).
    public static let modesCovered = "modes_covered"
    public static let modesTotal = "modes_total"
    public static let highQualityPercent = "high_quality_percent"
    public static let modeReverseKL = "mode_reverse_kl"
    // Every dataset.
    public static let slicedWasserstein = "sliced_wasserstein"
    public static let energyDistance = "energy_distance"
    public static let nonFinitePercent = "non_finite_percent"
    /// The number of held-out real samples the distances compare against (also its sample_count).
    public static let referenceCount = "reference_count"
    // Labelled image datasets (the dataset's classifier).
    public static let frechetDistance = "frechet_distance"
    public static let classifierScore = "classifier_score"
    public static let classesCovered = "classes_covered"
    public static let classReverseKL = "class_reverse_kl"
    // Class-conditional runs: the share (percent) of samples generated for class K that land in
    // class K — by the dataset's classifier, or for data with known modes, high quality and
    // nearest mode K — over all classes, and per class (`class_match/K`).
    public static let classMatchPercent = "class_match_percent"
    public static func classMatchPercent(ofClass label: Int) -> String { "\(classMatchPercent)/\(label)" }
    // Rows of a classifier pseudo-run.
    public static let classifierTestAccuracy = "classifier/test_accuracy"
    public static let classifierTrainAccuracy = "classifier/train_accuracy"
    public static let classifierTestLoss = "classifier/test_loss"

    public static func baseline(_ name: String) -> String { "baseline/\(name)" }

    /// Column order for people: the headline metrics first.
    public static let displayOrder = [
        modesCovered, modesTotal, highQualityPercent, modeReverseKL,
        frechetDistance, classifierScore, classesCovered, classReverseKL, classMatchPercent,
        slicedWasserstein, energyDistance, nonFinitePercent,
    ]
}
