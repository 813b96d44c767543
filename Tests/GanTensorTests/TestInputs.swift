import Foundation
import GanTensor

/// Deterministic inputs for the gradient checks, kept away from kinks (0 for relu/abs, clamp
/// bounds, ties for max) by more than the finite-difference stencil's reach (2h).
enum TestInputs {
    /// Uniform in [low, high).
    static func uniform(_ shape: [Int], _ low: Float, _ high: Float, seed: UInt64) -> Tensor {
        var generator = PhiloxGenerator(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, using: &generator)
    }

    /// Magnitudes in [0.2, 1.5) with random signs: at least 0.2 from zero.
    static func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = PhiloxGenerator(seed: seed)
        let values = (0..<Tensor.elementCount(shape)).map { _ -> Float in
            let magnitude = 0.2 + 1.3 * generator.nextUniformFloat()
            return generator.next() & 1 == 0 ? magnitude : -magnitude
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// Distinct values, pairwise at least 0.1 apart, in random order (no ties for max).
    static func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = PhiloxGenerator(seed: seed)
        var values = (0..<Tensor.elementCount(shape)).map { Float($0) * 0.1 - 0.5 }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, generator.nextIndex(below: i + 1))
        }
        return Tensor(shape: shape, scalars: values)
    }
}

/// libm's tanh and pow for expected values, named apart from the Tensor methods.
func libmTanh(_ x: Float) -> Float { Foundation.tanh(x) }
func libmPow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
