/// What `KernelBenchmark.run` measured; printed by `ganpipe bench kernels [--json]`.
///
/// JSON keys are snake_case and fixed (`matmul_gflops`, `blas_gflops`, `gp_pass_ms`, …)
/// whatever key strategy the encoder uses, because scripts and CI read them.
public struct KernelBenchmarkReport: Codable, Sendable, Equatable {
    /// One matrix product of the benchmark MLP: `C[m, n] = op(A)·op(B)` with inner size k.
    public struct Row: Codable, Sendable, Equatable {
        /// Where the product occurs, e.g. `layer2.forward`, `layer2.input_gradient`.
        public var name: String
        public var m: Int
        public var n: Int
        public var k: Int
        /// Transpose flags of A and B: `NN`, `NT`, `TN` (BLAS convention).
        public var flags: String
        /// 2mnk / median time of one `Tensor.matmul` call (allocating its result), in GFLOP/s.
        public var matmulGflops: Double
        /// 2mnk / median time of one bare `cblas_sgemm` call on the same buffers, in GFLOP/s.
        public var blasGflops: Double
        /// Median time of one `Tensor.matmul` call, microseconds.
        public var matmulMicroseconds: Double
        /// Median time of one bare `cblas_sgemm` call, microseconds.
        public var blasMicroseconds: Double
        /// `matmulGflops` over the report's `fmaPeakGflops`.
        public var fractionOfPeak: Double?

        public init(name: String, m: Int, n: Int, k: Int, flags: String, matmulGflops: Double,
                    blasGflops: Double, matmulMicroseconds: Double, blasMicroseconds: Double) {
            self.name = name
            self.m = m
            self.n = n
            self.k = k
            self.flags = flags
            self.matmulGflops = matmulGflops
            self.blasGflops = blasGflops
            self.matmulMicroseconds = matmulMicroseconds
            self.blasMicroseconds = blasMicroseconds
        }

        enum CodingKeys: String, CodingKey {
            case name, m, n, k, flags
            case matmulGflops = "matmul_gflops"
            case blasGflops = "blas_gflops"
            case matmulMicroseconds = "matmul_us"
            case blasMicroseconds = "blas_us"
            case fractionOfPeak = "fraction_of_peak"
        }
    }

    /// OpenBLAS threads used for the measurement.
    public var threads: Int
    /// Timed repetitions per figure (each figure is the median).
    public var repetitions: Int
    /// Batch size and layer widths of the benchmark MLP (`[256, 2, 512, 512, 512, 1]`).
    public var batchSize: Int
    public var layerWidths: [Int]
    public var rows: [Row]
    /// Σ FLOPs / Σ median times over all rows, through `Tensor.matmul`.
    public var matmulGflops: Double
    /// Σ FLOPs / Σ median times over all rows, through bare `cblas_sgemm`.
    public var blasGflops: Double
    /// Median time of one forward + backward + double-backward pass: the gradient of the
    /// WGAN-GP penalty mean((‖∇ₓD(x̂)‖₂ − 1)²) with respect to all weights (arXiv 1704.00028).
    public var gpPassMilliseconds: Double

    /// The CPU, the BLAS library and version, the kernel and who chose it.
    public var blas: BLASRuntime
    /// The vector unit the kernel uses (the CPU's widest where the kernel name is unknown), and
    /// its measured single-core FMA peak in GFLOP/s (`FMAPeak`); nil below AVX2.
    public var peakVectorUnit: VectorUnit
    public var fmaPeakGflops: Double?
    /// The FMA peak of the CPU's widest unit, where the kernel uses a narrower one.
    public var cpuFmaPeakGflops: Double?
    /// Σ FLOPs / Σ median `Tensor.matmul` times over the reference shapes — the products
    /// whose three sizes are all at least 256 (256×512×512 and 512×512×256) — over
    /// `fmaPeakGflops`. The goal is ≥ 0.8.
    public var matmulFractionOfPeak: Double?

    /// `matmulGflops / blasGflops`: above 1 where ganpipe's own kernel beats OpenBLAS.
    public var matmulToBlasRatio: Double { blasGflops > 0 ? matmulGflops / blasGflops : 0 }

    public init(threads: Int, repetitions: Int, batchSize: Int, layerWidths: [Int], rows: [Row],
                matmulGflops: Double, blasGflops: Double, gpPassMilliseconds: Double, blas: BLASRuntime,
                peakVectorUnit: VectorUnit, fmaPeakGflops: Double?, cpuFmaPeakGflops: Double?) {
        self.threads = threads
        self.repetitions = repetitions
        self.batchSize = batchSize
        self.layerWidths = layerWidths
        self.rows = rows
        self.matmulGflops = matmulGflops
        self.blasGflops = blasGflops
        self.gpPassMilliseconds = gpPassMilliseconds
        self.blas = blas
        self.peakVectorUnit = peakVectorUnit
        self.fmaPeakGflops = fmaPeakGflops
        self.cpuFmaPeakGflops = cpuFmaPeakGflops
        guard let peak = fmaPeakGflops, peak > 0 else { return }
        for index in self.rows.indices { self.rows[index].fractionOfPeak = self.rows[index].matmulGflops / peak }
        let reference = self.rows.filter { min($0.m, $0.n, $0.k) >= 256 }
        let seconds = reference.reduce(0.0) { $0 + $1.matmulMicroseconds } * 1e-6
        let flops = reference.reduce(0.0) { $0 + 2 * Double($1.m * $1.n * $1.k) }
        if seconds > 0 { matmulFractionOfPeak = flops / seconds / 1e9 / peak }
    }

    enum CodingKeys: String, CodingKey {
        case threads, repetitions, rows
        case batchSize = "batch_size"
        case layerWidths = "layer_widths"
        case matmulGflops = "matmul_gflops"
        case blasGflops = "blas_gflops"
        case gpPassMilliseconds = "gp_pass_ms"
        case blas
        case peakVectorUnit = "peak_vector_unit"
        case fmaPeakGflops = "fma_peak_gflops"
        case cpuFmaPeakGflops = "cpu_fma_peak_gflops"
        case matmulFractionOfPeak = "matmul_fraction_of_peak"
    }
}
