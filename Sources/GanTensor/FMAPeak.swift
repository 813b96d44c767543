import CPlatform

/// The measured single-core FMA peak of a vector unit, in GFLOP/s: independent
/// fused multiply-add chains on the unit's widest registers (more chains than latency × units,
/// so nothing waits), best of several ~20 ms timings after a warm-up that lets the clock settle.
/// A figure to divide GEMM speed by, not a datasheet number: it includes whatever clock the
/// core runs at under that load (AVX-512 lowers it on some Intel CPUs).
public enum FMAPeak {
    /// GFLOP/s of `unit` on one core; nil where the CPU lacks it or for units below AVX2.
    public static func measure(_ unit: VectorUnit, cpu: CPUInfo = .current) -> Double? {
        guard unit >= .avx2, unit <= cpu.widestVectorUnit else { return nil }
        let (seconds, flopsPerIteration): ((Int) -> Double, Double) = unit == .avx512
            ? ({ gp_fma_seconds_avx512($0) }, 512)
            : ({ gp_fma_seconds_avx2($0) }, 192)
        var iterations = 100_000
        var warmUp = 0.0
        while warmUp < 0.05 {  // about 50 ms of warm-up, calibrating the iteration count
            let elapsed = seconds(iterations)
            warmUp += elapsed
            if elapsed < 0.02 && iterations < 1 << 32 { iterations *= 2 }
        }
        let best = (0..<5).map { _ in seconds(iterations) }.min()!
        return flopsPerIteration * Double(iterations) / best / 1e9
    }
}
