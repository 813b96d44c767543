import GanTensor
import Testing
import GanTestSupport

/// The WGAN-GP penalty gradient (Gulrajani et al., arXiv 1704.00028): for a three-layer MLP
/// discriminator D, ∂/∂θ of P(θ) = mean((‖∇ₓD(x̂)‖₂ − 1)²) by double backward must match finite
/// differences of P itself.
struct GradientPenaltyTests {
    enum Activation: String, CaseIterable, Sendable {
        case relu, leakyRelu, tanh

        func apply(_ x: Tensor) -> Tensor {
            switch self {
            case .relu: x.relu()
            case .leakyRelu: x.leakyRelu(slope: 0.2)
            case .tanh: x.tanh()
            }
        }
    }

    /// Parameters of `[batch, 2] → [batch, 6] → [batch, 6] → [batch, 1]`, PyTorch layout
    /// (weight `[out, in]`, bias `[out]`).
    static func parameters(seed: UInt64) -> [Tensor] {
        var generator = PhiloxGenerator(seed: seed)
        return [[6, 2], [6], [6, 6], [6], [1, 6], [1]].map { shape in
            Tensor.normal(shape, standardDeviation: 0.7, using: &generator)
        }
    }

    /// Pre-activations of the two hidden layers, then the score `[batch, 1]`.
    static func forward(_ x: Tensor, _ p: [Tensor], _ activation: Activation) -> (hidden: [Tensor], score: Tensor) {
        let z1 = Tensor.matmul(x, p[0], transposeB: true) + p[1]
        let z2 = Tensor.matmul(activation.apply(z1), p[2], transposeB: true) + p[3]
        let score = Tensor.matmul(activation.apply(z2), p[4], transposeB: true) + p[5]
        return ([z1, z2], score)
    }

    static func penalty(_ interpolates: Tensor, _ p: [Tensor], _ activation: Activation) -> Tensor {
        let score = forward(interpolates, p, activation).score
        let inputGradient = gradients(of: score.sum(), withRespectTo: [interpolates], createGraph: true)[0]!
        let norm = inputGradient.l2Norm(alongAxes: [1])
        return (norm - 1).squared().mean()
    }

    /// For piecewise-linear activations, the first seed whose pre-activations all stay at least
    /// `margin` from the kink, so the stencil (reach 2h·max|input| ≪ margin) never crosses it.
    static func setUp(_ activation: Activation, margin: Float) -> (Tensor, [Tensor]) {
        for seed in UInt64(1)...500 {
            var generator = PhiloxGenerator(seed: seed, stream: 9)
            let interpolates = Tensor.uniform([3, 2], low: -1, high: 1, using: &generator)
            let p = parameters(seed: seed)
            if activation == .tanh { return (interpolates, p) }
            let hidden = GradientMode.withGradientsDisabled { forward(interpolates, p, activation).hidden }
            if hidden.allSatisfy({ $0.scalars.allSatisfy { Swift.abs($0) > margin } }) {
                return (interpolates, p)
            }
        }
        Issue.record("no seed with pre-activations away from the kink")
        return (Tensor.zeros([3, 2]), parameters(seed: 1))
    }

    @Test("penalty gradient matches finite differences", arguments: Activation.allCases)
    func penaltyGradient(_ activation: Activation) {
        let piecewiseLinear = activation != .tanh
        let (interpolates, p) = Self.setUp(activation, margin: 0.05)
        interpolates.requiresGradient = true
        let report = TensorGradientCheck.firstOrder(
            p, step: piecewiseLinear ? 2e-3 : 1e-2, absoluteTolerance: 1e-3, relativeTolerance: 5e-3
        ) { parameters in
            Self.penalty(interpolates, parameters, activation)
        }
        #expect(report.passed, "\(activation): \(report)")
        #expect(report.largestMagnitude > 0.05, "\(activation): penalty gradient is trivially small: \(report)")
    }

    /// The full discriminator loss of a WGAN-GP step, through `backward()`: the penalty's
    /// gradient is added into `.gradient` of every parameter together with the score terms.
    @Test func backwardThroughPenaltyMatchesGradients() {
        let (interpolates, p) = Self.setUp(.tanh, margin: 0)
        for t in p { t.requiresGradient = true }
        interpolates.requiresGradient = true
        let loss = Self.forward(interpolates, p, .tanh).score.mean() + 10 * Self.penalty(interpolates, p, .tanh)
        let expected = gradients(of: loss, withRespectTo: p)
        loss.backward()
        for (t, g) in zip(p, expected) {
            #expect(t.gradient?.scalars == g?.scalars)
        }
        #expect(interpolates.gradient != nil)
    }
}
