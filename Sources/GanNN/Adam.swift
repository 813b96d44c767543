import Foundation
import GanTensor

/// Adam (Kingma & Ba, arXiv 1412.6980) exactly as PyTorch's `torch.optim.Adam` computes it
/// (no weight decay, no AMSGrad):
///
///     m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
///     p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
///
/// The bias corrections are computed in Double, the elementwise update in Float.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public private(set) var stepCount = 0
    private let buffers = BufferSet()

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public func step(_ parameters: [(path: String, tensor: Tensor)], gradients: [Tensor?]) {
        precondition(parameters.count == gradients.count, "Adam: \(parameters.count) parameters, \(gradients.count) gradients")
        stepCount += 1
        let correction1 = 1 - Foundation.pow(Double(beta1), Double(stepCount))
        let correction2 = 1 - Foundation.pow(Double(beta2), Double(stepCount))
        let stepSize = Float(Double(learningRate) / correction1)
        let rootCorrection2 = Float(correction2.squareRoot())
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        for ((path, parameter), gradient) in zip(parameters, gradients) {
            guard let gradient else { continue }
            precondition(gradient.shape == parameter.shape, "Adam: gradient \(gradient.shape) for \(path) \(parameter.shape)")
            let m = buffers.buffer(path, "m", count: parameter.count).tensor
            let v = buffers.buffer(path, "v", count: parameter.count).tensor
            gradient.withUnsafeBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        parameter.withUnsafeMutableBufferPointer { p in
                            Self.update(p, m, v, g, beta1: b1, beta2: b2, epsilon: eps, stepSize: stepSize,
                                        rootCorrection2: rootCorrection2)
                        }
                    }
                }
            }
        }
    }

    /// The elementwise update, eight lanes at a time (AVX on this target) with a scalar tail.
    /// Lanes do the same IEEE operations in the same order as the scalar loop, so the result
    /// is bit-identical to it.
    @inline(__always)
    static func update(_ p: UnsafeMutableBufferPointer<Float>, _ m: UnsafeMutableBufferPointer<Float>,
                       _ v: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>,
                       beta1 b1: Float, beta2 b2: Float, epsilon eps: Float, stepSize: Float, rootCorrection2: Float) {
        let count = p.count
        guard count > 0 else { return }
        let (pp, mp, vp) = (p.baseAddress!, m.baseAddress!, v.baseAddress!)
        let gp = g.baseAddress!
        var i = 0
        typealias Lanes = SIMD8<Float>
        let (vb1, vb2, vOne1, vOne2) = (Lanes(repeating: b1), Lanes(repeating: b2), Lanes(repeating: 1 - b1), Lanes(repeating: 1 - b2))
        let (vEps, vStep, vRoot) = (Lanes(repeating: eps), Lanes(repeating: stepSize), Lanes(repeating: rootCorrection2))
        while i + 8 <= count {
            let gi = UnsafeRawPointer(gp + i).loadUnaligned(as: Lanes.self)
            let mi = vb1 * UnsafeRawPointer(mp + i).loadUnaligned(as: Lanes.self) + vOne1 * gi
            let vi = vb2 * UnsafeRawPointer(vp + i).loadUnaligned(as: Lanes.self) + vOne2 * (gi * gi)
            UnsafeMutableRawPointer(mp + i).storeBytes(of: mi, as: Lanes.self)
            UnsafeMutableRawPointer(vp + i).storeBytes(of: vi, as: Lanes.self)
            let pi = UnsafeRawPointer(pp + i).loadUnaligned(as: Lanes.self) - vStep * (mi / (vi.squareRoot() / vRoot + vEps))
            UnsafeMutableRawPointer(pp + i).storeBytes(of: pi, as: Lanes.self)
            i += 8
        }
        while i < count {
            let gi = gp[i]
            let mi = b1 * mp[i] + (1 - b1) * gi
            let vi = b2 * vp[i] + (1 - b2) * (gi * gi)
            mp[i] = mi
            vp[i] = vi
            pp[i] -= stepSize * (mi / (vi.squareRoot() / rootCorrection2 + eps))
            i += 1
        }
    }

    public func exportState() -> OptimizerState {
        OptimizerState(kind: "adam", stepCount: stepCount, buffers: buffers.export())
    }

    public func importState(_ state: OptimizerState) throws(OptimizerStateError) {
        guard state.kind == "adam" else { throw .wrongKind(expected: "adam", found: state.kind) }
        stepCount = state.stepCount
        buffers.replace(with: state.buffers)
    }
}
