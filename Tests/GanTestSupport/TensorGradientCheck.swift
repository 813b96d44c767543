import GanTensor

/// Finite-difference checks of first and second derivatives of tensor functions, for any test
/// target (layers, objectives, the gradient penalty).
///
/// A function `f: [Tensor] → Tensor` is checked through the scalar φ(x) = Σₖ wₖ·f(x)ₖ with a
/// fixed random w (so every output element matters). Derivatives are compared with the
/// fourth-order central stencil (−φ(x+2h) + 8φ(x+h) − 8φ(x−h) + φ(x−2h)) / 12h, whose error is
/// O(h⁴) in truncation and about 1.5·δ/h in rounding (δ: rounding of φ, summed in Double from
/// Float outputs). An entry fails when |analytic − numeric| > absoluteTolerance +
/// relativeTolerance·|numeric|.
///
/// Second order (PyTorch's gradgradcheck): with G(x, w) = ∂φ/∂x from
/// `gradients(…, seed: w, createGraph: true)` and a fixed random probe v, the scalar
/// ψ(x, w) = Σᵢ vᵢ·Gᵢ(x, w) is differentiated by the autodiff (double backward) with respect to
/// the inputs **and** to w, and compared with finite differences of ψ computed from first-order
/// gradients alone.
public enum TensorGradientCheck {
    /// Checks ∂φ/∂x for every scalar of every input. Inputs must be leaves; they are made to
    /// require gradients and are restored after each perturbation.
    public static func firstOrder(
        _ inputs: [Tensor], step: Float = 1e-2, absoluteTolerance: Double = 5e-4,
        relativeTolerance: Double = 5e-3, seed: UInt64 = 17, _ f: ([Tensor]) -> Tensor
    ) -> TensorGradientCheckReport {
        for x in inputs { x.requiresGradient = true }
        var generator = PhiloxGenerator(seed: seed)
        let output = f(inputs)
        let weights = Tensor.normal(output.shape, using: &generator)
        let analytic = gradients(of: output, withRespectTo: inputs, seed: weights)
        let phi = { () -> Double in weightedSum(f(inputs), weights) }
        var report = TensorGradientCheckReport(order: 1)
        for (i, x) in inputs.enumerated() {
            let numeric = numericGradient(of: phi, at: x, step: step)
            report.compare(name: "∂/∂input\(i)", analytic: analytic[i], numeric: numeric,
                           absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance)
        }
        return report
    }

    /// Checks the second derivatives: ∂ψ/∂x for every input and ∂ψ/∂w for the seed w.
    public static func secondOrder(
        _ inputs: [Tensor], step: Float = 1e-2, absoluteTolerance: Double = 2e-3,
        relativeTolerance: Double = 1e-2, seed: UInt64 = 29, _ f: ([Tensor]) -> Tensor
    ) -> TensorGradientCheckReport {
        for x in inputs { x.requiresGradient = true }
        var generator = PhiloxGenerator(seed: seed)
        let shape = f(inputs).shape
        let weights = Tensor.normal(shape, using: &generator, requiresGradient: true)
        let probes = inputs.map { Tensor.normal($0.shape, using: &generator) }
        func psi(createGraph: Bool) -> Tensor {
            let first = gradients(of: f(inputs), withRespectTo: inputs, seed: weights, createGraph: createGraph)
            var total = Tensor(0)
            for (g, v) in zip(first, probes) { if let g { total = total + (g * v).sum() } }
            return total
        }
        let targets = inputs + [weights]
        let analytic = gradients(of: psi(createGraph: true), withRespectTo: targets)
        let psiValue = { () -> Double in Double(psi(createGraph: false).scalar) }
        var report = TensorGradientCheckReport(order: 2)
        for (i, x) in targets.enumerated() {
            let numeric = numericGradient(of: psiValue, at: x, step: step)
            let name = i < inputs.count ? "∂²/∂input\(i)" : "∂²/∂seed"
            report.compare(name: name, analytic: analytic[i], numeric: numeric,
                           absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance)
        }
        return report
    }

    /// Fourth-order central differences of `value` with respect to every scalar of `x`.
    public static func numericGradient(of value: () -> Double, at x: Tensor, step: Float) -> [Double] {
        var result = [Double](repeating: 0, count: x.count)
        for j in 0..<x.count {
            let original = x.withUnsafeBufferPointer { $0[j] }
            func at(_ offset: Float) -> Double {
                x.withUnsafeMutableBufferPointer { $0[j] = original + offset }
                return value()
            }
            let (plus1, minus1, plus2, minus2) = (at(step), at(-step), at(2 * step), at(-2 * step))
            x.withUnsafeMutableBufferPointer { $0[j] = original }
            result[j] = (8 * (plus1 - minus1) - (plus2 - minus2)) / (12 * Double(step))
        }
        return result
    }

    /// Σₖ wₖ·yₖ in Double.
    public static func weightedSum(_ y: Tensor, _ w: Tensor) -> Double {
        zip(y.scalars, w.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
}

/// The outcome of a gradient check: the worst entries and a readable failure list.
public struct TensorGradientCheckReport: CustomStringConvertible, Sendable {
    public let order: Int
    public private(set) var checkedCount = 0
    public private(set) var failures: [String] = []
    public private(set) var worstAbsoluteError: Double = 0
    /// Largest |numeric| seen: shows the check compared something non-trivial.
    public private(set) var largestMagnitude: Double = 0

    public init(order: Int) { self.order = order }

    public var passed: Bool { failures.isEmpty && checkedCount > 0 }

    mutating func compare(name: String, analytic: Tensor?, numeric: [Double],
                          absoluteTolerance: Double, relativeTolerance: Double) {
        let values = analytic?.scalars.map(Double.init) ?? [Double](repeating: 0, count: numeric.count)
        guard values.count == numeric.count else {
            failures.append("\(name): analytic gradient has \(values.count) scalars, expected \(numeric.count)")
            return
        }
        for (j, (a, n)) in zip(values, numeric).enumerated() {
            checkedCount += 1
            let error = Swift.abs(a - n)
            worstAbsoluteError = Swift.max(worstAbsoluteError, error.isNaN ? .infinity : error)
            largestMagnitude = Swift.max(largestMagnitude, Swift.abs(n))
            if !(error <= absoluteTolerance + relativeTolerance * Swift.abs(n)) && failures.count < 8 {
                failures.append("\(name)[\(j)]: analytic \(a), numeric \(n)")
            }
        }
    }

    public var description: String {
        "order \(order): \(checkedCount) entries, worst |error| \(worstAbsoluteError), "
            + "largest |numeric| \(largestMagnitude)"
            + (failures.isEmpty ? "" : "; failures: " + failures.joined(separator: "; "))
    }
}
