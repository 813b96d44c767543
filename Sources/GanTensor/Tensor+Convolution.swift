/// 2-D convolutions (NCHW, PyTorch's layouts and output sizes) as matrix products through BLAS.
///
/// `unfolded` (im2col) copies every kernel window of an image batch into one column of a
/// matrix `[C·kh·kw, N·Ho·Wo]`; `folded` (col2im) is its adjoint, adding each column back onto
/// the window it came from. Each is the other's gradient rule, so the pair is closed under
/// differentiation and convolutions built from them, `matmul`, `reshaped`, `permuted` and a
/// broadcast bias have first and second derivatives for free:
/// - conv2d(x, W [O, C, kh, kw]) = W·unfold(x) rearranged to `[N, O, Ho, Wo]`, Ho = ⌊(H + 2p − kh)/s⌋ + 1
/// - convTranspose2d(x, W [Cin, Cout, kh, kw]) = fold(Wᵀ·x), the adjoint of conv2d in x, with
///   Hout = (H − 1)·s − 2p + kh + output padding
extension Tensor {
    /// `[N, C, H, W] → [C·kh·kw, N·Ho·Wo]`: row `(c, i, j)`, column `(n, oh, ow)` holds
    /// x[n, c, oh·s − p + i, ow·s − p + j], 0 outside the image.
    public func unfolded(_ geometry: ConvolutionGeometry) -> Tensor {
        checkPrecondition(rank == 4 && Array(shape.dropFirst()) == geometry.imageShape,
                          "unfolded: shape \(shape) is not [N, \(geometry.imageShape.map(String.init).joined(separator: ", "))]")
        let batch = shape[0]
        let out = TensorStorage(uninitializedCount: geometry.windowSize * batch * geometry.positions)
        ConvolutionKernel.unfold(storage.pointer, into: out.pointer, batch: batch, geometry)
        withExtendedLifetime(self) {}
        return Tensor.record("unfold", shape: [geometry.windowSize, batch * geometry.positions], storage: out, inputs: [self]) { c in
            [c.gradient.folded(geometry, batch: batch)]
        }
    }

    /// `[C·kh·kw, N·Ho·Wo] → [N, C, H, W]`, the adjoint of `unfolded`: every entry is added to
    /// the image position it was copied from (overlapping windows sum; padding is dropped).
    public func folded(_ geometry: ConvolutionGeometry, batch: Int) -> Tensor {
        checkPrecondition(shape == [geometry.windowSize, batch * geometry.positions],
                          "folded: shape \(shape) is not [\(geometry.windowSize), \(batch)·\(geometry.positions)]")
        let out = TensorStorage(repeating: 0, count: batch * geometry.imageShape.reduce(1, *))
        ConvolutionKernel.fold(storage.pointer, into: out.pointer, batch: batch, geometry)
        withExtendedLifetime(self) {}
        return Tensor.record("fold", shape: [batch] + geometry.imageShape, storage: out, inputs: [self]) { c in
            [c.gradient.unfolded(geometry)]
        }
    }

    /// PyTorch's `conv2d`: `[N, C, H, W]` with weight `[O, C, kh, kw]` and bias `[O]` →
    /// `[N, O, Ho, Wo]`.
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
        checkPrecondition(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1] && (bias.map { $0.shape == [weight.shape[0]] } ?? true),
                          "conv2d: input \(x.shape), weight \(weight.shape) and bias \(bias?.shape ?? []) do not fit")
        let geometry = ConvolutionGeometry(channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                                           kernel: (weight.shape[2], weight.shape[3]), stride: stride, padding: padding)
        checkPrecondition(geometry.outputHeight >= 1 && geometry.outputWidth >= 1,
                          "conv2d: a \(weight.shape[2])×\(weight.shape[3]) kernel does not fit a \(x.shape[2])×\(x.shape[3]) input with padding \(padding)")
        let (batch, outputs) = (x.shape[0], weight.shape[0])
        let product = matmul(weight.reshaped([outputs, geometry.windowSize]), x.unfolded(geometry))
        let y = product.reshaped([outputs, batch, geometry.positions]).permuted([1, 0, 2])
            .reshaped([batch, outputs, geometry.outputHeight, geometry.outputWidth])
        return bias.map { y + $0.reshaped([1, outputs, 1, 1]) } ?? y
    }

    /// PyTorch's `conv_transpose2d`: `[N, Cin, H, W]` with weight `[Cin, Cout, kh, kw]` and bias
    /// `[Cout]` → `[N, Cout, (H − 1)·s − 2p + kh + outputPadding, …]`.
    public static func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0,
                                       outputPadding: Int = 0) -> Tensor {
        checkPrecondition(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[0] && (bias.map { $0.shape == [weight.shape[1]] } ?? true),
                          "convTranspose2d: input \(x.shape), weight \(weight.shape) and bias \(bias?.shape ?? []) do not fit")
        let (batch, inputs, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let outputs = weight.shape[1]
        let geometry = ConvolutionGeometry(
            channels: outputs,
            height: (height - 1) * stride - 2 * padding + weight.shape[2] + outputPadding,
            width: (width - 1) * stride - 2 * padding + weight.shape[3] + outputPadding,
            kernel: (weight.shape[2], weight.shape[3]), stride: stride, padding: padding, positions: (height, width))
        checkPrecondition(geometry.height >= 1 && geometry.width >= 1 && outputPadding >= 0 && outputPadding < Swift.max(stride, 1 + padding),
                          "convTranspose2d: input \(x.shape) with kernel \(weight.shape[2])×\(weight.shape[3]), stride \(stride), padding \(padding) and output padding \(outputPadding) gives no image")
        let columns = x.permuted([1, 0, 2, 3]).reshaped([inputs, batch * height * width])
        let product = matmul(weight.reshaped([inputs, geometry.windowSize]), columns, transposeA: true)
        let y = product.folded(geometry, batch: batch)
        return bias.map { y + $0.reshaped([1, outputs, 1, 1]) } ?? y
    }
}

/// How kernel windows sweep an image `[C, H, W]`: kernel size, stride, zero padding on every
/// side, and the grid of window positions `Ho × Wo` (PyTorch's output size for a convolution;
/// the input size for a transposed one).
public struct ConvolutionGeometry: Hashable, Sendable {
    public var channels, height, width: Int
    public var kernelHeight, kernelWidth: Int
    public var stride, padding: Int
    public var outputHeight, outputWidth: Int

    /// The window positions of a convolution: ⌊(H + 2p − k)/s⌋ + 1 along each axis.
    public init(channels: Int, height: Int, width: Int, kernel: (Int, Int), stride: Int, padding: Int) {
        let positions = (Self.positions(height, kernel: kernel.0, stride: stride, padding: padding),
                         Self.positions(width, kernel: kernel.1, stride: stride, padding: padding))
        self.init(channels: channels, height: height, width: width, kernel: kernel, stride: stride, padding: padding, positions: positions)
    }

    public init(channels: Int, height: Int, width: Int, kernel: (Int, Int), stride: Int, padding: Int, positions: (Int, Int)) {
        checkPrecondition(channels >= 1 && kernel.0 >= 1 && kernel.1 >= 1 && stride >= 1 && padding >= 0,
                          "ConvolutionGeometry: channels \(channels), kernel \(kernel), stride \(stride), padding \(padding)")
        (self.channels, self.height, self.width) = (channels, height, width)
        (kernelHeight, kernelWidth, self.stride, self.padding) = (kernel.0, kernel.1, stride, padding)
        (outputHeight, outputWidth) = positions
    }

    /// ⌊(size + 2·padding − kernel)/stride⌋ + 1, or 0 when the kernel does not fit.
    public static func positions(_ size: Int, kernel: Int, stride: Int, padding: Int) -> Int {
        let span = size + 2 * padding - kernel
        return span < 0 ? 0 : span / stride + 1
    }

    public var imageShape: [Int] { [channels, height, width] }
    /// Rows of the unfolded matrix: C·kh·kw.
    public var windowSize: Int { channels * kernelHeight * kernelWidth }
    /// Window positions per image: Ho·Wo.
    public var positions: Int { outputHeight * outputWidth }
}

/// The copy loops of `unfolded` and `folded`: for each unfolded row (c, i, j), image n and
/// output row oh, the output columns ow whose image column is inside the image form one range,
/// so the inner loop has no bounds test.
enum ConvolutionKernel {
    /// The window positions `o` in `0..<count` with `o·stride − padding + offset` in `0..<size`.
    @inline(__always)
    static func validPositions(count: Int, size: Int, stride: Int, padding: Int, offset: Int) -> Range<Int> {
        let low = Swift.max(0, ceilDivide(padding - offset, stride))
        let high = Swift.min(count, floorDivide(size - 1 + padding - offset, stride) + 1)
        return low < high ? low..<high : 0..<0
    }

    @inline(__always) static func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
    @inline(__always) static func ceilDivide(_ a: Int, _ b: Int) -> Int { -floorDivide(-a, b) }

    static func unfold(_ x: UnsafeMutablePointer<Float>, into cols: UnsafeMutablePointer<Float>, batch: Int, _ g: ConvolutionGeometry) {
        let stride = g.stride
        let width = g.outputWidth
        sweep(cols, batch: batch, g) { line, image, valid in
            for t in 0..<valid.lowerBound { line[t] = 0 }
            let source = x + (image + valid.lowerBound * stride), target = line + valid.lowerBound
            let count = valid.count
            switch stride {
            case 1: for t in 0..<count { target[t] = source[t] }
            case 2: for t in 0..<count { target[t] = source[2 &* t] }
            default: for t in 0..<count { target[t] = source[stride &* t] }
            }
            for t in valid.upperBound..<width { line[t] = 0 }
        } outside: { line in
            for t in 0..<width { line[t] = 0 }
        }
    }

    static func fold(_ cols: UnsafeMutablePointer<Float>, into x: UnsafeMutablePointer<Float>, batch: Int, _ g: ConvolutionGeometry) {
        let stride = g.stride
        sweep(cols, batch: batch, g) { line, image, valid in
            let target = x + (image + valid.lowerBound * stride), source = line + valid.lowerBound
            let count = valid.count
            switch stride {
            case 1: for t in 0..<count { target[t] += source[t] }
            case 2: for t in 0..<count { target[2 &* t] += source[t] }
            default: for t in 0..<count { target[stride &* t] += source[t] }
            }
        } outside: { _ in }
    }

    /// For every unfolded row (c, i, j), image n and output row oh: `inside` with the `Wo`
    /// entries of the unfolded matrix, the offset in x of image column ow = 0 (x[n, c, ih, −p + j];
    /// add ow·s for column ow) and the valid range of ow; `outside` when the image row ih falls
    /// in the padding.
    @inline(__always)
    static func sweep(_ cols: UnsafeMutablePointer<Float>, batch: Int, _ g: ConvolutionGeometry,
                      inside: (_ line: UnsafeMutablePointer<Float>, _ image: Int, _ valid: Range<Int>) -> Void,
                      outside: (_ line: UnsafeMutablePointer<Float>) -> Void) {
        let columns = batch * g.positions
        var row = 0
        for c in 0..<g.channels {
            for i in 0..<g.kernelHeight {
                let rows = validPositions(count: g.outputHeight, size: g.height, stride: g.stride, padding: g.padding, offset: i)
                for j in 0..<g.kernelWidth {
                    let valid = validPositions(count: g.outputWidth, size: g.width, stride: g.stride, padding: g.padding, offset: j)
                    for n in 0..<batch {
                        let plane = (n * g.channels + c) * g.height
                        for oh in 0..<g.outputHeight {
                            let line = cols + row * columns + n * g.positions + oh * g.outputWidth
                            if rows.contains(oh) && !valid.isEmpty {
                                inside(line, (plane + oh * g.stride - g.padding + i) * g.width - g.padding + j, valid)
                            } else {
                                outside(line)
                            }
                        }
                    }
                    row += 1
                }
            }
        }
    }
}
