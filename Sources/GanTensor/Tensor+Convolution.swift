import CKernels

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
        let out = TensorStorage(uninitializedCount: batch * geometry.imageShape.reduce(1, *))
        ConvolutionKernel.fold(storage.pointer, into: out.pointer, batch: batch, geometry)
        withExtendedLifetime(self) {}
        return Tensor.record("fold", shape: [batch] + geometry.imageShape, storage: out, inputs: [self]) { c in
            [c.gradient.unfolded(geometry)]
        }
    }

    /// PyTorch's `conv2d`: `[N, C, H, W]` with weight `[O, C, kh, kw]` and bias `[O]` →
    /// `[N, O, Ho, Wo]`.
    /// With `relu`, max(·, 0) of that in the same op (bit-identical to a separate `relu()`).
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, relu: Bool = false) -> Tensor {
        checkPrecondition(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1] && (bias.map { $0.shape == [weight.shape[0]] } ?? true),
                          "conv2d: input \(x.shape), weight \(weight.shape) and bias \(bias?.shape ?? []) do not fit")
        let geometry = ConvolutionGeometry(channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                                           kernel: (weight.shape[2], weight.shape[3]), stride: stride, padding: padding)
        checkPrecondition(geometry.outputHeight >= 1 && geometry.outputWidth >= 1,
                          "conv2d: a \(weight.shape[2])×\(weight.shape[3]) kernel does not fit a \(x.shape[2])×\(x.shape[3]) input with padding \(padding)")
        let (batch, outputs) = (x.shape[0], weight.shape[0])
        let product = matmul(weight.reshaped([outputs, geometry.windowSize]), x.unfolded(geometry))
        return batchMajor(product, batch: batch, bias: bias, relu: relu)
            .reshaped([batch, outputs, geometry.outputHeight, geometry.outputWidth])
    }

    /// A convolution's product `[O, N·P]` rearranged to `[N, O, P]`, plus `bias[o]`, then
    /// max(·, 0) when `relu`: one pass over the output instead of a permute, a broadcast add and
    /// a rectifier, each with its own output tensor. Bit-identical to those ops; its rule is
    /// written in tensor ops (ḡ' = reluGradient(ḡ, y) after a rectifier; ∂product = ḡ' permuted
    /// back, ∂bias = Σ_{n,p} ḡ'), so it differentiates again.
    static func batchMajor(_ product: Tensor, batch: Int, bias: Tensor?, relu: Bool) -> Tensor {
        let outputs = product.shape[0], positions = product.shape[1] / batch
        let out = TensorStorage(uninitializedCount: product.count)
        let source = product.storage.pointer, target = out.pointer, offsets = bias?.storage.pointer
        for n in 0..<batch {
            for o in 0..<outputs {
                let from = source + (o * batch + n) * positions, to = target + (n * outputs + o) * positions
                switch (offsets?[o], relu) {
                case (let b?, true): for p in 0..<positions { to[p] = Swift.max(from[p] + b, 0) }
                case (let b?, false): for p in 0..<positions { to[p] = from[p] + b }
                case (nil, true): for p in 0..<positions { to[p] = Swift.max(from[p], 0) }
                case (nil, false): for p in 0..<positions { to[p] = from[p] }
                }
            }
        }
        withExtendedLifetime((product, bias)) {}
        let inputs = bias.map { [product, $0] } ?? [product]
        return record(relu ? "convolutionOutputReLU" : "convolutionOutput", shape: [batch, outputs, positions], storage: out, inputs: inputs) { c in
            let g = relu ? reluGradient(c.gradient, c.output) : c.gradient
            let product = c.needsGradient[0] ? channelMajor(g) : nil
            guard c.inputs.count > 1 else { return [product] }
            return [product, c.needsGradient[1] ? g.summed(toShape: [1, outputs, 1]).reshaped([outputs]) : nil]
        }
    }

    /// `[N, C, P] → [C, N·P]`, the inverse of `batchMajor` without bias or rectifier (and each
    /// other's rule): a transposed convolution's input as the columns of its product.
    static func channelMajor(_ x: Tensor) -> Tensor {
        let (batch, channels, positions) = (x.shape[0], x.shape[1], x.shape[2])
        let out = TensorStorage(uninitializedCount: x.count)
        let source = x.storage.pointer, target = out.pointer
        for n in 0..<batch {
            for c in 0..<channels {
                let from = source + (n * channels + c) * positions, to = target + (c * batch + n) * positions
                for p in 0..<positions { to[p] = from[p] }
            }
        }
        withExtendedLifetime(x) {}
        return record("channelMajor", shape: [channels, batch * positions], storage: out, inputs: [x]) { c in
            [batchMajor(c.gradient, batch: batch, bias: nil, relu: false)]
        }
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
        let columns = channelMajor(x.reshaped([batch, inputs, height * width]))
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

/// The copy loops of `unfolded` and `folded`, one channel at a time through *phase planes*
/// (in C: `ganpipe_unfold` and `ganpipe_fold` in CKernels).
///
/// Window position (oh, ow) of kernel tap (i, j) reads the zero-padded image at
/// (oh·s + i, ow·s + j). Writing i = di·s + a and j = dj·s + b, that is entry (oh + di, ow + dj)
/// of phase plane (a, b), the padded image subsampled from (a, b) with step s. So once a
/// channel's s² phase planes are built (every image of the batch: a few kilobytes each, in
/// cache), the Ho×Wo entries of one unfolded row for one image are Ho contiguous runs of Wo
/// floats — plain copies with no bounds test, where a direct gather from the image did one
/// strided, bounds-tested run of a few floats per output row (measured in AUTODIFF.md).
/// `fold` is the same walk with the copies turned into additions into the phase planes, each
/// image entry receiving the taps (i, j) in the same row order as a direct loop, then written out.
enum ConvolutionKernel {
    static func unfold(_ x: UnsafeMutablePointer<Float>, into cols: UnsafeMutablePointer<Float>, batch: Int, _ g: ConvolutionGeometry) {
        var geometry = g.kernelGeometry
        checkPrecondition(ganpipe_unfold(x, cols, batch, &geometry) == 0, "unfold: out of memory for \(batch) images of \(g.imageShape)")
    }

    static func fold(_ cols: UnsafeMutablePointer<Float>, into x: UnsafeMutablePointer<Float>, batch: Int, _ g: ConvolutionGeometry) {
        var geometry = g.kernelGeometry
        checkPrecondition(ganpipe_fold(cols, x, batch, &geometry) == 0, "fold: out of memory for \(batch) images of \(g.imageShape)")
    }
}

extension ConvolutionGeometry {
    var kernelGeometry: ganpipe_convolution {
        ganpipe_convolution(channels: channels, height: height, width: width, kernel_height: kernelHeight, kernel_width: kernelWidth,
                            stride: stride, padding: padding, output_height: outputHeight, output_width: outputWidth)
    }
}
