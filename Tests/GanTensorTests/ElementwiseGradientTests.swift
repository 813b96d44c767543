import GanTensor
import Testing
import GanTestSupport

/// First- and second-order finite-difference checks of every elementwise primitive.
struct ElementwiseGradientTests {
    struct UnaryCase: Sendable, CustomStringConvertible {
        let description: String
        let low: Float
        let high: Float
        let awayFromZero: Bool
        var fixedInput: [Float]? = nil
        let apply: @Sendable (Tensor) -> Tensor
    }

    static let unaryCases: [UnaryCase] = [
        UnaryCase(description: "negate", low: -2, high: 2, awayFromZero: false) { -$0 },
        UnaryCase(description: "exp", low: -2, high: 1.5, awayFromZero: false) { $0.exp() },
        UnaryCase(description: "log", low: 0.5, high: 3, awayFromZero: false) { $0.log() },
        UnaryCase(description: "sqrt", low: 0.5, high: 3, awayFromZero: false) { $0.sqrt() },
        UnaryCase(description: "pow 3", low: -1.5, high: 1.5, awayFromZero: false) { $0.pow(3) },
        UnaryCase(description: "pow 2", low: -1.5, high: 1.5, awayFromZero: false) { $0.pow(2) },
        UnaryCase(description: "pow -1.5", low: 0.5, high: 2, awayFromZero: false) { $0.pow(-1.5) },
        UnaryCase(description: "pow 0.5", low: 0.5, high: 2, awayFromZero: false) { $0.pow(0.5) },
        UnaryCase(description: "abs", low: 0, high: 0, awayFromZero: true) { $0.abs() },
        UnaryCase(description: "relu", low: 0, high: 0, awayFromZero: true) { $0.relu() },
        UnaryCase(description: "leakyRelu 0.2", low: 0, high: 0, awayFromZero: true) { $0.leakyRelu(slope: 0.2) },
        UnaryCase(description: "tanh", low: -2, high: 2, awayFromZero: false) { $0.tanh() },
        UnaryCase(description: "sigmoid", low: -3, high: 3, awayFromZero: false) { $0.sigmoid() },
        UnaryCase(description: "softplus", low: -3, high: 3, awayFromZero: false) { $0.softplus() },
        UnaryCase(description: "clamp -0.5...0.6", low: 0, high: 0, awayFromZero: false,
                  fixedInput: [-1.2, -0.7, -0.3, -0.1, 0.15, 0.35, 0.55, 0.8, 1.1, -0.45, 0.25, 0.7]) {
            $0.clamped(min: -0.5, max: 0.6)
        },
        UnaryCase(description: "l2Norm rows", low: -2, high: 2, awayFromZero: false) {
            $0.l2Norm(alongAxes: [1], keepDims: true)
        },
        // Composite check: the primitive times a non-linear function, so second derivatives
        // of piecewise-linear primitives (whose own second derivative is 0) are still exercised.
        UnaryCase(description: "relu·tanh", low: 0, high: 0, awayFromZero: true) { $0.relu() * $0.tanh() },
        UnaryCase(description: "leakyRelu·x²", low: 0, high: 0, awayFromZero: true) {
            $0.leakyRelu(slope: 0.1) * $0 * $0
        },
    ]

    static func input(for testCase: UnaryCase, seed: UInt64) -> Tensor {
        if let fixed = testCase.fixedInput { return Tensor(shape: [3, 4], scalars: fixed) }
        return testCase.awayFromZero
            ? TestInputs.awayFromZero([3, 4], seed: seed)
            : TestInputs.uniform([3, 4], testCase.low, testCase.high, seed: seed)
    }

    @Test("first order", arguments: unaryCases)
    func unaryFirstOrder(_ testCase: UnaryCase) {
        let report = TensorGradientCheck.firstOrder([Self.input(for: testCase, seed: 3)]) { testCase.apply($0[0]) }
        #expect(report.passed, "\(testCase): \(report)")
    }

    @Test("second order", arguments: unaryCases)
    func unarySecondOrder(_ testCase: UnaryCase) {
        let report = TensorGradientCheck.secondOrder([Self.input(for: testCase, seed: 4)]) { testCase.apply($0[0]) }
        #expect(report.passed, "\(testCase): \(report)")
    }

    struct BinaryCase: Sendable, CustomStringConvertible {
        let description: String
        let shapes: ([Int], [Int])
        let apply: @Sendable (Tensor, Tensor) -> Tensor
    }

    static let binaryCases: [BinaryCase] = {
        let shapePairs: [([Int], [Int])] = [([3, 4], [3, 4]), ([3, 4], [4]), ([3, 1], [1, 4]), ([2, 3, 4], [3, 1]), ([], [2, 3])]
        var cases: [BinaryCase] = []
        for shapes in shapePairs {
            cases.append(BinaryCase(description: "add \(shapes)", shapes: shapes) { $0 + $1 })
            cases.append(BinaryCase(description: "subtract \(shapes)", shapes: shapes) { $0 - $1 })
            cases.append(BinaryCase(description: "multiply \(shapes)", shapes: shapes) { $0 * $1 })
            cases.append(BinaryCase(description: "divide \(shapes)", shapes: shapes) { $0 / $1 })
        }
        cases.append(BinaryCase(description: "scalar forms", shapes: ([3, 4], [3, 4])) {
            (2 * $0 + 1.5) / 3 - (1 - $1) * 0.5 + 2 / ($1 + 3) + ($0 - 0.5) / 1.5
        })
        cases.append(BinaryCase(description: "where", shapes: ([3, 4], [4])) { a, b in
            Tensor.where(a .> 0, a * a, b.exp())
        })
        cases.append(BinaryCase(description: "product of nonlinearities", shapes: ([3, 4], [3, 4])) {
            ($0 * $1).tanh() + ($0 / $1).sigmoid()
        })
        return cases
    }()

    /// Inputs for binary cases: away from 0 (so divisions stay tame) and signed.
    static func inputs(for testCase: BinaryCase, seed: UInt64) -> [Tensor] {
        [TestInputs.awayFromZero(testCase.shapes.0, seed: seed),
         TestInputs.awayFromZero(testCase.shapes.1, seed: seed + 100)]
    }

    @Test("binary first order", arguments: binaryCases)
    func binaryFirstOrder(_ testCase: BinaryCase) {
        let report = TensorGradientCheck.firstOrder(Self.inputs(for: testCase, seed: 5)) { testCase.apply($0[0], $0[1]) }
        #expect(report.passed, "\(testCase): \(report)")
    }

    @Test("binary second order", arguments: binaryCases)
    func binarySecondOrder(_ testCase: BinaryCase) {
        let report = TensorGradientCheck.secondOrder(Self.inputs(for: testCase, seed: 6)) { testCase.apply($0[0], $0[1]) }
        #expect(report.passed, "\(testCase): \(report)")
    }
}
