import Foundation
import GanSchema

/// Gradient norm against depth at one step, and a least-squares line through
/// log₁₀(norm) = a + slope · depth — the quantity of the WGAN-GP paper's Figure 1b
/// (Gulrajani et al., arXiv 1704.00028) made into numbers. Gradients flow from the output
/// (deepest layer) toward the input (depth 1), so the norm changes by a factor
/// `10^(−slope)` per layer on its way to the input: above 1 they explode, below 1 they vanish.
public struct DepthProfile: Codable, Sendable, Equatable {
    public struct Layer: Codable, Sendable, Equatable {
        public var path: String
        public var depth: Int
        /// nil: not finite.
        public var value: Double?
    }

    public var step: Int
    public var layers: [Layer]
    /// log₁₀ change per layer of depth (toward the output); nil with fewer than two usable layers.
    public var slope: Double?
    /// R² of the fit.
    public var fitQuality: Double?
    /// Layers left out of the fit: zero or not finite (log undefined).
    public var excludedLayers: [String]

    /// Factor by which the norm grows per layer on the way to the input.
    public var growthTowardInput: Double? { slope.map { pow(10, -$0) } }

    /// Orders of magnitude gained from the deepest layer to the first (negative: lost).
    public var ordersTowardInput: Double? {
        guard let slope, let first = layers.first?.depth, let last = layers.last?.depth else { return nil }
        return -slope * Double(last - first)
    }

    public init(step: Int, layers: [Layer]) {
        self.step = step
        self.layers = layers.sorted { $0.depth < $1.depth }
        let usable = self.layers.compactMap { layer -> (Double, Double)? in
            guard let value = layer.value, value > 0, value.isFinite else { return nil }
            return (Double(layer.depth), log10(value))
        }
        excludedLayers = self.layers.filter { !($0.value.map { $0 > 0 && $0.isFinite } ?? false) }.map(\.path)
        guard usable.count >= 2 else { slope = nil; fitQuality = nil; return }
        let n = Double(usable.count)
        let meanX = usable.map(\.0).reduce(0, +) / n, meanY = usable.map(\.1).reduce(0, +) / n
        let sxx = usable.reduce(0) { $0 + ($1.0 - meanX) * ($1.0 - meanX) }
        let sxy = usable.reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
        let syy = usable.reduce(0) { $0 + ($1.1 - meanY) * ($1.1 - meanY) }
        slope = sxx > 0 ? sxy / sxx : nil
        fitQuality = (sxx > 0 && syy > 0) ? (sxy * sxy) / (sxx * syy) : (syy == 0 ? 1 : nil)
    }

    /// "grow ×3.2 per layer toward the input (5.1 orders of magnitude over 12 layers)".
    public var summary: String {
        guard let growth = growthTowardInput, let orders = ordersTowardInput else {
            return "too few usable layers for a fit"
        }
        let direction = orders >= 0 ? "grow" : "shrink"
        let factor = orders >= 0 ? growth : 1 / growth
        return "\(direction) \u{d7}\(SVG.number(factor)) per layer toward the input (\(SVG.number(abs(orders))) orders of magnitude over \(layers.count) layers)"
    }

    /// The activation-gradient profiles of the discriminator at the recorded steps nearest
    /// `targets`.
    static func activationProfiles(_ data: RunData, near targets: [Int]) throws -> [DepthProfile] {
        let layers = data.layerSeries(.activationGradient, network: "discriminator")
        guard let first = layers.first else { return [] }
        let steps = try data.recordedSteps(of: first.layer.key, near: targets)
        return try steps.map { step in
            let values = try data.values(prefix: MetricKey.activationGradientNorm(""), at: step)
            return DepthProfile(step: step, layers: layers.map { entry in
                Layer(path: entry.layer.path, depth: entry.layer.depth, value: values[entry.layer.key] ?? nil)
            })
        }
    }

    /// Weight-gradient norms of `network` against depth at the recorded step nearest `target`.
    static func weightProfile(_ data: RunData, network: String, near target: Int) throws -> DepthProfile? {
        let layers = data.layerSeries(.parameterGradient, network: network).filter { $0.layer.parameter == "weight" }
        guard let first = layers.first, let step = try data.recordedSteps(of: first.layer.key, near: [target]).first else { return nil }
        let values = try data.values(prefix: MetricKey.gradientNorm(network, ""), at: step)
        return DepthProfile(step: step, layers: layers.map { entry in
            Layer(path: entry.layer.path, depth: entry.layer.depth, value: values[entry.layer.key] ?? nil)
        })
    }

    /// A handful of steps across the run: the first recorded, quarters, the last.
    static func chosenSteps(_ data: RunData, count: Int = 5) -> [Int] {
        let first = data.series.values.compactMap(\.firstStep).min() ?? 1
        let last = data.series.values.compactMap(\.lastStep).max() ?? first
        guard last > first else { return [first] }
        return (0..<count).map { first + Int((Double(last - first) * Double($0) / Double(count - 1)).rounded()) }
    }
}
