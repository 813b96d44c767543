import CKernels
import CPlatform
import Glibc

/// OpenBLAS, loaded by ganpipe itself on first use so that the kernel is chosen for the CPU
/// found (see `BLASKernel`):
/// 1. a user's `OPENBLAS_CORETYPE` is respected as it is;
/// 2. otherwise the library chooses, and where its choice uses a narrower vector unit than the
///    CPU offers (a CPU newer than its model table), ganpipe loads it again with
///    `OPENBLAS_CORETYPE` set to the kernel the CPU's features call for.
/// OpenBLAS reads the variable only while it loads, hence loading it here rather than linking
/// it. The environment is restored afterwards, so child processes decide for themselves.
///
/// One BLAS thread per process unless `threadCount` says otherwise: on a shared 2-core machine
/// a second spin-waiting BLAS thread collapses throughput as soon as another process holds a
/// core, and a sweep gets its parallelism from running several runs at once. GEMM results can
/// depend on the thread count, so a run records it.
public enum BLAS {
    /// The library's file name (Debian's alternatives link for OpenBLAS).
    public static let libraryName = "libopenblas.so.0"

    /// Tests only: the kernel to treat as OpenBLAS's own choice (it is loaded with this core
    /// type first, in place of the user's `OPENBLAS_CORETYPE`), so that the replacement path
    /// runs on any CPU. `GANPIPE_TEST_BLAS_CHOICE=Prescott` reproduces a CPU the library does not know.
    public static let testChoiceVariable = "GANPIPE_TEST_BLAS_CHOICE"

    /// Called once, when the first BLAS call loads the library (set it before any): the command
    /// line prints the replacement notice, or the error, there. Loading on first use means
    /// that commands that compute nothing never load the library, nor print the notice.
    nonisolated(unsafe) public static var didLoad: (Result<BLASRuntime, BLASLoadError>) -> Void = { _ in }

    private static let loaded: Result<BLASRuntime, BLASLoadError> = {
        let result = load(cpu: .current)
        didLoad(result)
        return result
    }()

    /// The loaded BLAS (loading it on first use). A library that cannot be loaded is a broken
    /// installation: `didLoad` hears of it first, and the command line ends there with one line.
    public static var runtime: BLASRuntime {
        switch loaded {
        case .success(let runtime): return runtime
        case .failure(let error): preconditionFailure(error.description)
        }
    }

    /// OpenBLAS worker threads (`openblas_get_num_threads` / `openblas_set_num_threads`).
    public static var threadCount: Int {
        get {
            _ = runtime
            return Int(gp_blas_get_num_threads())
        }
        set {
            checkPrecondition(newValue >= 1, "BLAS.threadCount must be at least 1, got \(newValue)")
            _ = runtime
            gp_blas_set_num_threads(Int32(newValue))
        }
    }

    /// C[m×n] = op(A)·op(B) (row-major, α = 1, β = 0). A is stored `[rowsA, columnsA]`, B
    /// `[rowsB, columnsB]`, row-major; the flags make BLAS read them transposed in place. C need
    /// not be initialised; `k == 0` writes zeros.
    public static func gemm(_ a: UnsafePointer<Float>, rowsA: Int, columnsA: Int, transposeA: Bool,
                            _ b: UnsafePointer<Float>, rowsB: Int, columnsB: Int, transposeB: Bool,
                            into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int) {
        gemm(a, rowStrideA: columnsA, transposeA: transposeA, b, rowStrideB: columnsB, transposeB: transposeB,
             into: c, rowStrideC: n, m: m, n: n, k: k)
    }

    /// The same on sub-matrices, and the one place that chooses who computes a product: row `r`
    /// of a stored operand starts `rowStride·r` floats after its pointer (BLAS's leading
    /// dimension). With `accumulate`, C ← C + op(A)·op(B) (β = 1; C must be initialised).
    /// Products that `isSmall` calls small run in ganpipe's own kernel, the rest in OpenBLAS.
    public static func gemm(_ a: UnsafePointer<Float>, rowStrideA: Int, transposeA: Bool,
                            _ b: UnsafePointer<Float>, rowStrideB: Int, transposeB: Bool,
                            into c: UnsafeMutablePointer<Float>, rowStrideC: Int, m: Int, n: Int, k: Int,
                            accumulate: Bool = false) {
        guard m > 0 && n > 0 else { return }
        guard k > 0 else {
            if !accumulate {
                for row in 0..<m { (c + row * rowStrideC).initialize(repeating: 0, count: n) }
            }
            return
        }
        // Where the kernel cannot allocate its scratch (a repacked B of at most 8 MiB, or a
        // transposed C no larger than C), OpenBLAS does the product.
        if isSmall(m: m, n: n, k: k, transposeB: transposeB),
           ganpipe_small_gemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, a, max(rowStrideA, 1),
                              b, max(rowStrideB, 1), accumulate ? 1 : 0, c, rowStrideC) == 0 {
            return
        }
        openBLASGemm(a, rowStrideA: rowStrideA, transposeA: transposeA, b, rowStrideB: rowStrideB, transposeB: transposeB,
                     into: c, rowStrideC: rowStrideC, m: m, n: n, k: k, accumulate: accumulate)
    }

    /// The same product always through OpenBLAS (`cblas_sgemm`; m, n, k ≥ 1), whatever its size:
    /// `gemm`'s fallback, and what `ganpipe bench kernels` compares ganpipe's choice with.
    public static func openBLASGemm(_ a: UnsafePointer<Float>, rowStrideA: Int, transposeA: Bool,
                                    _ b: UnsafePointer<Float>, rowStrideB: Int, transposeB: Bool,
                                    into c: UnsafeMutablePointer<Float>, rowStrideC: Int, m: Int, n: Int, k: Int,
                                    accumulate: Bool = false) {
        _ = runtime
        gp_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k),
                 a, Int32(max(rowStrideA, 1)), b, Int32(max(rowStrideB, 1)), accumulate ? 1 : 0, c, Int32(rowStrideC))
    }

    /// Products ganpipe computes itself (`ganpipe_small_gemm` in CKernels): those of at most
    /// 128³ multiply-adds, and thin ones (a dimension of 1 or 2: a network's input and output
    /// layers), where OpenBLAS spends its time scaling, packing and dispatching rather than
    /// multiplying (`ganpipe bench kernels` shows both side by side). The rule looks at the shape
    /// alone, never at the CPU or the thread count, so such a product has the same bits
    /// everywhere: each entry is one chain of fused multiply-adds in k order. A thin product
    /// larger than that whose transposed B would take more than 4 MiB to repack stays with
    /// OpenBLAS (a small one repacks at most 8 MiB).
    public static func isSmall(m: Int, n: Int, k: Int, transposeB: Bool) -> Bool {
        let (mn, product) = m.multipliedReportingOverflow(by: n)
        let (mnk, overflow) = mn.multipliedReportingOverflow(by: k)
        if !product && !overflow && mnk <= 128 * 128 * 128 { return true }
        guard Swift.min(m, n, k) <= 2 else { return false }
        let (repacked, tooMany) = n.multipliedReportingOverflow(by: k)
        return !transposeB || n == 1 || (!tooMany && repacked <= 1 << 20)
    }

    /// y ← y + α·x over `count` contiguous floats (`cblas_saxpy`).
    public static func axpy(count: Int, alpha: Float, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        guard count > 0 else { return }
        _ = runtime
        gp_saxpy(Int32(count), alpha, x, y)
    }

    static func load(cpu: CPUInfo) -> Result<BLASRuntime, BLASLoadError> {
        let user = environmentValue("OPENBLAS_CORETYPE")
        let simulated = environmentValue(testChoiceVariable)
        do {
            let first = try open(coreType: simulated ?? user, cpu: cpu)
            let choice: BLASRuntime.Choice = simulated == nil && user != nil ? .user : .library
            guard choice == .library, let better = BLASKernel.replacement(for: first.kernel, on: cpu) else {
                var runtime = first
                runtime.choice = choice
                runtime.requestedKernel = choice == .user ? user : nil
                return .success(runtime)
            }
            var runtime = try open(coreType: better, cpu: cpu)
            runtime.choice = .ganpipe
            runtime.replacedKernel = first.kernel
            return .success(runtime)
        } catch {
            return .failure(error)
        }
    }

    /// (Re)loads the library with `OPENBLAS_CORETYPE` set to `coreType` (unset for nil) while it
    /// loads, then restores the variable; one BLAS thread.
    private static func open(coreType: String?, cpu: CPUInfo) throws(BLASLoadError) -> BLASRuntime {
        let previous = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        if let coreType { setenv("OPENBLAS_CORETYPE", coreType, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        defer {
            if let previous { setenv("OPENBLAS_CORETYPE", previous, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        }
        var message = [CChar](repeating: 0, count: 512)
        guard gp_blas_open(libraryName, &message, message.count) == 0 else {
            throw BLASLoadError(library: libraryName, reason: String(decoding: message.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self))
        }
        gp_blas_set_num_threads(1)
        let configuration = String(cString: gp_blas_config())
        let words = configuration.split(separator: " ")
        let version = words.count > 1 && words[0] == "OpenBLAS" ? String(words[1]) : "unknown"
        return BLASRuntime(cpu: cpu, library: "OpenBLAS", version: version, configuration: configuration,
                           kernel: String(cString: gp_blas_corename()), choice: .library)
    }

    /// An environment variable's value; set but empty counts as unset.
    private static func environmentValue(_ name: String) -> String? {
        guard let raw = getenv(name), raw.pointee != 0 else { return nil }
        return String(cString: raw)
    }
}

/// OpenBLAS could not be loaded: the installation lacks it.
public struct BLASLoadError: Error, CustomStringConvertible, Sendable {
    public var library: String
    public var reason: String

    public var description: String {
        "cannot load \(library) (\(reason)); install Debian's libopenblas0-pthread (`apt-get install libopenblas0-pthread`)"
    }
}
