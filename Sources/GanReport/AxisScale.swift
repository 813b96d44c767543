import Foundation

/// Maps data values to pixels along one axis, linearly or in log₁₀, and picks readable tick
/// marks (1-2-5 steps on a linear axis, powers of ten on a log axis).
public struct AxisScale {
    public enum Kind: Sendable { case linear, logarithmic }

    var kind: Kind
    /// The data range shown (for a log axis: positive values, not their logarithms).
    var lower: Double
    var upper: Double
    var pixelLower: Double
    var pixelUpper: Double

    /// A scale covering `values` (non-finite ones and, on a log axis, non-positive ones
    /// ignored), padded a little and widened when every value is the same.
    init(kind: Kind, covering values: [Double], pixels: (Double, Double), padding: Double = 0.05) {
        self.kind = kind
        pixelLower = pixels.0
        pixelUpper = pixels.1
        let usable = values.filter { $0.isFinite && (kind == .linear || $0 > 0) }
        var low = usable.min() ?? (kind == .linear ? 0 : 1)
        var high = usable.max() ?? (kind == .linear ? 1 : 10)
        switch kind {
        case .linear:
            if high - low < 1e-12 * max(1, abs(high)) {
                let half = abs(high) > 0 ? abs(high) * 0.1 : 1
                low -= half; high += half
            }
            let pad = (high - low) * padding
            lower = low - pad
            upper = high + pad
        case .logarithmic:
            var a = log10(low), b = log10(high)
            if b - a < 0.3 { a -= 0.5; b += 0.5 }
            lower = pow(10, a.rounded(.down))
            upper = pow(10, b.rounded(.up))
        }
    }

    public init(kind: Kind, lower: Double, upper: Double, pixels: (Double, Double)) {
        self.kind = kind
        self.lower = lower
        self.upper = upper
        pixelLower = pixels.0
        pixelUpper = pixels.1
    }

    /// The pixel of `value`; nil when it cannot be placed (non-finite, or ≤ 0 on a log axis).
    func position(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        let fraction: Double
        switch kind {
        case .linear:
            fraction = (value - lower) / (upper - lower)
        case .logarithmic:
            guard value > 0 else { return nil }
            fraction = (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
        return pixelLower + fraction * (pixelUpper - pixelLower)
    }

    /// The pixel of `value`, held inside the axis.
    func clampedPosition(_ value: Double) -> Double? {
        guard let pixel = position(value) else { return nil }
        return min(max(pixel, min(pixelLower, pixelUpper)), max(pixelLower, pixelUpper))
    }

    /// Tick values with their labels (SVG text content, already escaped).
    /// With `integers`, only whole numbers are ticked (steps, layer depths: never 1.5).
    public func ticks(target: Int = 6, integers: Bool = false) -> [(value: Double, label: String)] {
        switch kind {
        case .linear:
            let raw = max((upper - lower) / Double(max(1, target)), integers ? 1 : 0)
            let magnitude = pow(10, floor(log10(raw)))
            let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }
                .first { $0 >= raw && (!integers || $0 == $0.rounded()) } ?? 10 * magnitude
            var value = (lower / step).rounded(.up) * step
            var ticks: [(Double, String)] = []
            while value <= upper + step * 1e-9 {
                let clean = abs(value) < step * 1e-9 ? 0 : value
                ticks.append((clean, Self.format(clean, step: step)))
                value += step
            }
            return ticks
        case .logarithmic:
            let a = Int(log10(lower).rounded()), b = Int(log10(upper).rounded())
            let every = max(1, Int((Double(b - a) / Double(target)).rounded(.up)))
            return stride(from: a, through: b, by: every).map { (pow(10, Double($0)), Self.powerOfTen($0)) }
        }
    }

    /// `10⁻⁷` as SVG: a base and a raised exponent.
    static func powerOfTen(_ exponent: Int) -> String {
        if exponent == 0 { return "1" }
        if exponent == 1 { return "10" }
        let sign = exponent < 0 ? "\u{2212}" : ""
        return "10<tspan dy=\"-5\" font-size=\"8\">\(sign)\(abs(exponent))</tspan>"
    }

    /// A tick label with as many decimals as the step needs (2.5 needs one, 0.25 two), so
    /// neighbouring ticks never read alike; scientific, with as many significant digits as the
    /// step needs, beyond 1e5 or when the step needs more than 4 decimals.
    static func format(_ value: Double, step: Double) -> String {
        if value == 0 { return "0" }
        let decimals = decimals(of: step)
        if abs(value) >= 1e5 || decimals > 4 {
            let exponent = Int(floor(log10(abs(value)) + 1e-12))
            let stepExponent = Int(floor(log10(abs(step)) + 1e-9))
            let mantissaDecimals = Self.decimals(of: abs(step) / pow(10, Double(stepExponent)))
            let significant = max(1, min(15, exponent - stepExponent + 1 + mantissaDecimals))
            var text = String(format: "%.\(significant - 1)e", value)
            for (long, short) in [("e+0", "e"), ("e-0", "e-"), ("e+", "e")] { text = text.replacingOccurrences(of: long, with: short) }
            return SVG.minus(text)
        }
        return SVG.minus(String(format: "%.\(decimals)f", value))
    }

    /// The decimals that write `step` exactly (2.5 → 1, 0.25 → 2, 20 → 0), at most 15.
    static func decimals(of step: Double) -> Int {
        for decimals in 0..<15 {
            let scaled = abs(step) * pow(10, Double(decimals))
            if scaled.rounded() >= 1, abs(scaled - scaled.rounded()) <= 1e-6 * scaled { return decimals }
        }
        return 15
    }
}
