import Foundation
import GanSchema
import GanNN
import GanStore
import GanTensor

/// Everything an evaluation compares generated samples with, built once per dataset and
/// evaluator seed and reused for every checkpoint: the held-out real samples (at most
/// `referenceLimit`, a seeded subset beyond), their sorted projections and mean within
/// distance, the mode centres, the classifier with the held-out features' moments, and the
/// baseline — real training samples, as many as generated, scored like a generator.
final class DatasetReference {
    let dataset: DatasetRecord
    let features: Int
    let heldOut: SampleSet
    let baselineSamples: SampleSet
    let modes: [[Double]]?
    let modeStandardDeviation: Double?
    let slicer: SlicedWasserstein
    let heldOutProjections: [[Float]]
    let heldOutWithinDistance: Double?
    let classifier: DatasetClassifier?
    let heldOutMoments: GaussianMoments?
    let heldOutLabelHistogram: [Int]?
    let options: EvaluationOptions
    /// Whether the classifier was trained while building this reference.
    let trainedClassifier: Bool
    private(set) lazy var baseline: [MetricValue] = score(baselineSamples)

    /// A computed metric: its name, value (nil when it cannot be computed) and sample count.
    struct MetricValue {
        var metric: String
        var value: Double?
        var sampleCount: Int
    }

    /// Reads `dataset` and prepares every comparison; trains and stores the classifier of a
    /// labelled image dataset the first time.
    init(dataset: DatasetRecord, database: GanDatabase, options: EvaluationOptions,
         progress: (Double, String) -> Void) throws {
        self.dataset = dataset
        self.options = options
        let store = DatasetStore(database)
        guard let samplesArray = try store.array("samples", of: dataset), let total = samplesArray.shape.first,
              total == dataset.sampleCount, dataset.trainCount + dataset.testCount == total else {
            throw EvaluatorError.datasetUnusable("dataset '\(dataset.name)' has no samples array matching its sample_count; re-create it")
        }
        guard dataset.testCount > 0 else { throw EvaluatorError.noHeldOutData(dataset: dataset.name) }
        let features = samplesArray.shape.dropFirst().reduce(1, *)
        self.features = features
        let all = SampleSet(values: try samplesArray.floats(), count: total, features: features)
        guard all.isFinite else {
            throw EvaluatorError.datasetUnusable("dataset '\(dataset.name)' holds non-finite values; re-import it after cleaning")
        }
        let base = PhiloxGenerator(seed: options.seed ^ EvaluatorStage.seedKey)
        var heldOutStream = base.stream(EvaluatorStage.Stream.heldOutSubset.rawValue)
        let heldOutIndices = SampleSet.subsetIndices(count: dataset.testCount, choosing: options.referenceLimit, using: &heldOutStream)
            .map { $0 + dataset.trainCount }
        heldOut = all.rows(heldOutIndices)
        var baselineStream = base.stream(EvaluatorStage.Stream.baselineSubset.rawValue)
        baselineSamples = all.rows(SampleSet.subsetIndices(count: dataset.trainCount, choosing: options.sampleCount, using: &baselineStream))
        var projectionStream = base.stream(EvaluatorStage.Stream.projections.rawValue)
        slicer = SlicedWasserstein(features: features, projectionCount: options.projectionCount, using: &projectionStream)
        heldOutProjections = slicer.sortedProjections(heldOut)
        heldOutWithinDistance = EnergyDistance.meanWithinDistance(heldOut)

        let metadata = Self.modes(from: dataset.metadataJson)
        if let metadata {
            guard metadata.modes.allSatisfy({ $0.count == features }), metadata.std > 0 else {
                throw EvaluatorError.datasetUnusable("dataset '\(dataset.name)' has mode centres that do not have \(features) coordinates or a std ≤ 0 in metadata_json")
            }
        }
        modes = metadata?.modes
        modeStandardDeviation = metadata?.std

        // Labelled data without known modes and with more than 2 features: an image dataset.
        var classifier: DatasetClassifier? = nil
        var trained = false
        if metadata == nil, features > 2, let labelArray = try store.array("labels", of: dataset) {
            let labels = try labelArray.floats().map { Int($0.rounded()) }
            guard labels.count == total, let maximum = labels.max(), let minimum = labels.min(), minimum >= 0, maximum < 1000 else {
                throw EvaluatorError.datasetUnusable("dataset '\(dataset.name)' has labels that are not class numbers 0…999 for every sample")
            }
            let classes = maximum + 1
            if classes >= 2 {
                classifier = try DatasetClassifier.load(for: dataset, database: database)
                if classifier == nil {
                    let trainIndices = Array(0..<dataset.trainCount), testIndices = Array(dataset.trainCount..<total)
                    classifier = try DatasetClassifier.train(
                        for: dataset, sampleShape: try store.sampleShape(of: dataset), train: all.rows(trainIndices), trainLabels: trainIndices.map { labels[$0] },
                        test: all.rows(testIndices), testLabels: testIndices.map { labels[$0] }, classes: classes,
                        database: database, progress: progress)
                    trained = true
                }
                guard classifier!.network.inputCount == features, classifier!.network.outputCount == classes else {
                    throw EvaluatorError.datasetUnusable("the stored classifier of '\(dataset.name)' does not fit its \(features) features and \(classes) classes; delete run \(DatasetClassifier.runName(for: dataset))")
                }
                var histogram = [Int](repeating: 0, count: classes)
                for index in heldOutIndices { histogram[labels[index]] += 1 }
                heldOutLabelHistogram = histogram
                heldOutMoments = GaussianMoments(classifier!.network.applyWithFeatures(heldOut).penultimate)
            } else {
                heldOutLabelHistogram = nil
                heldOutMoments = nil
            }
        } else {
            heldOutLabelHistogram = nil
            heldOutMoments = nil
        }
        self.classifier = classifier
        trainedClassifier = trained
    }

    /// Mode centres and std from `metadata_json` (the loader's `modes` and `mode_std` keys).
    static func modes(from json: String) -> (modes: [[Double]], std: Double)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let modes = object["modes"] as? [[Double]], !modes.isEmpty,
              let std = (object["mode_std"] as? Double) ?? (object["mode_std"] as? NSNumber)?.doubleValue else { return nil }
        return (modes, std)
    }

    /// For samples a conditional generator made for `labels` (0..<classes): the percent that
    /// land in their class, over all and per class — by the dataset's classifier, or for data
    /// with known modes (labels are mode indices) high quality and nearest their mode. Nil when
    /// the dataset has neither.
    func classMatch(_ samples: SampleSet, labels: [Int], classes: Int) -> [MetricValue]? {
        let found: [Int?]
        if let modes, let std = modeStandardDeviation {
            found = (0..<samples.count).map { index in
                let one = SampleSet(values: Array(samples.values[(index * features)..<((index + 1) * features)]), count: 1, features: features)
                return ModeCoverage.measure(one, modes: modes, standardDeviation: std).histogram.firstIndex(of: 1)
            }
        } else if let classifier {
            let logits = classifier.network.apply(samples)
            found = (0..<samples.count).map { index in
                let row = logits.values[(index * logits.features)..<((index + 1) * logits.features)]
                return row.allSatisfy(\.isFinite) ? row.indices.max { row[$0] < row[$1] }.map { $0 - index * logits.features } : nil
            }
        } else {
            return nil
        }
        var matched = [Int](repeating: 0, count: classes), total = [Int](repeating: 0, count: classes)
        for (label, class_) in zip(labels, found) {
            total[label] += 1
            if class_ == label { matched[label] += 1 }
        }
        let percent = { (m: Int, n: Int) in n == 0 ? nil : 100 * Double(m) / Double(n) }
        return [MetricValue(metric: EvaluationMetric.classMatchPercent, value: percent(matched.reduce(0, +), labels.count), sampleCount: labels.count)]
            + (0..<classes).map { MetricValue(metric: EvaluationMetric.classMatchPercent(ofClass: $0), value: percent(matched[$0], total[$0]), sampleCount: total[$0]) }
    }

    /// Every metric of `samples` against this reference, in display order.
    func score(_ samples: SampleSet) -> [MetricValue] {
        precondition(samples.features == features, "DatasetReference: \(samples.features) features, expected \(features)")
        let n = samples.count
        var result: [MetricValue] = []
        func add(_ metric: String, _ value: Double?, count: Int = n) { result.append(MetricValue(metric: metric, value: value, sampleCount: count)) }
        let finite = samples.isFinite
        if let modes, let std = modeStandardDeviation {
            let coverage = ModeCoverage.measure(samples, modes: modes, standardDeviation: std)
            add(EvaluationMetric.modesCovered, Double(coverage.modesCovered))
            add(EvaluationMetric.modesTotal, Double(coverage.modeCount))
            add(EvaluationMetric.highQualityPercent, coverage.highQualityPercent)
            add(EvaluationMetric.modeReverseKL, coverage.reverseKL)
        }
        if let classifier, let heldOutMoments, let heldOutLabelHistogram {
            if finite {
                let (logits, penultimate) = classifier.network.applyWithFeatures(samples)
                let classes = ClassifierScore.measure(SoftmaxCrossEntropy.probabilities(logits), referenceHistogram: heldOutLabelHistogram)
                add(EvaluationMetric.frechetDistance, n >= 2 ? FrechetDistance.distance(GaussianMoments(penultimate), heldOutMoments) : nil)
                add(EvaluationMetric.classifierScore, classes.score)
                add(EvaluationMetric.classesCovered, Double(classes.classesCovered))
                add(EvaluationMetric.classReverseKL, classes.classReverseKL)
            } else {
                for name in [EvaluationMetric.frechetDistance, EvaluationMetric.classifierScore, EvaluationMetric.classesCovered, EvaluationMetric.classReverseKL] {
                    add(name, nil)
                }
            }
        }
        if finite {
            add(EvaluationMetric.slicedWasserstein, SlicedWasserstein.distance(slicer.sortedProjections(samples), heldOutProjections))
            var energy: Double? = nil
            if let within = EnergyDistance.meanWithinDistance(samples), let cross = EnergyDistance.meanDistance(samples, heldOut),
               let reference = heldOutWithinDistance {
                energy = EnergyDistance.combine(cross: cross, withinA: within, withinB: reference)
            }
            add(EvaluationMetric.energyDistance, energy)
            add(EvaluationMetric.nonFinitePercent, 0)
        } else {
            add(EvaluationMetric.slicedWasserstein, nil)
            add(EvaluationMetric.energyDistance, nil)
            let bad = stride(from: 0, to: samples.values.count, by: samples.features).filter { start in
                samples.values[start..<(start + samples.features)].contains { !$0.isFinite }
            }.count
            add(EvaluationMetric.nonFinitePercent, 100 * Double(bad) / Double(Swift.max(n, 1)))
        }
        return result
    }
}
