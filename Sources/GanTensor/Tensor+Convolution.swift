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

/// The copy loops of `unfolded` and `folded`, one channel at a time through *phase planes*.
///
/// Window position (oh, ow) of kernel tap (i, j) reads the zero-padded image at
/// (oh·s + i, ow·s + j). Writing i = di·s + a and j = dj·s + b, that is entry (oh + di, ow + dj)
/// of phase plane (a, b), the padded image subsampled from (a, b) with step s. So once a
/// channel's s² phase planes are built (every image of the batch: a few kilobytes each, in
/// cache), the Ho×Wo entries of one unfolded row for one image are Ho contiguous runs of Wo
/// floats — plain copies with no bounds test, where a direct gather from the image did one
/// strided, bounds-tested run of a few floats per output row (measured in AUTODIFF.md).
/// `fold` is the same walk with the copies turned into additions into the phase planes, each
/// image entry receiving the taps (i, j) in the same row order as before, then written out.
enum ConvolutionKernel {
    /// The phase planes of one channel for a whole batch: `batch × s² × rows × columns`, with
    /// enough rows and columns for every window (oh + ⌊(k−1)/s⌋) and every padded pixel.
    struct Phases {
        let stride, rows, columns, padding: Int
        var plane: Int { rows * columns }
        var count: Int { stride * stride * plane }

        init(_ g: ConvolutionGeometry) {
            stride = g.stride
            padding = g.padding
            let ceil = { (size: Int) in (size + 2 * g.padding + g.stride - 1) / g.stride }
            rows = Swift.max(g.outputHeight + (g.kernelHeight - 1) / g.stride, ceil(g.height))
            columns = Swift.max(g.outputWidth + (g.kernelWidth - 1) / g.stride, ceil(g.width))
        }

        /// For each pixel of an image plane `[H, W]`, in order, its offset in the image's phase
        /// planes.
        func pixelOffsets(height: Int, width: Int) -> [Int] {
            var offsets = [Int]()
            offsets.reserveCapacity(height * width)
            for r in 0..<height {
                let (u, a) = (r + padding).quotientAndRemainder(dividingBy: stride)
                for q in 0..<width {
                    let (v, b) = (q + padding).quotientAndRemainder(dividingBy: stride)
                    offsets.append((a * stride + b) * plane + u * columns + v)
                }
            }
            return offsets
        }
    }

    static func unfold(_ x: UnsafeMutablePointer<Float>, into cols: UnsafeMutablePointer<Float>, batch: Int, _ g: ConvolutionGeometry) {
        let phases = Phases(g), pixels = phases.pixelOffsets(height: g.height, width: g.width)
        withPhaseBuffer(phases, batch: batch) { buffer in
            for c in 0..<g.channels {
                buffer.initialize(repeating: 0, count: batch * phases.count)
                for n in 0..<batch {
                    let image = x + (n * g.channels + c) * pixels.count, planes = buffer + n * phases.count
                    for (pixel, offset) in pixels.enumerated() { planes[offset] = image[pixel] }
                }
                sweep(cols, buffer, phases, channel: c, batch: batch, g) { line, run, width in copy(run, to: line, count: width) }
            }
        }
    }

    static func fold(_ cols: UnsafeMutablePointer<Float>, into x: UnsafeMutablePointer<Float>, batch: Int, _ g: ConvolutionGeometry) {
        let phases = Phases(g), pixels = phases.pixelOffsets(height: g.height, width: g.width)
        withPhaseBuffer(phases, batch: batch) { buffer in
            for c in 0..<g.channels {
                buffer.initialize(repeating: 0, count: batch * phases.count)
                sweep(cols, buffer, phases, channel: c, batch: batch, g) { line, run, width in add(line, to: run, count: width) }
                for n in 0..<batch {
                    let image = x + (n * g.channels + c) * pixels.count, planes = buffer + n * phases.count
                    for (pixel, offset) in pixels.enumerated() { image[pixel] = planes[offset] }
                }
            }
        }
    }

    /// Runs are a few floats long (Wo: 4 to 28 in the networks ganpipe names), too short for a
    /// call to memmove, which is what a plain element loop compiles to.
    @inline(__always)
    static func copy(_ source: UnsafeMutablePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var t = 0
        while t + 8 <= count {
            UnsafeMutableRawPointer(target + t).storeBytes(of: UnsafeRawPointer(source + t).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
            t += 8
        }
        if t + 4 <= count {
            UnsafeMutableRawPointer(target + t).storeBytes(of: UnsafeRawPointer(source + t).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
            t += 4
        }
        if t < count { target[t] = source[t] }
        if t + 1 < count { target[t + 1] = source[t + 1] }
        if t + 2 < count { target[t + 2] = source[t + 2] }
    }

    @inline(__always)
    static func add(_ source: UnsafeMutablePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var t = 0
        while t + 8 <= count {
            let sum = UnsafeRawPointer(target + t).loadUnaligned(as: SIMD8<Float>.self) + UnsafeRawPointer(source + t).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(target + t).storeBytes(of: sum, as: SIMD8<Float>.self)
            t += 8
        }
        if t + 4 <= count {
            let sum = UnsafeRawPointer(target + t).loadUnaligned(as: SIMD4<Float>.self) + UnsafeRawPointer(source + t).loadUnaligned(as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(target + t).storeBytes(of: sum, as: SIMD4<Float>.self)
            t += 4
        }
        if t < count { target[t] += source[t] }
        if t + 1 < count { target[t + 1] += source[t + 1] }
        if t + 2 < count { target[t + 2] += source[t + 2] }
    }

    @inline(__always)
    static func withPhaseBuffer(_ phases: Phases, batch: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: batch * phases.count)
        body(buffer)
        buffer.deallocate()
    }

    /// For every kernel tap (i, j) of channel `c` and every image n: `body(line, run, Wo)` for
    /// each of the Ho output rows, `line` the row's Wo entries in the unfolded matrix (row
    /// (c, i, j), columns (n, oh, 0..<Wo)) and `run` the Wo phase-plane entries they hold.
    @inline(__always)
    static func sweep(_ cols: UnsafeMutablePointer<Float>, _ buffer: UnsafeMutablePointer<Float>, _ phases: Phases, channel c: Int,
                      batch: Int, _ g: ConvolutionGeometry,
                      _ body: (_ line: UnsafeMutablePointer<Float>, _ run: UnsafeMutablePointer<Float>, _ width: Int) -> Void) {
        let columns = batch * g.positions, s = g.stride
        for i in 0..<g.kernelHeight {
            for j in 0..<g.kernelWidth {
                let row = (c * g.kernelHeight + i) * g.kernelWidth + j
                let tap = ((i % s) * s + j % s) * phases.plane + (i / s) * phases.columns + j / s
                for n in 0..<batch {
                    let lines = cols + row * columns + n * g.positions, runs = buffer + n * phases.count + tap
                    for oh in 0..<g.outputHeight {
                        body(lines + oh * g.outputWidth, runs + oh * phases.columns, g.outputWidth)
                    }
                }
            }
        }
    }
}
