import CBLAS

/// Process-wide control of OpenBLAS.
///
/// ganpipe runs one BLAS thread per training process (the CLI sets `BLAS.threadCount = 1` at
/// start): on a shared 2-core machine a second spin-waiting BLAS thread collapses throughput
/// as soon as another process holds a core, and a sweep gets its parallelism from running
/// several runs at once. GEMM results can depend on the thread count, so a run records it.
public enum BLAS {
    /// OpenBLAS worker threads (`openblas_get_num_threads` / `openblas_set_num_threads`).
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set {
            checkPrecondition(newValue >= 1, "BLAS.threadCount must be at least 1, got \(newValue)")
            openblas_set_num_threads(Int32(newValue))
        }
    }

    /// C[m×n] = op(A)·op(B) — the one call site of `cblas_sgemm` (row-major, α = 1, β = 0).
    /// A is stored `[rowsA, columnsA]`, B `[rowsB, columnsB]`, row-major; the flags make BLAS
    /// read them transposed in place. C need not be initialised; `k == 0` writes zeros.
    public static func gemm(_ a: UnsafePointer<Float>, rowsA: Int, columnsA: Int, transposeA: Bool,
                            _ b: UnsafePointer<Float>, rowsB: Int, columnsB: Int, transposeB: Bool,
                            into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int) {
        guard m > 0 && n > 0 else { return }
        guard k > 0 else {
            c.initialize(repeating: 0, count: m * n)
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k),
                    1, a, Int32(max(columnsA, 1)),
                    b, Int32(max(columnsB, 1)),
                    0, c, Int32(n))
    }
}
