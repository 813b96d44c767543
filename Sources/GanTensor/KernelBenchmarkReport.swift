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

    /// `matmulGflops / blasGflops`; the goal is ≥ 0.9.
    public var matmulToBlasRatio: Double { blasGflops > 0 ? matmulGflops / blasGflops : 0 }

    public init(threads: Int, repetitions: Int, batchSize: Int, layerWidths: [Int], rows: [Row],
                matmulGflops: Double, blasGflops: Double, gpPassMilliseconds: Double) {
        self.threads = threads
        self.repetitions = repetitions
        self.batchSize = batchSize
        self.layerWidths = layerWidths
        self.rows = rows
        self.matmulGflops = matmulGflops
        self.blasGflops = blasGflops
        self.gpPassMilliseconds = gpPassMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case threads, repetitions, rows
        case batchSize = "batch_size"
        case layerWidths = "layer_widths"
        case matmulGflops = "matmul_gflops"
        case blasGflops = "blas_gflops"
        case gpPassMilliseconds = "gp_pass_ms"
    }
}
