import Foundation
import GanStore

/// A plain-language verdict on one run, read from the store: where gradients vanished or
/// exploded (which layers, over which steps, how strongly, and how fast they grow or shrink
/// across depth), discriminator saturation, clipped weights piling up at ±c, modes dropped by
/// the generator (as the evaluator saw it), and non-finite values. `healthy` is false when at
/// least one finding is a `problem`.
public struct Diagnosis: Codable, Sendable {
    public enum Severity: String, Codable, Sendable, Comparable {
        case info, warning, problem

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            let order: [Severity] = [.info, .warning, .problem]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    /// One thing found, in a sentence, with the numbers behind it.
    public struct Finding: Codable, Sendable {
        public var severity: Severity
        /// `vanishing`, `exploding`, `depth_profile`, `saturation`, `clipping`, `mode_dropping`,
        /// `non_finite`, `run_status`, `not_evaluated`, `healthy`.
        public var kind: String
        /// `generator`, `discriminator`, or nil for the run as a whole.
        public var network: String?
        public var layers: [String]
        public var firstStep: Int?
        public var lastStep: Int?
        public var message: String
    }

    /// The gradient norm of one parameter tensor over the run.
    public struct LayerSummary: Codable, Sendable {
        public var network: String
        public var layer: String
        public var depth: Int
        public var median: Double?
        public var minimum: Double?
        public var maximum: Double?
        public var last: Double?
        /// Share of recorded buckets below the vanishing / above the exploding threshold.
        public var vanishingShare: Double
        public var explodingShare: Double
        public var nonFiniteCount: Int
        /// Share of the layer's weights at ±c in the last checkpoint (clipped runs).
        public var clippedShare: Double?
        public var verdict: String
    }

    public var run: String
    public var objective: String
    public var status: String
    public var step: Int
    public var healthy: Bool
    public var vanishingThreshold: Double
    public var explodingThreshold: Double
    public var findings: [Finding]
    public var layers: [LayerSummary]
    /// The discriminator's activation-gradient norm against depth at a few steps (Figure 1b).
    public var activationProfiles: [DepthProfile]
    /// Weight-gradient norm against depth at the last recorded step, per network.
    public var weightProfiles: [String: DepthProfile]

    public var problemCount: Int { findings.filter { $0.severity == .problem }.count }

    /// The run's verdict in a line that agrees with every network's: `healthy` only when no
    /// finding is a problem or a warning.
    public var summary: String {
        func kinds(_ severity: Severity) -> String {
            findings.filter { $0.severity == severity }.map { ($0.network.map { "\($0) " } ?? "") + $0.kind.replacingOccurrences(of: "_", with: " ") }
                .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.joined(separator: ", ")
        }
        if problemCount > 0 { return "\(problemCount) problem\(problemCount == 1 ? "" : "s") found (\(kinds(.problem)))" }
        if findings.contains(where: { $0.severity == .warning }) { return "no problem dominates the run; warnings: \(kinds(.warning))" }
        return "healthy"
    }

    /// Diagnoses `data` (loaded with `RunData.load`).
    public static func make(_ data: RunData) throws -> Diagnosis {
        guard data.run.objective != "classifier" else {
            throw ReportError("run \(data.run.name) is a dataset's classifier, not a GAN: it has no generator or discriminator to diagnose; its accuracy is in `ganpipe show \(data.run.name)`")
        }
        let configuration = data.configuration
        var diagnosis = Diagnosis(
            run: data.run.name, objective: data.run.objective, status: data.run.status.rawValue, step: data.run.currentStep,
            healthy: true, vanishingThreshold: configuration.vanishingThreshold, explodingThreshold: configuration.explodingThreshold,
            findings: [], layers: [], activationProfiles: [], weightProfiles: [:])
        let clipped = try ClippedWeights.measure(data)
        try diagnosis.examineLayers(data, clipped: clipped)
        try diagnosis.examineDepth(data)
        diagnosis.examineSaturation(data)
        diagnosis.examineClipping(data, clipped: clipped)
        diagnosis.examineModes(data)
        diagnosis.examineNonFinite(data)
        diagnosis.examineStatus(data)
        diagnosis.healthy = diagnosis.problemCount == 0
        diagnosis.findings.sort { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            return (a.network ?? "~", a.kind, a.message) < (b.network ?? "~", b.kind, b.message)
        }
        return diagnosis
    }

    mutating func add(_ severity: Severity, _ kind: String, network: String? = nil, layers: [String] = [],
                      steps: (Int, Int)? = nil, _ message: String) {
        findings.append(Finding(severity: severity, kind: kind, network: network, layers: layers,
                                firstStep: steps?.0, lastStep: steps?.1, message: message))
    }

    /// The verdict of one network in a sentence.
    public func verdict(for network: String) -> String {
        let own = findings.filter { $0.network == network && $0.severity != .info }
        if own.isEmpty { return "healthy: no layer's gradient left the range \(SVG.number(vanishingThreshold))–\(SVG.number(explodingThreshold)) and no other problem was found" }
        return own.map(\.kind).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            .map { $0.replacingOccurrences(of: "_", with: " ") }.joined(separator: ", ")
    }
}
