import GanTensor
import Testing
import GanTestSupport

/// Finite-difference checks (first and second order) of reductions, layout operations and
/// matmul. Linear operations have zero second derivative on their own, so each is wrapped in
/// a non-linear function (`x·tanh(x)` style) to make the double-backward check meaningful.
struct StructuralGradientTests {
    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let inputs: @Sendable () -> [Tensor]
        let apply: @Sendable ([Tensor]) -> Tensor
    }

    static let cases: [Case] = [
        Case(description: "sum all", inputs: { [TestInputs.uniform([3, 4], -1, 1, seed: 1)] }) {
            ($0[0] * $0[0].tanh()).sum()
        },
        Case(description: "sum axis 1 keepDims", inputs: { [TestInputs.uniform([3, 4], -1, 1, seed: 2)] }) {
            let s = $0[0].sum(alongAxes: [1], keepDims: true)
            return s * s
        },
        Case(description: "sum axes 0,2 of rank 3", inputs: { [TestInputs.uniform([2, 3, 4], -1, 1, seed: 3)] }) {
            ($0[0].sum(alongAxes: [0, 2]) * $0[0].sum(alongAxes: [-1, 0])).tanh()
        },
        Case(description: "mean axis 0", inputs: { [TestInputs.uniform([3, 4], -1, 1, seed: 4)] }) {
            $0[0].mean(alongAxes: [0]).pow(2)
        },
        Case(description: "mean all", inputs: { [TestInputs.uniform([3, 4], -1, 1, seed: 5)] }) {
            ($0[0] * $0[0]).mean() * $0[0].mean()
        },
        Case(description: "max axis 1", inputs: { [TestInputs.distinct([3, 4], seed: 6)] }) {
            $0[0].max(alongAxes: [1], keepDims: true).pow(2) + $0[0].max(alongAxes: [0], keepDims: true).exp()
        },
        Case(description: "max all", inputs: { [TestInputs.distinct([2, 3, 2], seed: 7)] }) {
            $0[0].max() * $0[0].tanh().sum()
        },
        Case(description: "reshape", inputs: { [TestInputs.uniform([3, 4], -1, 1, seed: 8)] }) {
            let r = $0[0].reshaped([2, -1, 3])
            return r * r.tanh()
        },
        Case(description: "transpose", inputs: { [TestInputs.uniform([3, 4], -1, 1, seed: 9)] }) {
            $0[0].transposed() * $0[0].transposed().sigmoid()
        },
        Case(description: "permute rank 3", inputs: { [TestInputs.uniform([2, 3, 4], -1, 1, seed: 10)] }) {
            let p = $0[0].permuted([2, 0, 1])
            return p * p.tanh()
        },
        Case(description: "concat axis 0", inputs: {
            [TestInputs.uniform([2, 3], -1, 1, seed: 11), TestInputs.uniform([1, 3], -1, 1, seed: 12)]
        }) {
            let c = Tensor.concat([$0[0], $0[1]], alongAxis: 0)
            return c * c.tanh()
        },
        Case(description: "concat axis 1", inputs: {
            [TestInputs.uniform([2, 3], -1, 1, seed: 13), TestInputs.uniform([2, 2], -1, 1, seed: 14)]
        }) {
            let c = Tensor.concat([$0[0], $0[1].exp()], alongAxis: -1)
            return c * c
        },
        Case(description: "slice rows", inputs: { [TestInputs.uniform([5, 3], -1, 1, seed: 15)] }) {
            let s = $0[0][rows: 1..<4]
            return s * s.sigmoid()
        },
        Case(description: "slice axis 1", inputs: { [TestInputs.uniform([3, 5], -1, 1, seed: 16)] }) {
            let s = $0[0].slice(alongAxis: 1, 2..<4)
            return s.pow(3)
        },
        Case(description: "pad", inputs: { [TestInputs.uniform([2, 3], -1, 1, seed: 17)] }) {
            let p = $0[0].padded(alongAxis: 1, before: 1, after: 2)
            return p * p.tanh() + p
        },
        Case(description: "broadcast(to:) and summed(toShape:)", inputs: { [TestInputs.uniform([3, 1], -1, 1, seed: 18)] }) {
            let b = $0[0].broadcast(to: [2, 3, 4])
            return (b * b.tanh()).summed(toShape: [3, 1]).pow(2)
        },
    ]

    @Test("first order", arguments: cases)
    func firstOrder(_ testCase: Case) {
        let report = TensorGradientCheck.firstOrder(testCase.inputs(), testCase.apply)
        #expect(report.passed, "\(testCase): \(report)")
    }

    @Test("second order", arguments: cases)
    func secondOrder(_ testCase: Case) {
        let report = TensorGradientCheck.secondOrder(testCase.inputs(), testCase.apply)
        #expect(report.passed, "\(testCase): \(report)")
    }

    /// All four transpose-flag combinations; shapes chosen so op(A)·op(B) is [3, 5] with k = 4.
    @Test("matmul", arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmul(_ flags: (Bool, Bool)) {
        let (ta, tb) = flags
        let a = TestInputs.uniform(ta ? [4, 3] : [3, 4], -1, 1, seed: 20)
        let b = TestInputs.uniform(tb ? [5, 4] : [4, 5], -1, 1, seed: 21)
        let f: ([Tensor]) -> Tensor = { x in
            let c = Tensor.matmul(x[0], x[1], transposeA: ta, transposeB: tb)
            return c * c.tanh()
        }
        let first = TensorGradientCheck.firstOrder([a, b], f)
        #expect(first.passed, "flags \(flags): \(first)")
        let second = TensorGradientCheck.secondOrder([a.copied(), b.copied()], f)
        #expect(second.passed, "flags \(flags): \(second)")
    }

    /// The fused layer `x·Wᵀ + b` (and its rectified form): first and second order, and
    /// bit-identical to the separate ops (K = 700 spans several of BLAS's K-blocks).
    @Test(arguments: [false, true]) func linear(relu: Bool) {
        let x = TestInputs.uniform([3, 4], -1, 1, seed: 24)
        let w = TestInputs.uniform([5, 4], -1, 1, seed: 25)
        let b = TestInputs.uniform([5], -1, 1, seed: 26)
        let f: ([Tensor]) -> Tensor = { v in
            let y = Tensor.linear(v[0], weight: v[1], bias: v[2], relu: relu)
            return y * (y + 0.3).tanh()
        }
        let first = TensorGradientCheck.firstOrder([x, w, b], f)
        #expect(first.passed, "\(first)")
        let second = TensorGradientCheck.secondOrder([x.copied(), w.copied(), b.copied()], f)
        #expect(second.passed, "\(second)")
        let wideX = TestInputs.uniform([64, 700], -1, 1, seed: 27)
        let wideW = TestInputs.uniform([96, 700], -1, 1, seed: 28)
        let wideB = TestInputs.uniform([96], -1, 1, seed: 29)
        let separate = Tensor.matmul(wideX, wideW, transposeB: true) + wideB
        #expect(Tensor.linear(wideX, weight: wideW, bias: wideB, relu: relu).scalars
                == (relu ? separate.relu() : separate).scalars)
    }

    /// Bilinear forms: matmul's second derivative comes only from the cross terms, so it is
    /// checked here without any non-linearity around it.
    @Test func matmulChainSecondOrder() {
        let x = TestInputs.uniform([3, 4], -1, 1, seed: 22)
        let w = TestInputs.uniform([2, 4], -1, 1, seed: 23)
        let report = TensorGradientCheck.secondOrder([x, w]) { v in
            Tensor.matmul(Tensor.matmul(v[0], v[1], transposeB: true), v[1])
        }
        #expect(report.passed, "\(report)")
    }
}
