import Glibc

/// The kernel benchmark behind `ganpipe bench kernels`: matrix products of a
/// 2→512→512→512→1 MLP at batch 256, through `Tensor.matmul` (which gives the thin products of
/// the first and last layer to ganpipe's own kernel, see `BLAS.isSmall`) and through a bare
/// `cblas_sgemm` on the same buffers, each also as a fraction of the measured FMA peak of the
/// vector unit the kernel uses (`FMAPeak`), and the time of one WGAN-GP penalty-gradient pass of
/// that MLP.
///
/// Weights use the PyTorch layout `W: [out, in]`, so per layer (x: [256, in], ḡ: [256, out]):
/// forward x·Wᵀ (`NT`), input gradient ḡ·W (`NN`), weight gradient ḡᵀ·x (`TN`) — exactly the
/// products the autodiff issues. Every figure is the median of `repetitions` timings on the
/// monotonic clock; each timing repeats the call until at least ~2 ms have passed.
public enum KernelBenchmark {
    /// Batch size and layer widths of the benchmark MLP.
    public static let batchSize = 256
    public static let layerWidths = [2, 512, 512, 512, 1]

    /// Runs the benchmark with `threads` OpenBLAS threads (restored afterwards).
    public static func run(threads: Int, repetitions: Int) -> KernelBenchmarkReport {
        checkPrecondition(threads >= 1 && repetitions >= 1,
                          "KernelBenchmark.run: threads \(threads) and repetitions \(repetitions) must be ≥ 1")
        let previousThreads = BLAS.threadCount
        BLAS.threadCount = threads
        defer { BLAS.threadCount = previousThreads }
        var generator = PhiloxGenerator(seed: 2017)
        var rows: [KernelBenchmarkReport.Row] = []
        for (layer, (fanIn, fanOut)) in zip(layerWidths, layerWidths.dropFirst()).enumerated() {
            let products: [(String, Int, Int, Int, Bool, Bool)] = [
                ("forward", batchSize, fanOut, fanIn, false, true),
                ("input_gradient", batchSize, fanIn, fanOut, false, false),
                ("weight_gradient", fanOut, fanIn, batchSize, true, false),
            ]
            for (kind, m, n, k, transposeA, transposeB) in products {
                rows.append(measure(name: "layer\(layer + 1).\(kind)", m: m, n: n, k: k,
                                    transposeA: transposeA, transposeB: transposeB,
                                    repetitions: repetitions, generator: &generator))
            }
        }
        let flops = rows.reduce(0.0) { $0 + 2 * Double($1.m * $1.n * $1.k) }
        let matmulSeconds = rows.reduce(0.0) { $0 + $1.matmulMicroseconds } * 1e-6
        let blasSeconds = rows.reduce(0.0) { $0 + $1.blasMicroseconds } * 1e-6
        let blas = BLAS.runtime
        let peakUnit = blas.kernelVectorUnit.map { min($0, blas.cpu.widestVectorUnit) } ?? blas.cpu.widestVectorUnit
        return KernelBenchmarkReport(
            threads: threads, repetitions: repetitions, batchSize: batchSize, layerWidths: layerWidths,
            rows: rows, matmulGflops: flops / matmulSeconds / 1e9, blasGflops: flops / blasSeconds / 1e9,
            gpPassMilliseconds: gradientPenaltyPassSeconds(repetitions: repetitions, generator: &generator) * 1e3,
            blas: blas, peakVectorUnit: peakUnit, fmaPeakGflops: FMAPeak.measure(peakUnit, cpu: blas.cpu),
            cpuFmaPeakGflops: peakUnit < blas.cpu.widestVectorUnit ? FMAPeak.measure(blas.cpu.widestVectorUnit, cpu: blas.cpu) : nil)
    }

    private static func measure(name: String, m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool,
                                repetitions: Int, generator: inout PhiloxGenerator) -> KernelBenchmarkReport.Row {
        let a = Tensor.normal(transposeA ? [k, m] : [m, k], using: &generator)
        let b = Tensor.normal(transposeB ? [n, k] : [k, n], using: &generator)
        let c = TensorStorage(repeating: 0, count: m * n)
        let bare = {
            BLAS.openBLASGemm(a.storage.pointer, rowStrideA: a.shape[1], transposeA: transposeA,
                              b.storage.pointer, rowStrideB: b.shape[1], transposeB: transposeB,
                              into: c.pointer, rowStrideC: n, m: m, n: n, k: k)
        }
        let throughTensor = { _ = Tensor.matmul(a, b, transposeA: transposeA, transposeB: transposeB) }
        // Interleave the two so that drift (frequency, a neighbour process) hits both alike.
        var matmulTimes: [Double] = [], blasTimes: [Double] = []
        let calls = callsPerTiming(bare)
        for _ in 0..<repetitions {
            matmulTimes.append(time(calls: calls, throughTensor))
            blasTimes.append(time(calls: calls, bare))
        }
        withExtendedLifetime((a, b, c)) {}
        let flops = 2 * Double(m * n * k)
        let matmulSeconds = median(matmulTimes), blasSeconds = median(blasTimes)
        return KernelBenchmarkReport.Row(
            name: name, m: m, n: n, k: k, flags: (transposeA ? "T" : "N") + (transposeB ? "T" : "N"),
            matmulGflops: flops / matmulSeconds / 1e9, blasGflops: flops / blasSeconds / 1e9,
            matmulMicroseconds: matmulSeconds * 1e6, blasMicroseconds: blasSeconds * 1e6)
    }

    /// One forward + ∇ₓ (createGraph) + ∂penalty/∂θ pass of the benchmark MLP with ReLU.
    private static func gradientPenaltyPassSeconds(repetitions: Int, generator: inout PhiloxGenerator) -> Double {
        var parameters: [Tensor] = []
        for (fanIn, fanOut) in zip(layerWidths, layerWidths.dropFirst()) {
            let bound = 1 / Float(fanIn).squareRoot()
            parameters.append(Tensor.uniform([fanOut, fanIn], low: -bound, high: bound, using: &generator, requiresGradient: true))
            parameters.append(Tensor.uniform([fanOut], low: -bound, high: bound, using: &generator, requiresGradient: true))
        }
        let interpolates = Tensor.normal([batchSize, layerWidths[0]], using: &generator, requiresGradient: true)
        let pass = {
            var h = interpolates
            for layer in 0..<(parameters.count / 2) {
                h = Tensor.matmul(h, parameters[2 * layer], transposeB: true) + parameters[2 * layer + 1]
                if layer < parameters.count / 2 - 1 { h = h.relu() }
            }
            let inputGradient = gradients(of: h.sum(), withRespectTo: [interpolates], createGraph: true)[0]!
            let penalty = (inputGradient.l2Norm(alongAxes: [1], epsilon: 1e-12) - 1).squared().mean()
            _ = gradients(of: penalty, withRespectTo: parameters)
        }
        pass()
        return median((0..<repetitions).map { _ in time(calls: 1, pass) })
    }

    /// How many calls make one timing last about 2 ms (at least one).
    private static func callsPerTiming(_ body: () -> Void) -> Int {
        body()
        let once = Swift.max(time(calls: 1, body), 1e-7)
        return Swift.max(1, Swift.min(10_000, Int(2e-3 / once)))
    }

    /// Seconds per call of `body`, averaged over `calls` back-to-back calls.
    private static func time(calls: Int, _ body: () -> Void) -> Double {
        let start = monotonicSeconds()
        for _ in 0..<calls { body() }
        return (monotonicSeconds() - start) / Double(calls)
    }

    /// `clock_gettime(CLOCK_MONOTONIC)` in seconds.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
