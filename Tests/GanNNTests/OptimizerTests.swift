import Foundation
import GanNN
import GanTensor
import Testing

/// Each optimizer's update checked against values computed by hand (in Double) from the
/// formulas PyTorch documents.
@Suite struct OptimizerTests {
    let path = "layers.0.weight"

    func run(_ optimizer: any Optimizer, start: [Float], gradients: [[Float]]) -> [Float] {
        let parameter = Tensor(shape: [start.count], scalars: start, requiresGradient: true)
        for gradient in gradients {
            optimizer.step([(path, parameter)], gradients: [Tensor(shape: [gradient.count], scalars: gradient)])
        }
        return parameter.scalars
    }

    func expectClose(_ actual: [Float], _ expected: [Double], relative: Double = 2e-6,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            #expect(abs(Double(a) - e) <= relative * max(1, abs(e)), "\(a) vs \(e)", sourceLocation: sourceLocation)
        }
    }

    @Test func adamMatchesHandComputedSteps() {
        let (lr, b1, b2, eps) = (0.1, 0.5, 0.9, 1e-8)
        let start: [Double] = [1.0, -2.0]
        let grads: [[Double]] = [[0.5, -1.0], [0.25, 3.0], [-1.0, 0.0]]
        var p = start, m = [0.0, 0.0], v = [0.0, 0.0]
        for (t, g) in grads.enumerated() {
            let step = Double(t + 1)
            for i in 0..<2 {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                let mHat = m[i] / (1 - pow(b1, step)), vHat = v[i] / (1 - pow(b2, step))
                p[i] -= lr * mHat / (vHat.squareRoot() + eps)
            }
        }
        let adam = Adam(learningRate: 0.1, beta1: 0.5, beta2: 0.9)
        expectClose(run(adam, start: start.map(Float.init), gradients: grads.map { $0.map(Float.init) }), p)
        // First step of Adam moves every coordinate by lr·sign(g).
        let first = run(Adam(learningRate: 0.1, beta1: 0.5, beta2: 0.9), start: [1, -2], gradients: [[0.5, -1]])
        expectClose(first, [0.9, -1.9])
    }

    /// The vectorized Adam kernel (C) gives the same bits as the plain Swift Float formula,
    /// over vector bodies and tails.
    @Test(arguments: [37, 1037]) func adamKernelMatchesTheScalarFormulaBitForBit(count: Int) {
        var generator = PhiloxGenerator(seed: 11)
        let start = Tensor.normal([count], using: &generator)
        let parameter = start.copied()
        let adam = Adam(learningRate: 1e-3, beta1: 0.5, beta2: 0.9)
        var p = start.scalars, m = [Float](repeating: 0, count: count), v = m
        for step in 1...5 {
            let gradient = Tensor.normal([count], using: &generator)
            adam.step([("w", parameter)], gradients: [gradient])
            let stepSize = Float(Double(Float(1e-3)) / (1 - pow(0.5, Double(step))))
            let root = Float((1 - pow(Double(Float(0.9)), Double(step))).squareRoot())
            for (i, g) in gradient.scalars.enumerated() {
                m[i] = 0.5 * m[i] + (1 - 0.5) * g
                v[i] = 0.9 * v[i] + (1 - 0.9) * (g * g)
                p[i] -= stepSize * (m[i] / (v[i].squareRoot() / root + 1e-8))
            }
        }
        #expect(parameter.scalars == p)
    }

    /// The vectorized RMSprop kernel (C) gives the same bits as the plain Swift Float formula.
    @Test func rmspropKernelMatchesTheScalarFormulaBitForBit() {
        var generator = PhiloxGenerator(seed: 12)
        let count = 1037
        let parameter = Tensor.normal([count], using: &generator)
        var p = parameter.scalars, v = [Float](repeating: 0, count: count)
        let rmsprop = RMSprop(learningRate: 5e-5)
        for _ in 1...5 {
            let gradient = Tensor.normal([count], using: &generator)
            rmsprop.step([("w", parameter)], gradients: [gradient])
            for (i, g) in gradient.scalars.enumerated() {
                v[i] = 0.99 * v[i] + (1 - 0.99) * (g * g)
                p[i] -= 5e-5 * (g / (v[i].squareRoot() + 1e-8))
            }
        }
        #expect(parameter.scalars == p)
    }

    @Test func rmspropMatchesHandComputedSteps() {
        let (lr, alpha, eps) = (0.01, 0.99, 1e-8)
        var p: [Double] = [0.5, 0.25], v = [0.0, 0.0]
        let grads: [[Double]] = [[1.0, -0.5], [2.0, 0.5]]
        for g in grads {
            for i in 0..<2 {
                v[i] = alpha * v[i] + (1 - alpha) * g[i] * g[i]
                p[i] -= lr * g[i] / (v[i].squareRoot() + eps)
            }
        }
        expectClose(run(RMSprop(learningRate: 0.01), start: [0.5, 0.25], gradients: grads.map { $0.map(Float.init) }), p)
    }

    @Test func sgdWithAndWithoutMomentum() {
        expectClose(run(SGD(learningRate: 0.5), start: [1, 2], gradients: [[1, -1], [2, 2]]), [1 - 0.5 - 1, 2 + 0.5 - 1])
        // b1 = g1 = [1, -1]; b2 = 0.9·b1 + g2 = [2.9, 1.1].
        expectClose(run(SGD(learningRate: 0.5, momentum: 0.9), start: [1, 2], gradients: [[1, -1], [2, 2]]),
                    [1 - 0.5 * 1 - 0.5 * 2.9, 2 + 0.5 - 0.5 * 1.1])
    }

    @Test func aMissingGradientLeavesTheParameterAlone() {
        let parameter = Tensor(shape: [2], scalars: [1, 2], requiresGradient: true)
        Adam().step([("a", parameter)], gradients: [nil])
        #expect(parameter.scalars == [1, 2])
    }

    /// Export after k steps, import into a fresh optimizer: the next steps are bit-identical.
    @Test(arguments: ["adam", "rmsprop", "sgd"])
    func exportedStateRestoresExactly(kind: String) throws {
        func make() -> any Optimizer {
            switch kind {
            case "adam": return Adam(learningRate: 1e-2, beta1: 0.5, beta2: 0.9)
            case "rmsprop": return RMSprop(learningRate: 1e-2)
            default: return SGD(learningRate: 1e-2, momentum: 0.9)
            }
        }
        var generator = PhiloxGenerator(seed: 3)
        let gradients = (0..<6).map { _ in Tensor.normal([5], using: &generator) }
        let straight = Tensor.normal([5], using: &generator)
        let resumed = straight.copied()
        let first = make()
        for g in gradients { first.step([("w", straight)], gradients: [g]) }

        let before = make()
        for g in gradients.prefix(3) { before.step([("w", resumed)], gradients: [g]) }
        let state = before.exportState()
        let encoded = try JSONEncoder().encode(state)
        let after = make()
        try after.importState(try JSONDecoder().decode(OptimizerState.self, from: encoded))
        for g in gradients.suffix(3) { after.step([("w", resumed)], gradients: [g]) }
        #expect(straight.scalars == resumed.scalars)
        #expect(after.exportState() == first.exportState())
        #expect(throws: OptimizerStateError.self) {
            try (kind == "adam" ? SGD() as any Optimizer : Adam()).importState(state)
        }
    }
}
