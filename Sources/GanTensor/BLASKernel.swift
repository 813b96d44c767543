/// OpenBLAS's kernel names (`openblas_get_corename()`, the values of `OPENBLAS_CORETYPE`) and
/// the rule by which ganpipe replaces the library's choice.
///
/// OpenBLAS picks its kernel from a table of CPU models. A CPU newer than the library (Debian
/// 12's OpenBLAS 0.3.21 on an Intel Xeon of family 6, model 207) gets its generic SSE3 kernel,
/// `Prescott`: an eighth of what the machine can do. ganpipe then asks for the kernel the CPU's
/// features call for — by features, not by model, so a CPU nobody has seen yet still gets one.
public enum BLASKernel {
    /// The vector unit a kernel's single-precision GEMM uses; nil for a name ganpipe does not
    /// know (it is then left alone).
    public static func vectorUnit(of kernel: String) -> VectorUnit? {
        switch kernel.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids":
            return .avx512
        case "haswell", "zen":
            return .avx2
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator":
            return .avx
        case "prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "barcelona", "opteron",
             "opteron_sse3", "bobcat", "nano", "athlon", "katmai", "coppermine", "northwood", "banias",
             "generic", "unknown":
            return .sse
        default:
            return nil
        }
    }

    /// The kernel ganpipe asks for on `cpu`: `SkylakeX` with AVX-512, `Zen` (AMD) or `Haswell`
    /// with AVX2 and FMA; nil below that (the library's own choice is as good as any).
    public static func preferred(for cpu: CPUInfo) -> String? {
        switch cpu.widestVectorUnit {
        case .avx512: "SkylakeX"
        case .avx2: cpu.vendor == "AuthenticAMD" ? "Zen" : "Haswell"
        case .avx, .sse: nil
        }
    }

    /// The kernel to load instead of `chosen`, the library's own choice on `cpu`: the
    /// preferred one where `chosen` uses a narrower vector unit than the CPU offers; nil to keep
    /// `chosen` (also for a kernel name ganpipe does not know).
    public static func replacement(for chosen: String, on cpu: CPUInfo) -> String? {
        guard let preferred = preferred(for: cpu), let chosenUnit = vectorUnit(of: chosen),
              let preferredUnit = vectorUnit(of: preferred), chosenUnit < preferredUnit else { return nil }
        return preferred
    }
}
