import Foundation

/// The classic 2-D toy distributions of the GAN literature, with the parameters of their
/// reference implementations. Each sample is `[2]` float32.
public enum SyntheticKind: String, CaseIterable, Codable, Sendable {
    /// 8 Gaussians, centres 2·(cos θ, sin θ) for θ = k·45°, std 0.02, then everything divided by
    /// 1.414 — WGAN-GP's gan_toy.py (Gulrajani et al., arXiv 1704.00028). Mode chosen uniformly.
    case eightGaussians = "8gaussians"
    /// 25 Gaussians, centres {−4,−2,0,2,4}², std 0.05, divided by 2.828 — gan_toy.py. Every mode
    /// gets the same number of samples (±1), in shuffled order, as the reference's loop does.
    case twentyFiveGaussians = "25gaussians"
    /// scikit-learn's make_swiss_roll(noise=0.25), columns [0, 2], divided by 7.5 — gan_toy.py:
    /// t = 1.5π(1 + 2u), point = (t cos t, t sin t) + 0.25·N(0, I), then / 7.5. No modes.
    case swissroll
    /// 8 modes on the unit circle at θ = k·45°, std 0.01 (the "ring" of the mode-collapse
    /// literature, e.g. Unrolled GAN / VEEGAN / PacGAN setups). Mode chosen uniformly.
    case ring
    /// A 5×5 grid of modes at {−4,−2,0,2,4}², std 0.05, not rescaled (PacGAN's 2D-grid).
    /// Mode chosen uniformly.
    case grid

    /// Mode centres before any division, and the per-axis std before division.
    var rawModes: [[Double]] {
        switch self {
        case .eightGaussians:
            let h = 1 / 2.0.squareRoot()
            return [[1, 0], [-1, 0], [0, 1], [0, -1], [h, h], [h, -h], [-h, h], [-h, -h]].map { $0.map { $0 * 2 } }
        case .twentyFiveGaussians, .grid:
            return (-2...2).flatMap { x in (-2...2).map { y in [2 * Double(x), 2 * Double(y)] } }
        case .ring:
            return (0..<8).map { k in
                let angle = 2 * Double.pi * Double(k) / 8
                return [Foundation.cos(angle), Foundation.sin(angle)]
            }
        case .swissroll:
            return []
        }
    }

    /// The per-axis noise std before division (for swissroll: the sklearn `noise`).
    var rawStd: Double {
        switch self {
        case .eightGaussians: return 0.02
        case .twentyFiveGaussians, .grid: return 0.05
        case .ring: return 0.01
        case .swissroll: return 0.25
        }
    }

    /// What every coordinate is divided by at the end.
    var divisor: Double {
        switch self {
        case .eightGaussians: return 1.414
        case .twentyFiveGaussians: return 2.828
        case .swissroll: return 7.5
        case .ring, .grid: return 1
        }
    }
}

/// Generates a synthetic dataset: `count` samples of `kind` from the loader's own
/// `Xoshiro256StarStar(seed:)`. Same kind, count, seed and test fraction → same bytes.
/// Datasets with modes also store each sample's mode index as its label (uint8), and the mode
/// centres and std (in stored coordinates) in the metadata, so the evaluator can count modes.
public struct SyntheticGenerator: Sendable {
    public var kind: SyntheticKind
    public var count: Int
    public var seed: UInt64
    /// The share of samples held out as the test split (the last rows; samples are i.i.d.).
    public var testFraction: Double

    public static let maximumCount = 50_000_000

    public init(kind: SyntheticKind, count: Int, seed: UInt64, testFraction: Double = 0.1) throws {
        guard count >= 1 && count <= Self.maximumCount else {
            throw LoaderError.invalidArgument("--samples must be between 1 and \(Self.maximumCount), got \(count)")
        }
        guard testFraction >= 0 && testFraction < 1 else {
            throw LoaderError.invalidArgument("--test-fraction must be in [0, 1), got \(testFraction)")
        }
        self.kind = kind
        self.count = count
        self.seed = seed
        self.testFraction = testFraction
    }

    /// The number of held-out samples: ⌊count · testFraction⌉, leaving at least one for training.
    public var testCount: Int {
        min(count - 1, Int((Double(count) * testFraction).rounded()))
    }

    public func generate() -> DatasetContent {
        var random = Xoshiro256StarStar(seed: seed)
        let modes = kind.rawModes
        let std = kind.rawStd
        let divisor = kind.divisor
        var values = [Float](repeating: 0, count: count * 2)
        var modeIndices: [UInt8] = []
        switch kind {
        case .swissroll:
            for i in 0..<count {
                let t = 1.5 * Double.pi * (1 + 2 * random.nextUniform())
                let x = t * Foundation.cos(t) + std * random.nextNormal()
                let y = t * Foundation.sin(t) + std * random.nextNormal()
                values[2 * i] = Float(x / divisor)
                values[2 * i + 1] = Float(y / divisor)
            }
        case .twentyFiveGaussians:
            modeIndices = (0..<count).map { UInt8($0 % modes.count) }
            random.shuffle(&modeIndices)
        case .eightGaussians, .ring, .grid:
            modeIndices = (0..<count).map { _ in UInt8(random.nextIndex(below: modes.count)) }
        }
        if kind != .swissroll {
            for i in 0..<count {
                let centre = modes[Int(modeIndices[i])]
                values[2 * i] = Float((centre[0] + std * random.nextNormal()) / divisor)
                values[2 * i + 1] = Float((centre[1] + std * random.nextNormal()) / divisor)
            }
        }
        var metadata = DatasetMetadata()
        metadata.generator = kind.rawValue
        metadata.sampleShape = [2]
        metadata.split = "generated"
        metadata.parameters = ["std": std, "divisor": divisor, "test_fraction": testFraction]
        metadata.reference = kind == .swissroll ? "sklearn make_swiss_roll(noise=0.25)[:, [0, 2]] / 7.5" : nil
        if !modes.isEmpty {
            metadata.modes = modes.map { $0.map { $0 / divisor } }
            metadata.modeStd = std / divisor
        }
        let labels = modeIndices.isEmpty ? nil
            : NumericArray(elementType: .uint8, shape: [count], bytes: modeIndices)
        return DatasetContent(
            kind: .synthetic, source: kind.rawValue, seed: Int64(bitPattern: seed),
            samples: NumericArray(float32: values, shape: [count, 2]), labels: labels,
            testCount: testCount, metadata: metadata)
    }
}
