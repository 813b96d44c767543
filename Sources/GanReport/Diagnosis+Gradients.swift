import Foundation
import GanSchema

extension Diagnosis {
    /// Per parameter tensor: how often its gradient norm was below the vanishing threshold or
    /// above the exploding one (the run's own `--vanishing-threshold`/`--exploding-threshold`),
    /// over which steps, and the trainer's vanishing/exploding events.
    mutating func examineLayers(_ data: RunData, clipped: ClippedWeights?) throws {
        let (low, high) = (vanishingThreshold, explodingThreshold)
        let model = try data.model()
        for network in ["discriminator", "generator"] {
            var vanishing: [(String, Int, Int, Double)] = [], exploding: [(String, Int, Int, Double)] = []
            var silentBiases: [String] = []
            let entries = data.layerSeries(.parameterGradient, network: network)
            // Biases whose gradient is 0 by construction (`NetworkDescription.zeroGradientBiases`):
            // not vanishing. A checkpoint without a description: a Wasserstein critic's output
            // bias, found by position.
            let shiftInvariant = network == "discriminator" && Objective(rawValue: data.run.objective)?.isWasserstein == true
            let zeros = model?.network(network)?.zeroGradientBiases(shiftInvariantLoss: shiftInvariant)
                ?? (shiftInvariant ? entries.map(\.layer.moduleIndex).max().map { ["layers.\($0).bias": .outputShift] } ?? [:] : [:])
            for (layer, series) in entries {
                let zero = zeros[layer.path]
                if zero == nil, layer.parameter == "bias", series.points.allSatisfy({ $0.maximum == 0 }) { silentBiases.append(layer.path) }
                let means = series.points.compactMap(\.mean)
                let sorted = means.sorted()
                let below = zero == nil ? series.points.filter { ($0.mean ?? .nan) < low } : []
                let above = zero == nil ? series.points.filter { ($0.mean ?? -.infinity) > high } : []
                let total = Double(max(1, series.points.count))
                var verdict = "healthy"
                switch zero {
                case .batchNormFollows?: verdict = "zero by construction (batch norm follows)"
                case .outputShift?: verdict = "zero by construction"
                case nil:
                    if series.nonFiniteCount > 0 { verdict = "non-finite" }
                    else if Double(above.count) / total >= 0.1 { verdict = "exploding" }
                    else if Double(below.count) / total >= 0.1 { verdict = "vanishing" }
                    else if !above.isEmpty || !below.isEmpty { verdict = "briefly out of range" }
                }
                layers.append(LayerSummary(
                    network: network, layer: layer.path, depth: layer.depth,
                    median: sorted.isEmpty ? nil : sorted[sorted.count / 2], minimum: series.points.compactMap(\.minimum).min(),
                    maximum: series.points.compactMap(\.maximum).max(), last: series.lastValue,
                    vanishingShare: Double(below.count) / total, explodingShare: Double(above.count) / total,
                    nonFiniteCount: series.nonFiniteCount, clippedShare: network == "discriminator" ? clipped?.shares[layer.path] : nil,
                    verdict: verdict))
                if let first = below.first, let last = below.last, Double(below.count) / total >= 0.1, !silentBiases.contains(layer.path) {
                    vanishing.append((layer.path, first.firstStep, last.lastStep, below.compactMap(\.mean).min() ?? 0))
                }
                if let first = above.first, let last = above.last, Double(above.count) / total >= 0.1 {
                    exploding.append((layer.path, first.firstStep, last.lastStep, above.compactMap(\.mean).max() ?? .infinity))
                }
            }
            if !silentBiases.isEmpty {
                add(.info, "silent_bias", network: network, layers: silentBiases,
                    "the bias gradients of \(Self.list(silentBiases)) are exactly 0 at every recorded step: the units after them respond identically to real and generated samples (dead or saturated units), so their biases never learn")
            }
            // The trainer of earlier versions also warned about the tensor that is zero by construction.
            let structural = layers.filter { $0.network == network && $0.verdict.hasPrefix("zero by construction") }
                .map { "\(MetricKey.gradientNormPrefix)\(network)/\($0.layer) " }
            let events = data.events.filter { event in
                ["vanishing", "exploding"].contains(event.kind) && event.message.contains("/\(network)/")
                    && !structural.contains { event.message.hasPrefix($0) }
            }
            for (kind, found, threshold, word) in [("vanishing", vanishing, low, "below"), ("exploding", exploding, high, "above")] {
                let kindEvents = events.filter { $0.kind == kind }
                guard !found.isEmpty || !kindEvents.isEmpty else { continue }
                if found.isEmpty {
                    let steps = kindEvents.compactMap(\.step)
                    add(.warning, kind, network: network, layers: [], steps: steps.min().map { ($0, steps.max()!) },
                        "\(kindEvents.count) \(kind) episode\(kindEvents.count == 1 ? "" : "s") reported by the trainer (first: \(kindEvents[0].message)), too short to dominate the run")
                    continue
                }
                let first = found.map(\.1).min()!, last = found.map(\.2).max()!
                let extreme = kind == "vanishing" ? found.map(\.3).min()! : found.map(\.3).max()!
                let weights = found.filter { $0.0.hasSuffix(".weight") }
                add(weights.isEmpty ? .warning : .problem, kind, network: network, layers: found.map(\.0), steps: (first, last),
                    "\(network) gradient norms \(word) \(SVG.number(threshold)) in \(found.count) tensor\(found.count == 1 ? "" : "s") (\(Self.list(found.map(\.0)))) between steps \(first) and \(last), reaching \(SVG.number(extreme))" +
                    (kindEvents.isEmpty ? "" : "; the trainer reported \(kindEvents.count) episode\(kindEvents.count == 1 ? "" : "s")"))
            }
        }
    }

    /// Growth of the gradient across depth: the discriminator's activation gradients at a few
    /// steps (Figure 1b), and each network's weight gradients at the last step. Two or more
    /// orders of magnitude across the network is a problem; one to two, a warning.
    mutating func examineDepth(_ data: RunData) throws {
        activationProfiles = try DepthProfile.activationProfiles(data, near: DepthProfile.chosenSteps(data, count: 3))
        let last = data.series.values.compactMap(\.lastStep).max() ?? 0
        for network in ["discriminator", "generator"] {
            if let profile = try DepthProfile.weightProfile(data, network: network, near: last) { weightProfiles[network] = profile }
        }
        // Judge the latest profile (the trained critic, as in Figure 1b); at initialisation a
        // deep ReLU network's gradients shrink toward the input whatever the objective.
        let fitted = activationProfiles.filter { $0.ordersTowardInput != nil && $0.layers.count >= 3 }
        if let latest = fitted.last {
            let orders = latest.ordersTowardInput!
            let kind = orders > 0 ? "exploding" : "vanishing"
            let severity: Severity = abs(orders) >= 2 ? .problem : (abs(orders) >= 1 ? .warning : .info)
            let history = fitted.map { "step \($0.step): \(SVG.number($0.ordersTowardInput!))" }.joined(separator: ", ")
            let sameDirection = fitted.filter { abs($0.ordersTowardInput!) >= 1 && ($0.ordersTowardInput! > 0) == (orders > 0) }.map(\.step)
            let lead = severity == .info
                ? "discriminator activation gradients stay within one order of magnitude across depth"
                : "discriminator activation gradients are \(kind) across depth (\(orders > 0 ? "growing" : "shrinking") toward the input)"
            add(severity, severity == .info ? "depth_profile" : kind, network: "discriminator",
                layers: severity == .info ? [] : latest.layers.map(\.path),
                steps: severity == .info ? nil : (sameDirection.min() ?? latest.step, latest.step),
                "\(lead): at step \(latest.step) they \(latest.summary), fit R\u{b2} \(SVG.number(latest.fitQuality ?? 0)); orders of magnitude gained toward the input by step: \(history)" +
                (latest.excludedLayers.isEmpty ? "" : "; \(latest.excludedLayers.count) layer(s) had a zero or non-finite norm and were left out of the fit"))
        }
        if let profile = weightProfiles["generator"], profile.layers.count >= 3, let orders = profile.ordersTowardInput, abs(orders) >= 3 {
            add(.warning, orders > 0 ? "exploding" : "vanishing", network: "generator", layers: profile.layers.map(\.path),
                steps: (profile.step, profile.step),
                "generator weight gradients \(profile.summary) at step \(profile.step)")
        }
    }

    /// `a, b, c and 4 more`.
    static func list(_ items: [String], limit: Int = 4) -> String {
        items.count <= limit ? items.joined(separator: ", ") : items.prefix(limit).joined(separator: ", ") + " and \(items.count - limit) more"
    }
}
