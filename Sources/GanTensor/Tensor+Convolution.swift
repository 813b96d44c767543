import CKernels

/// 2-D convolutions (NCHW, PyTorch's layouts and output sizes) as matrix products through BLAS.
///
/// `unfolded` (im2col) copies every kernel window of an image batch into one column of a
/// matrix `[C·kh·kw, N·Ho·Wo]`; `folded` (col2im) is its adjoint, adding each column back onto
/// the window it came from. With U = unfold, F = fold and a weight W `[O, C·kh·kw]`, a
/// convolution is made of three products, each of them the other two's gradient rules, so the
/// set is closed under differentiation (the gradient penalty's double backward included):
/// - `convolutionProduct(x, W)` = W·U(x) `[O, N·Ho·Wo]`: ∂x = convolutionInput(ḡ, W), ∂W = convolutionWeight(ḡ, x)
/// - `convolutionInput(g, W)` = F(Wᵀ·g) `[N, C, H, W]`: ∂g = convolutionProduct(ḡ, W), ∂W = convolutionWeight(g, ḡ)
/// - `convolutionWeight(g, x)` = g·U(x)ᵀ `[O, C·kh·kw]`: ∂g = convolutionProduct(x, ḡ), ∂x = convolutionInput(g, ḡ)
///
/// Each runs over the batch in slices of a few megabytes of columns: a slice is unfolded and
/// multiplied, or multiplied and folded, while it is still in cache, and no op keeps columns for
/// its backward pass (the weight gradient unfolds its slices again). The columns of a whole
/// batch — 15.7 MB for a 64-channel 14×14 layer at batch 50 — never go through memory.
/// - conv2d(x, W [O, C, kh, kw]) = W·U(x) rearranged to `[N, O, Ho, Wo]`, Ho = ⌊(H + 2p − kh)/s⌋ + 1
/// - convTranspose2d(x, W [Cin, Cout, kh, kw]) = F(Wᵀ·x), the adjoint of conv2d in x, with
///   Hout = (H − 1)·s − 2p + kh + output padding
extension Tensor {
    /// `[N, C, H, W] → [C·kh·kw, N·Ho·Wo]`: row `(c, i, j)`, column `(n, oh, ow)` holds
    /// x[n, c, oh·s − p + i, ow·s − p + j], 0 outside the image.
    public func unfolded(_ geometry: ConvolutionGeometry) -> Tensor {
        checkPrecondition(rank == 4 && Array(shape.dropFirst()) == geometry.imageShape,
                          "unfolded: shape \(shape) is not [N, \(geometry.imageShape.map(String.init).joined(separator: ", "))]")
        let batch = shape[0]
        let out = TensorStorage(uninitializedCount: geometry.windowSize * batch * geometry.positions)
        ConvolutionKernel.unfold(storage.pointer, into: out.pointer, rowStride: batch * geometry.positions, batch: batch, geometry)
        withExtendedLifetime(self) {}
        return Tensor.record("unfold", shape: [geometry.windowSize, batch * geometry.positions], storage: out, inputs: self, rule: { c in
            [c.gradient.folded(geometry, batch: batch)]
        })
    }

    /// `[C·kh·kw, N·Ho·Wo] → [N, C, H, W]`, the adjoint of `unfolded`: every entry is added to
    /// the image position it was copied from (overlapping windows sum; padding is dropped).
    public func folded(_ geometry: ConvolutionGeometry, batch: Int) -> Tensor {
        checkPrecondition(shape == [geometry.windowSize, batch * geometry.positions],
                          "folded: shape \(shape) is not [\(geometry.windowSize), \(batch)·\(geometry.positions)]")
        let out = TensorStorage(uninitializedCount: batch * geometry.imageCount)
        ConvolutionKernel.fold(storage.pointer, rowStride: batch * geometry.positions, into: out.pointer, batch: batch, geometry)
        withExtendedLifetime(self) {}
        return Tensor.record("fold", shape: [batch] + geometry.imageShape, storage: out, inputs: self, rule: { c in
            [c.gradient.unfolded(geometry)]
        })
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
        let product = convolutionProduct(x, weight.reshaped([outputs, geometry.windowSize]), geometry)
        return batchMajor(product, batch: batch, bias: bias, relu: relu)
            .reshaped([batch, outputs, geometry.outputHeight, geometry.outputWidth])
    }

    /// W·U(x): `[N, C, H, W]` and W `[O, C·kh·kw]` → `[O, N·Ho·Wo]`, each slice of the batch
    /// unfolded into scratch columns and multiplied into its columns of the result.
    public static func convolutionProduct(_ x: Tensor, _ weight: Tensor, _ geometry: ConvolutionGeometry) -> Tensor {
        let (batch, outputs, window, positions) = (x.shape[0], weight.shape[0], geometry.windowSize, geometry.positions)
        checkPrecondition(x.rank == 4 && Array(x.shape.dropFirst()) == geometry.imageShape && weight.shape == [outputs, window],
                          "convolutionProduct: input \(x.shape) and weight \(weight.shape) do not fit \(geometry)")
        let slices = geometry.slices(batch: batch)
        let columns = TensorStorage(uninitializedCount: window * positions * slices.largest)
        let out = TensorStorage(uninitializedCount: outputs * batch * positions)
        for slice in slices.ranges {
            ConvolutionKernel.unfold(x.storage.pointer + slice.lowerBound * geometry.imageCount, into: columns.pointer,
                                     rowStride: slice.count * positions, batch: slice.count, geometry)
            BLAS.gemm(weight.storage.pointer, rowStrideA: window, transposeA: false,
                      columns.pointer, rowStrideB: slice.count * positions, transposeB: false,
                      into: out.pointer + slice.lowerBound * positions, rowStrideC: batch * positions,
                      m: outputs, n: slice.count * positions, k: window)
        }
        withExtendedLifetime((x, weight, columns)) {}
        return record("convolutionProduct", shape: [outputs, batch * positions], storage: out, inputs: x, weight, rule: { c in
            [c.needsGradient[0] ? convolutionInput(c.gradient, c.inputs[1], geometry, batch: batch) : nil,
             c.needsGradient[1] ? convolutionWeight(c.gradient, c.inputs[0], geometry) : nil]
        })
    }

    /// F(Wᵀ·g): `[O, N·Ho·Wo]` and W `[O, C·kh·kw]` → `[N, C, H, W]`, the adjoint of
    /// `convolutionProduct` in x: each slice's columns are folded as soon as they are computed.
    public static func convolutionInput(_ g: Tensor, _ weight: Tensor, _ geometry: ConvolutionGeometry, batch: Int) -> Tensor {
        let (outputs, window, positions) = (weight.shape[0], geometry.windowSize, geometry.positions)
        checkPrecondition(batch >= 0 && g.shape == [outputs, batch * positions] && weight.shape == [outputs, window],
                          "convolutionInput: gradient \(g.shape) and weight \(weight.shape) do not fit \(geometry) for \(batch) images")
        let slices = geometry.slices(batch: batch)
        let columns = TensorStorage(uninitializedCount: window * positions * slices.largest)
        let out = TensorStorage(uninitializedCount: batch * geometry.imageCount)
        for slice in slices.ranges {
            BLAS.gemm(weight.storage.pointer, rowStrideA: window, transposeA: true,
                      g.storage.pointer + slice.lowerBound * positions, rowStrideB: batch * positions, transposeB: false,
                      into: columns.pointer, rowStrideC: slice.count * positions, m: window, n: slice.count * positions, k: outputs)
            ConvolutionKernel.fold(columns.pointer, rowStride: slice.count * positions,
                                   into: out.pointer + slice.lowerBound * geometry.imageCount, batch: slice.count, geometry)
        }
        withExtendedLifetime((g, weight, columns)) {}
        return record("convolutionInput", shape: [batch] + geometry.imageShape, storage: out, inputs: g, weight, rule: { c in
            [c.needsGradient[0] ? convolutionProduct(c.gradient, c.inputs[1], geometry) : nil,
             c.needsGradient[1] ? convolutionWeight(c.inputs[0], c.gradient, geometry) : nil]
        })
    }

    /// g·U(x)ᵀ: `[O, N·Ho·Wo]` and `[N, C, H, W]` → `[O, C·kh·kw]`, the slices' products added
    /// up in order.
    public static func convolutionWeight(_ g: Tensor, _ x: Tensor, _ geometry: ConvolutionGeometry) -> Tensor {
        let (batch, outputs, window, positions) = (x.shape[0], g.shape[0], geometry.windowSize, geometry.positions)
        checkPrecondition(x.rank == 4 && Array(x.shape.dropFirst()) == geometry.imageShape && g.shape == [outputs, batch * positions],
                          "convolutionWeight: gradient \(g.shape) and input \(x.shape) do not fit \(geometry)")
        let slices = geometry.slices(batch: batch)
        let columns = TensorStorage(uninitializedCount: window * positions * slices.largest)
        let out = TensorStorage(uninitializedCount: outputs * window)
        if slices.ranges.isEmpty { out.pointer.initialize(repeating: 0, count: out.count) }
        for slice in slices.ranges {
            ConvolutionKernel.unfold(x.storage.pointer + slice.lowerBound * geometry.imageCount, into: columns.pointer,
                                     rowStride: slice.count * positions, batch: slice.count, geometry)
            BLAS.gemm(g.storage.pointer + slice.lowerBound * positions, rowStrideA: batch * positions, transposeA: false,
                      columns.pointer, rowStrideB: slice.count * positions, transposeB: true,
                      into: out.pointer, rowStrideC: window, m: outputs, n: window, k: slice.count * positions,
                      accumulate: slice.lowerBound > 0)
        }
        withExtendedLifetime((g, x, columns)) {}
        return record("convolutionWeight", shape: [outputs, window], storage: out, inputs: g, x, rule: { c in
            [c.needsGradient[0] ? convolutionProduct(c.inputs[1], c.gradient, geometry) : nil,
             c.needsGradient[1] ? convolutionInput(c.inputs[0], c.gradient, geometry, batch: batch) : nil]
        })
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
        return record(relu ? "convolutionOutputReLU" : "convolutionOutput", shape: [batch, outputs, positions], storage: out, inputs: inputs, rule: { c in
            let g = relu ? reluGradient(c.gradient, c.output) : c.gradient
            let product = c.needsGradient[0] ? channelMajor(g) : nil
            guard c.inputs.count > 1 else { return [product] }
            return [product, c.needsGradient[1] ? g.summed(toShape: [1, outputs, 1]).reshaped([outputs]) : nil]
        })
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
        return record("channelMajor", shape: [channels, batch * positions], storage: out, inputs: x, rule: { c in
            [batchMajor(c.gradient, batch: batch, bias: nil, relu: false)]
        })
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
        let y = convolutionInput(columns, weight.reshaped([inputs, geometry.windowSize]), geometry, batch: batch)
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
    /// The most bytes of columns the convolution ops unfold at once (`slices(batch:)`).
    public var sliceBytes = Self.defaultSliceBytes

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
    /// Scalars per image: C·H·W.
    var imageCount: Int { channels * height * width }

    /// 3 MiB of columns per slice: 10 images of the 64-channel 14×14 layer of `wgan-gp-mnist`,
    /// the fastest of the slice sizes measured for it (AUTODIFF.md). A constant, not derived
    /// from the cache sizes of the CPU found, because the slices decide the order in which a
    /// weight gradient's sum is taken, and results must not depend on the machine. Tests set
    /// smaller ones to cut tiny batches into several slices.
    public static let defaultSliceBytes = 3 << 20

    /// The batch cut into equal slices (the last one shorter) whose columns fit `sliceBytes`.
    public func slices(batch: Int) -> (ranges: [Range<Int>], largest: Int) {
        let most = Swift.max(sliceBytes / Swift.max(windowSize * positions * MemoryLayout<Float>.stride, 1), 1)
        let count = (batch + most - 1) / most
        guard count > 0 else { return ([], 0) }
        let size = (batch + count - 1) / count
        return (Swift.stride(from: 0, to: batch, by: size).map { $0..<Swift.min($0 + size, batch) }, size)
    }
}

/// The copy loops of `unfolded`, `folded` and the three convolution products, one channel at a
/// time through *phase planes* (in C: `ganpipe_unfold` and `ganpipe_fold` in CKernels).
///
/// Window position (oh, ow) of kernel tap (i, j) reads the zero-padded image at
/// (oh·s + i, ow·s + j). Writing i = di·s + a and j = dj·s + b, that is entry (oh + di, ow + dj)
/// of phase plane (a, b), the padded image subsampled from (a, b) with step s. So once a
/// channel's s² phase planes are built (every image of the batch or slice: a few kilobytes
/// each, in cache), the Ho×Wo entries of one unfolded row for one image are Ho contiguous runs of Wo
/// floats — plain copies with no bounds test, where a direct gather from the image did one
/// strided, bounds-tested run of a few floats per output row (measured in AUTODIFF.md).
/// `fold` is the same walk with the copies turned into additions into the phase planes, each
/// image entry receiving the taps (i, j) in the same row order as a direct loop, then written out.
enum ConvolutionKernel {
    static func unfold(_ x: UnsafeMutablePointer<Float>, into cols: UnsafeMutablePointer<Float>, rowStride: Int, batch: Int, _ g: ConvolutionGeometry) {
        var geometry = g.kernelGeometry
        checkPrecondition(ganpipe_unfold(x, cols, rowStride, batch, &geometry) == 0, "unfold: out of memory for \(batch) images of \(g.imageShape)")
    }

    static func fold(_ cols: UnsafeMutablePointer<Float>, rowStride: Int, into x: UnsafeMutablePointer<Float>, batch: Int, _ g: ConvolutionGeometry) {
        var geometry = g.kernelGeometry
        checkPrecondition(ganpipe_fold(cols, rowStride, x, batch, &geometry) == 0, "fold: out of memory for \(batch) images of \(g.imageShape)")
    }
}

extension ConvolutionGeometry {
    var kernelGeometry: ganpipe_convolution {
        ganpipe_convolution(channels: channels, height: height, width: width, kernel_height: kernelHeight, kernel_width: kernelWidth,
                            stride: stride, padding: padding, output_height: outputHeight, output_width: outputWidth)
    }
}
