import Foundation
import GanSchema
import GanStore
import GanTensor

/// Samples G(z) of a checkpoint's generator for a seed: z standard normal from the seed's own
/// Philox stream (the same z, and so the same samples, for the same seed), the generator in
/// inference mode (running statistics, stored spectral-norm vectors).
public struct GeneratorSampler {
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    public struct Draw {
        public var run: String
        public var step: Int
        public var noise: SampleSet
        public var samples: SampleSet
        /// The class of each sample, for a class-conditional generator.
        public var labels: [Int]?
        /// One sample's shape from the dataset's metadata (`[28, 28]`), if recorded.
        public var sampleShape: [Int]?
    }

    /// At most this many values are drawn at once (samples × features).
    public static let valueLimit = 1 << 28

    /// `count` samples from the checkpoint at `step` (default: the latest complete one). A
    /// class-conditional generator makes them all of class `label`, or class-balanced without
    /// (sample i of class i mod classes); an unconditional one takes no label.
    public func draw(run reference: String, step: Int?, count: Int, seed: UInt64, label: Int? = nil) throws -> Draw {
        try draw(run: reference, step: step, count: count, label: label) { generator in
            var stream = PhiloxGenerator(seed: seed).stream(0)
            return Tensor.normal([count, generator.inputCount], using: &stream)
        }
    }

    /// A latent interpolation: `count` points from z of seed `from` to z of seed `to` (each the
    /// first z that `draw` makes for that seed) along the great circle between them (slerp,
    /// which keeps the points at the norm a Gaussian z has; a straight line would pass through
    /// unlikely short z), and the generator's samples of them. The first and last samples are
    /// those `draw` gives for the two seeds.
    public func interpolate(run reference: String, step: Int?, from: UInt64, to: UInt64, count: Int, label: Int? = nil) throws -> Draw {
        guard count >= 2 else { throw EvaluatorError.invalidOption("--count must be at least 2 for an interpolation (got \(count))") }
        // A conditional generator keeps one class along the path (class 0 unless given), so the
        // ends are the first samples `draw` gives for the two seeds.
        return try draw(run: reference, step: step, count: count, label: label, oneClass: true) { generator in
            let ends = [from, to].map { seed -> [Float] in
                var stream = PhiloxGenerator(seed: seed).stream(0)
                return Tensor.normal([1, generator.inputCount], using: &stream).scalars
            }
            let (a, b) = (ends[0].map(Double.init), ends[1].map(Double.init))
            let norm = { (v: [Double]) in v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
            let cosine = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } / max(norm(a) * norm(b), 1e-30)
            let angle = acos(min(max(cosine, -1), 1))
            var values: [Float] = []
            for index in 0..<count {
                let t = Double(index) / Double(count - 1)
                // Nearly parallel ends: slerp's weights tend to the straight line's.
                let (wa, wb) = angle < 1e-6 ? (1 - t, t) : (sin((1 - t) * angle) / sin(angle), sin(t * angle) / sin(angle))
                values += index == 0 ? ends[0] : index == count - 1 ? ends[1] : zip(a, b).map { Float(wa * $0 + wb * $1) }
            }
            return Tensor(shape: [count, generator.inputCount], scalars: values)
        }
    }

    func draw(run reference: String, step: Int?, count: Int, label: Int?, oneClass: Bool = false,
              noise makeNoise: (CheckpointNetwork) throws -> Tensor) throws -> Draw {
        let (run, chosen, blobs) = try CheckpointNetwork.checkpoint(of: reference, step: step, in: database)
        let generator = try CheckpointNetwork(checkpoint: blobs, network: "generator",
                                              activation: { try EvaluatorStage.activation(of: run) })
        guard count >= 1, let total = CheckedSize.product([count, max(generator.outputCount, generator.inputCount)]), total <= Self.valueLimit else {
            throw EvaluatorError.invalidOption("--count must be between 1 and \(Self.valueLimit / max(generator.outputCount, generator.inputCount, 1)) for this generator (got \(count))")
        }
        switch (generator.classes, label) {
        case (nil, .some):
            throw EvaluatorError.invalidOption("run '\(run.name)' is not class-conditional, so it takes no --class; drop it")
        case (let classes?, let label?) where !(0..<classes).contains(label):
            throw EvaluatorError.invalidOption("--class must be a class of run '\(run.name)', 0…\(classes - 1) (got \(label))")
        default: break
        }
        let labels = generator.classes.map { classes in (0..<count).map { label ?? (oneClass ? 0 : $0 % classes) } }
        let noise = SampleSet(try makeNoise(generator))
        let datasets = DatasetStore(database)
        let shape = try run.datasetId.flatMap { try datasets.dataset(id: $0) }.flatMap { try datasets.sampleShape(of: $0) }
        return Draw(run: run.name, step: chosen, noise: noise, samples: generator.apply(noise, labels: labels), labels: labels,
                    sampleShape: shape.flatMap { CheckedSize.product($0) == generator.outputCount ? $0 : nil })
    }
}
