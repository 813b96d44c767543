import GanTensor
import Testing
import GanTestSupport

/// How the autodiff behaves, beyond individual rules: fan-out, accumulation, broadcasting,
/// the no-grad scope, absent gradients, graph lifetime, and that the checker itself can fail.
struct AutodiffBehaviourTests {
    @Test func fanOutAccumulates() {
        // y = x·x + 3x  ⇒  dy/dx = 2x + 3: x is used three times.
        let x = Tensor([0.5, -1.0, 2.0], requiresGradient: true)
        let y = (x * x + x * 3).sum()
        let g = gradients(of: y, withRespectTo: [x])[0]!
        #expect(g.scalars == [4, 1, 7])
    }

    @Test func backwardAccumulatesIntoLeavesAcrossCalls() {
        let w = Tensor([1, 2], requiresGradient: true)
        (w * w).sum().backward()
        #expect(w.gradient?.scalars == [2, 4])
        (w * 3).sum().backward()
        #expect(w.gradient?.scalars == [5, 7])
        w.zeroGradient()
        #expect(w.gradient == nil)
    }

    @Test func broadcastGradientsReduceToInputShape() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGradient: true)
        let bias = Tensor(shape: [1, 3], scalars: [0, 0, 0], requiresGradient: true)
        let column = Tensor(shape: [2, 1], scalars: [1, 2], requiresGradient: true)
        let scalar = Tensor(2, requiresGradient: true)
        let y = ((x + bias) * column * scalar).sum()
        let g = gradients(of: y, withRespectTo: [x, bias, column, scalar])
        #expect(g[0]!.shape == [2, 3] && g[0]!.scalars == [2, 2, 2, 4, 4, 4])
        #expect(g[1]!.shape == [1, 3])
        #expect(g[1]!.scalars == [6, 6, 6])
        #expect(g[2]!.shape == [2, 1] && g[2]!.scalars == [12, 30])
        #expect(g[3]!.shape == [])
        #expect(g[3]!.scalars == [36])
    }

    @Test func inputsThatDoNotRequireGradientsGetNil() {
        let x = Tensor([1, 2, 3], requiresGradient: true)
        let constant = Tensor([4, 5, 6])
        let unrelated = Tensor([1], requiresGradient: true)
        let g = gradients(of: (x * constant).sum(), withRespectTo: [x, constant, unrelated])
        #expect(g[0]?.scalars == [4, 5, 6])
        #expect(g[1] == nil)
        #expect(g[2] == nil)
        (x * constant).sum().backward()
        #expect(constant.gradient == nil)
        #expect(x.gradient?.scalars == [4, 5, 6])
    }

    @Test func everyInputOfAWideConcatGetsItsGradient() {
        // 70 inputs: a rule learns which ones need a gradient from bits for the first 64 and
        // a list for the rest. Every third input is a constant; input i is scaled by i + 1.
        let inputs = (0..<70).map { i in Tensor([Float(i), 1], requiresGradient: i % 3 != 0) }
        let weights = Tensor(shape: [140], scalars: (0..<70).flatMap { i in [Float(i + 1), Float(i + 1)] })
        let y = (Tensor.concat(inputs, alongAxis: 0) * weights).sum()
        let g = gradients(of: y, withRespectTo: inputs)
        for (i, gradient) in g.enumerated() {
            if i % 3 == 0 {
                #expect(gradient == nil, "input \(i) is a constant")
            } else {
                #expect(gradient?.scalars == [Float(i + 1), Float(i + 1)], "input \(i)")
            }
        }
    }

    @Test func noGradScopeRecordsNothing() {
        let x = Tensor([1, 2], requiresGradient: true)
        let y = GradientMode.withGradientsDisabled { (x * x).exp().sum() }
        #expect(!y.requiresGradient && y.isLeaf)
        #expect(GradientMode.isEnabled)
        let z = (x * x).sum()
        #expect(z.requiresGradient && !z.isLeaf)
        let detached = z.detached()
        #expect(!detached.requiresGradient && detached.isLeaf && detached.scalar == z.scalar)
        #expect(gradients(of: (detached * x).sum(), withRespectTo: [x])[0]?.scalars == [5, 5])
    }

    @Test func noGradScopeIsPerTask() async {
        await GradientMode.withGradientsDisabled {
            let other = Task.detached { GradientMode.isEnabled }
            #expect(await other.value)
            #expect(!GradientMode.isEnabled)
        }
    }

    @Test func firstOrderGradientsWithoutCreateGraphAreConstants() {
        let x = Tensor([0.3, -0.7], requiresGradient: true)
        let y = (x.tanh() * x).sum()
        let plain = gradients(of: y, withRespectTo: [x])[0]!
        #expect(plain.isLeaf && !plain.requiresGradient)
        let differentiable = gradients(of: y, withRespectTo: [x], createGraph: true)[0]!
        #expect(differentiable.requiresGradient)
        // d²/dx² (x·tanh x) = 2(1 − t²) − 2x·t(1 − t²)
        let second = gradients(of: differentiable.sum(), withRespectTo: [x])[0]!
        for (value, xv) in zip(second.scalars, [Float(0.3), -0.7]) {
            let t = libmTanh(xv)
            #expect(Swift.abs(value - (2 * (1 - t * t) - 2 * xv * t * (1 - t * t))) < 1e-5)
        }
    }

    @Test func gradientWithRespectToIntermediate() {
        let x = Tensor([1, 2], requiresGradient: true)
        let h = x * 3
        let y = (h * h).sum()
        let g = gradients(of: y, withRespectTo: [h, x])
        #expect(g[0]?.scalars == [6, 12])
        #expect(g[1]?.scalars == [18, 36])
    }

    @Test func graphIsFreedWhenTheLossIsReleased() {
        weak var intermediate: Tensor?
        weak var penaltyGradient: Tensor?
        let w = Tensor([0.5, -0.25], requiresGradient: true)
        do {
            let x = Tensor([1, 2], requiresGradient: true)
            let h = (x * w).tanh()
            intermediate = h
            let g = gradients(of: h.sum(), withRespectTo: [x], createGraph: true)[0]!
            penaltyGradient = g
            ((g * g).sum() + h.sum()).backward()
            #expect(intermediate != nil)
        }
        #expect(intermediate == nil)
        #expect(penaltyGradient == nil)
        #expect(w.gradient != nil)
    }

    @Test func storedGradientsDoNotAlias() {
        // The gradients of a and b are both the seed itself (add passes ḡ through); backward()
        // must store copies so an in-place optimizer update of one cannot change the other.
        let a = Tensor([1, 2], requiresGradient: true)
        let b = Tensor([3, 4], requiresGradient: true)
        (a + b).backward(seed: Tensor([1, 1]))
        a.gradient!.scale(by: 10)
        #expect(b.gradient?.scalars == [1, 1])
    }

    @Test func checkerDetectsAWrongGradient() {
        // x · stopGradient(x) has true derivative 2x but autodiff (correctly for that graph)
        // gives x: finite differences must flag it, proving the checks can fail.
        let x = TestInputs.uniform([2, 3], 0.5, 1.5, seed: 40)
        let first = TensorGradientCheck.firstOrder([x]) { $0[0] * $0[0].detached() }
        #expect(!first.passed)
        let second = TensorGradientCheck.secondOrder([x.copied()]) { ($0[0] * $0[0].detached()).exp() }
        #expect(!second.passed)
    }

    @Test func deepChainDoesNotOverflowTheStack() {
        let x = Tensor([1], requiresGradient: true)
        var y = x
        for _ in 0..<20_000 { y = y * 1.0001 }
        let g = gradients(of: y.sum(), withRespectTo: [x])[0]!
        #expect(Swift.abs(g.scalar - Float(libmPow(1.0001, 20_000))) < 1e-2)
    }
}
