import GanTensor
import GanTestSupport
import Testing

/// Convolutions: values against a direct loop written from PyTorch's definitions, unfold/fold
/// adjointness, and finite differences at first and second order (the gradient penalty
/// differentiates a convolutional critic twice).
struct ConvolutionTests {
    /// PyTorch's conv2d by its definition: y[n,o,h,w] = b[o] + Σ x[n,c,h·s−p+i, w·s−p+j]·W[o,c,i,j].
    static func directConv(_ x: Tensor, _ w: Tensor, _ b: Tensor, stride: Int, padding: Int) -> [Float] {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let (ho, wo) = ((h + 2 * padding - kh) / stride + 1, (wd + 2 * padding - kw) / stride + 1)
        let xs = x.scalars, ws = w.scalars, bs = b.scalars
        var y = [Float](repeating: 0, count: n * o * ho * wo)
        for s in 0..<n { for k in 0..<o { for r in 0..<ho { for q in 0..<wo {
            var sum = Double(bs[k])
            for ch in 0..<c { for i in 0..<kh { for j in 0..<kw {
                let (ih, iw) = (r * stride - padding + i, q * stride - padding + j)
                guard ih >= 0, ih < h, iw >= 0, iw < wd else { continue }
                sum += Double(xs[((s * c + ch) * h + ih) * wd + iw]) * Double(ws[((k * c + ch) * kh + i) * kw + j])
            } } }
            y[((s * o + k) * ho + r) * wo + q] = Float(sum)
        } } } }
        return y
    }

    /// PyTorch's conv_transpose2d by its definition: every input pixel scatters W[c, o, ·, ·]
    /// onto y[n, o, h·s − p + i, w·s − p + j].
    static func directTransposed(_ x: Tensor, _ w: Tensor, _ b: Tensor, stride: Int, padding: Int, outputPadding: Int) -> [Float] {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[1], w.shape[2], w.shape[3])
        let (ho, wo) = ((h - 1) * stride - 2 * padding + kh + outputPadding, (wd - 1) * stride - 2 * padding + kw + outputPadding)
        let xs = x.scalars, ws = w.scalars, bs = b.scalars
        var y = [Double](repeating: 0, count: n * o * ho * wo)
        for s in 0..<n { for k in 0..<o { for r in 0..<ho { for q in 0..<wo { y[((s * o + k) * ho + r) * wo + q] = Double(bs[k]) } } } }
        for s in 0..<n { for ch in 0..<c { for r in 0..<h { for q in 0..<wd {
            for k in 0..<o { for i in 0..<kh { for j in 0..<kw {
                let (oh, ow) = (r * stride - padding + i, q * stride - padding + j)
                guard oh >= 0, oh < ho, ow >= 0, ow < wo else { continue }
                y[((s * o + k) * ho + oh) * wo + ow] += Double(xs[((s * c + ch) * h + r) * wd + q]) * Double(ws[((ch * o + k) * kh + i) * kw + j])
            } } }
        } } } }
        return y.map(Float.init)
    }

    static func close(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }
    }

    struct Shape: Sendable, CustomStringConvertible {
        var batch, channels, height, width, outputs, kernel, stride, padding: Int
        var outputPadding = 0
        var description: String { "\(batch)×\(channels)×\(height)×\(width) → \(outputs), k\(kernel) s\(stride) p\(padding) op\(outputPadding)" }
    }

    static let shapes = [
        Shape(batch: 2, channels: 3, height: 5, width: 6, outputs: 4, kernel: 3, stride: 1, padding: 1),
        Shape(batch: 2, channels: 2, height: 7, width: 7, outputs: 3, kernel: 5, stride: 2, padding: 2),
        Shape(batch: 1, channels: 2, height: 6, width: 5, outputs: 2, kernel: 4, stride: 2, padding: 1),
        Shape(batch: 3, channels: 1, height: 4, width: 4, outputs: 2, kernel: 2, stride: 3, padding: 0),
        // The last image row falls in no window (padded rows 0…10, windows cover 0…8).
        Shape(batch: 2, channels: 2, height: 9, width: 7, outputs: 2, kernel: 3, stride: 3, padding: 1),
        Shape(batch: 2, channels: 2, height: 3, width: 3, outputs: 3, kernel: 5, stride: 2, padding: 2, outputPadding: 1),
    ]

    @Test("conv2d matches PyTorch's definition", arguments: shapes)
    func convolutionValues(_ s: Shape) {
        let x = TestInputs.uniform([s.batch, s.channels, s.height, s.width], -1, 1, seed: 1)
        let w = TestInputs.uniform([s.outputs, s.channels, s.kernel, s.kernel], -1, 1, seed: 2)
        let b = TestInputs.uniform([s.outputs], -1, 1, seed: 3)
        let y = Tensor.conv2d(x, weight: w, bias: b, stride: s.stride, padding: s.padding)
        let ho = (s.height + 2 * s.padding - s.kernel) / s.stride + 1, wo = (s.width + 2 * s.padding - s.kernel) / s.stride + 1
        #expect(y.shape == [s.batch, s.outputs, ho, wo])
        #expect(Self.close(y.scalars, Self.directConv(x, w, b, stride: s.stride, padding: s.padding)))
    }

    @Test("convTranspose2d matches PyTorch's definition", arguments: shapes)
    func transposedValues(_ s: Shape) {
        let x = TestInputs.uniform([s.batch, s.channels, s.height, s.width], -1, 1, seed: 4)
        let w = TestInputs.uniform([s.channels, s.outputs, s.kernel, s.kernel], -1, 1, seed: 5)
        let b = TestInputs.uniform([s.outputs], -1, 1, seed: 6)
        let y = Tensor.convTranspose2d(x, weight: w, bias: b, stride: s.stride, padding: s.padding, outputPadding: s.outputPadding)
        let expected = Self.directTransposed(x, w, b, stride: s.stride, padding: s.padding, outputPadding: s.outputPadding)
        #expect(y.shape == [s.batch, s.outputs, (s.height - 1) * s.stride - 2 * s.padding + s.kernel + s.outputPadding,
                            (s.width - 1) * s.stride - 2 * s.padding + s.kernel + s.outputPadding])
        #expect(Self.close(y.scalars, expected))
    }

    /// ⟨unfold(x), c⟩ = ⟨x, fold(c)⟩ for random x and c: fold is unfold's adjoint.
    @Test(arguments: shapes) func foldIsTheAdjointOfUnfold(_ s: Shape) {
        let geometry = ConvolutionGeometry(channels: s.channels, height: s.height, width: s.width, kernel: (s.kernel, s.kernel),
                                           stride: s.stride, padding: s.padding)
        let x = TestInputs.uniform([s.batch, s.channels, s.height, s.width], -1, 1, seed: 7)
        let c = TestInputs.uniform([geometry.windowSize, s.batch * geometry.positions], -1, 1, seed: 8)
        let left = zip(x.unfolded(geometry).scalars, c.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let right = zip(x.scalars, c.folded(geometry, batch: s.batch).scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(left - right) < 1e-4 * max(1, abs(left)), "\(left) vs \(right)")
    }

    @Test("conv2d gradients, first and second order", arguments: shapes.prefix(4))
    func convolutionGradients(_ s: Shape) {
        let inputs = {
            [TestInputs.uniform([s.batch, s.channels, s.height, s.width], -1, 1, seed: 9),
             TestInputs.uniform([s.outputs, s.channels, s.kernel, s.kernel], -0.5, 0.5, seed: 10),
             TestInputs.uniform([s.outputs], -0.5, 0.5, seed: 11)]
        }
        let f: ([Tensor]) -> Tensor = { t in
            let y = Tensor.conv2d(t[0], weight: t[1], bias: t[2], stride: s.stride, padding: s.padding)
            return y * y.tanh()
        }
        let first = TensorGradientCheck.firstOrder(inputs(), f)
        #expect(first.passed, "\(s): \(first)")
        let second = TensorGradientCheck.secondOrder(inputs(), f)
        #expect(second.passed, "\(s): \(second)")
    }

    @Test("convTranspose2d gradients, first and second order", arguments: shapes.suffix(4))
    func transposedGradients(_ s: Shape) {
        let inputs = {
            [TestInputs.uniform([s.batch, s.channels, s.height, s.width], -1, 1, seed: 12),
             TestInputs.uniform([s.channels, s.outputs, s.kernel, s.kernel], -0.5, 0.5, seed: 13),
             TestInputs.uniform([s.outputs], -0.5, 0.5, seed: 14)]
        }
        let f: ([Tensor]) -> Tensor = { t in
            let y = Tensor.convTranspose2d(t[0], weight: t[1], bias: t[2], stride: s.stride, padding: s.padding,
                                           outputPadding: s.outputPadding)
            return y * y.tanh()
        }
        let first = TensorGradientCheck.firstOrder(inputs(), f)
        #expect(first.passed, "\(s): \(first)")
        let second = TensorGradientCheck.secondOrder(inputs(), f)
        #expect(second.passed, "\(s): \(second)")
    }

    /// The three products a convolution is made of, on a batch of 5 cut into slices of 2, 2 and
    /// 1 images (a slice budget of two images' columns): values as the whole-batch unfold, matmul
    /// and fold give them, and gradients through each op at first and second order, so each
    /// op's rule (made of the other two, on slices too) is checked against finite differences.
    @Test(arguments: [Shape(batch: 5, channels: 2, height: 7, width: 7, outputs: 3, kernel: 5, stride: 2, padding: 2),
                      Shape(batch: 5, channels: 3, height: 5, width: 6, outputs: 2, kernel: 3, stride: 1, padding: 1)])
    func slicedProducts(_ s: Shape) {
        var geometry = ConvolutionGeometry(channels: s.channels, height: s.height, width: s.width, kernel: (s.kernel, s.kernel),
                                           stride: s.stride, padding: s.padding)
        let whole = geometry
        geometry.sliceBytes = 2 * geometry.windowSize * geometry.positions * MemoryLayout<Float>.stride
        #expect(geometry.slices(batch: s.batch).ranges == [0..<2, 2..<4, 4..<5])
        #expect(whole.slices(batch: s.batch).ranges == [0..<s.batch])
        let columns = s.batch * geometry.positions
        let x = TestInputs.uniform([s.batch, s.channels, s.height, s.width], -1, 1, seed: 60)
        let w = TestInputs.uniform([s.outputs, geometry.windowSize], -0.5, 0.5, seed: 61)
        let g = TestInputs.uniform([s.outputs, columns], -1, 1, seed: 62)

        #expect(Self.close(Tensor.convolutionProduct(x, w, geometry).scalars, Tensor.matmul(w, x.unfolded(whole)).scalars))
        #expect(Self.close(Tensor.convolutionInput(g, w, geometry, batch: s.batch).scalars,
                           Tensor.matmul(w, g, transposeA: true).folded(whole, batch: s.batch).scalars))
        #expect(Self.close(Tensor.convolutionWeight(g, x, geometry).scalars, Tensor.matmul(g, x.unfolded(whole), transposeB: true).scalars))

        let checks: [(String, [Tensor], ([Tensor]) -> Tensor)] = [
            ("product", [x, w], { t in Tensor.convolutionProduct(t[0], t[1], geometry) }),
            ("input", [g, w], { t in Tensor.convolutionInput(t[0], t[1], geometry, batch: s.batch) }),
            ("weight", [g, x], { t in Tensor.convolutionWeight(t[0], t[1], geometry) }),
        ]
        for (name, inputs, op) in checks {
            let f: ([Tensor]) -> Tensor = { t in let y = op(t); return y * (0.5 * y).tanh() }
            let copies = { inputs.map { Tensor(shape: $0.shape, scalars: $0.scalars) } }
            let first = TensorGradientCheck.firstOrder(copies(), f)
            #expect(first.passed, "\(name) \(s): \(first)")
            let second = TensorGradientCheck.secondOrder(copies(), f)
            #expect(second.passed, "\(name) \(s): \(second)")
        }
    }

    /// conv2d's output op (product rearranged to [N, O, Ho, Wo], bias, rectifier in one pass):
    /// first and second order, and bit-identical, in value and in gradients, to the separate
    /// permute, broadcast add and relu it replaces.
    @Test(arguments: [false, true]) func fusedOutput(withBias: Bool) {
        func inputs(_ s: Shape) -> [Tensor] {
            [TestInputs.uniform([s.batch, s.channels, s.height, s.width], -1, 1, seed: 57),
             TestInputs.uniform([s.outputs, s.channels, s.kernel, s.kernel], -0.5, 0.5, seed: 58),
             TestInputs.uniform([s.outputs], -0.5, 0.5, seed: 59)]
        }
        func fused(_ s: Shape, _ t: [Tensor], relu: Bool = true) -> Tensor {
            Tensor.conv2d(t[0], weight: t[1], bias: withBias ? t[2] : nil, stride: s.stride, padding: s.padding, relu: relu)
        }
        func separate(_ s: Shape, _ t: [Tensor]) -> Tensor {
            let geometry = ConvolutionGeometry(channels: s.channels, height: s.height, width: s.width, kernel: (s.kernel, s.kernel),
                                               stride: s.stride, padding: s.padding)
            let product = Tensor.matmul(t[1].reshaped([s.outputs, geometry.windowSize]), t[0].unfolded(geometry))
            let y = product.reshaped([s.outputs, s.batch, geometry.positions]).permuted([1, 0, 2])
                .reshaped([s.batch, s.outputs, geometry.outputHeight, geometry.outputWidth])
            return (withBias ? y + t[2].reshaped([1, s.outputs, 1, 1]) : y).relu()
        }
        // Finite differences need every pre-activation clear of the rectifier's kink: seeds
        // chosen so, on a small shape, with some pre-activations positive and some negative.
        let small = Self.shapes[3]
        let preActivations = fused(small, inputs(small), relu: false).scalars
        #expect(preActivations.allSatisfy { abs($0) > 0.05 } && preActivations.contains { $0 > 0 } && preActivations.contains { $0 < 0 })
        let loss: ([Tensor]) -> Tensor = { t in let y = fused(small, t); return y * (y + 0.3).tanh() }
        let first = TensorGradientCheck.firstOrder(inputs(small), loss)
        #expect(first.passed, "\(first)")
        let second = TensorGradientCheck.secondOrder(inputs(small), loss)
        #expect(second.passed, "\(second)")

        for s in [small, Self.shapes[1]] {
            let (a, b) = (inputs(s), inputs(s))
            for t in a + b { t.requiresGradient = true }
            let (ya, yb) = (fused(s, a), separate(s, b))
            #expect(ya.shape == yb.shape && ya.scalars == yb.scalars, "\(s)")
            (ya * ya).sum().backward()
            (yb * yb).sum().backward()
            for (ta, tb) in zip(a, b).prefix(withBias ? 3 : 2) {
                #expect(ta.gradient?.scalars == tb.gradient?.scalars, "\(s)")
            }
        }
    }
}
