import CPlatform

/// The widest vector unit a CPU offers (and its OS enables), or a BLAS kernel uses.
public enum VectorUnit: String, Codable, Comparable, Sendable, CustomStringConvertible {
    /// 128-bit SSE: OpenBLAS's generic kernels (Prescott, Core2, Nehalem, Barcelona, …).
    case sse
    /// 256-bit AVX without FMA (Sandy Bridge, Bulldozer).
    case avx
    /// 256-bit AVX2 with FMA.
    case avx2
    /// 512-bit AVX-512 (F, CD, DQ, BW, VL).
    case avx512

    public static func < (lhs: VectorUnit, rhs: VectorUnit) -> Bool { lhs.width < rhs.width }

    /// Register width in bits (AVX without FMA counts below AVX2).
    var width: Int {
        switch self {
        case .sse: 128
        case .avx: 255
        case .avx2: 256
        case .avx512: 512
        }
    }

    public var description: String {
        switch self {
        case .sse: "SSE"
        case .avx: "AVX"
        case .avx2: "AVX2"
        case .avx512: "AVX-512"
        }
    }
}

/// The CPU ganpipe runs on, from CPUID: its identity and the vector features that matter for
/// choosing a BLAS kernel. A feature is listed only where the OS also saves its registers.
public struct CPUInfo: Codable, Sendable, Equatable {
    /// `GenuineIntel`, `AuthenticAMD`, …
    public var vendor: String
    /// The brand string, e.g. `Intel(R) Xeon(R) Platinum 8581C CPU @ 2.10GHz`.
    public var modelName: String
    public var family: Int
    public var model: Int
    public var stepping: Int
    /// Lower-case names as Linux prints them in /proc/cpuinfo: `avx2`, `fma`, `avx512f`, …
    public var features: [String]

    enum CodingKeys: String, CodingKey {
        case vendor, family, model, stepping, features
        case modelName = "model_name"
    }

    /// The CPU this process runs on.
    public static let current = CPUInfo(identifying: ())

    public init(vendor: String, modelName: String, family: Int, model: Int, stepping: Int, features: [String]) {
        self.vendor = vendor
        self.modelName = modelName
        self.family = family
        self.model = model
        self.stepping = stepping
        self.features = features
    }

    private init(identifying: Void) {
        var info = gp_cpu_info()
        gp_cpu_identify(&info)
        let flags: [(String, Int32)] = [
            ("sse3", info.sse3), ("ssse3", info.ssse3), ("sse4_1", info.sse4_1), ("sse4_2", info.sse4_2),
            ("avx", info.avx), ("fma", info.fma), ("avx2", info.avx2),
            ("avx512f", info.avx512f), ("avx512dq", info.avx512dq), ("avx512cd", info.avx512cd),
            ("avx512bw", info.avx512bw), ("avx512vl", info.avx512vl), ("avx512_bf16", info.avx512_bf16),
        ]
        self.init(vendor: Self.string(info.vendor), modelName: Self.string(info.brand).trimmingSpaces(),
                  family: Int(info.family), model: Int(info.model), stepping: Int(info.stepping),
                  features: flags.filter { $0.1 != 0 }.map(\.0))
    }

    /// The widest vector unit usable here: AVX-512 needs F, CD, DQ, BW and VL (what OpenBLAS's
    /// SkylakeX kernels use), AVX2 needs FMA as well.
    public var widestVectorUnit: VectorUnit {
        let has = Set(features)
        if has.isSuperset(of: ["avx512f", "avx512cd", "avx512dq", "avx512bw", "avx512vl"]) { return .avx512 }
        if has.isSuperset(of: ["avx2", "fma"]) { return .avx2 }
        if has.contains("avx") { return .avx }
        return .sse
    }

    /// `Intel Xeon … (family 6, model 207)`: how `show` and the notices name the CPU.
    public var summary: String {
        let name = modelName.isEmpty ? vendor : modelName
        return "\(name) (family \(family), model \(model))"
    }

    private static func string<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { bytes in
            String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}

extension String {
    /// Without leading and trailing spaces, inner runs of spaces folded (brand strings are padded).
    func trimmingSpaces() -> String {
        split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
