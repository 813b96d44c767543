import Foundation

/// The BLAS this process loaded and the kernel it runs: recorded with every run (GEMM results
/// depend on the kernel, so a run is bit-identical on resume only on the same one) and printed
/// by `ganpipe show` and `ganpipe bench kernels`.
public struct BLASRuntime: Codable, Sendable, Equatable {
    /// Who chose the kernel.
    public enum Choice: String, Codable, Sendable {
        /// The library, from its table of CPU models.
        case library
        /// The user, through `OPENBLAS_CORETYPE` (always respected).
        case user
        /// ganpipe, because the library's choice used a narrower vector unit than the CPU has.
        case ganpipe
    }

    public var cpu: CPUInfo
    /// `OpenBLAS`.
    public var library: String
    /// `0.3.21`.
    public var version: String
    /// `openblas_get_config()` as the library loaded: build options and kernel.
    public var configuration: String
    /// The kernel in use (`openblas_get_corename()`), e.g. `SkylakeX`.
    public var kernel: String
    /// The vector unit the kernel's GEMM uses; nil for a kernel name ganpipe does not know.
    public var kernelVectorUnit: VectorUnit?
    public var choice: Choice
    /// What the library chose on its own where ganpipe replaced it (`choice == .ganpipe`).
    public var replacedKernel: String?
    /// The user's `OPENBLAS_CORETYPE` (`choice == .user`); it differs from `kernel` where the
    /// library did not know the name.
    public var requestedKernel: String?

    public init(cpu: CPUInfo, library: String, version: String, configuration: String, kernel: String,
                choice: Choice, replacedKernel: String? = nil, requestedKernel: String? = nil) {
        self.cpu = cpu
        self.library = library
        self.version = version
        self.configuration = configuration
        self.kernel = kernel
        self.kernelVectorUnit = BLASKernel.vectorUnit(of: kernel)
        self.choice = choice
        self.replacedKernel = replacedKernel
        self.requestedKernel = requestedKernel
    }

    enum CodingKeys: String, CodingKey {
        case cpu, library, version, configuration, kernel, choice
        case kernelVectorUnit = "kernel_vector_unit"
        case replacedKernel = "replaced_kernel"
        case requestedKernel = "requested_kernel"
    }

    /// As stored in `runs.machine_json`: one JSON object, keys sorted.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Reads `runs.machine_json`; nil for text that is not one (made by another version).
    public init?(json: String) {
        guard let value = try? JSONDecoder().decode(Self.self, from: Data(json.utf8)) else { return nil }
        self = value
    }

    /// `OpenBLAS 0.3.21, kernel SkylakeX`: what must match for bit-identical results.
    public var kernelIdentity: String { "\(library) \(version), kernel \(kernel)" }

    /// True where the kernel uses a narrower vector unit than the CPU offers (a user's
    /// `OPENBLAS_CORETYPE` can ask for that; ganpipe never chooses it).
    public var isNarrowerThanCPU: Bool {
        guard let unit = kernelVectorUnit else { return false }
        return unit < cpu.widestVectorUnit
    }

    /// `cpu` and `blas` lines as `show` and `bench kernels` print them.
    public var summary: [(label: String, text: String)] {
        let unit = kernelVectorUnit.map { " (\($0))" } ?? ""
        let chosenBy: String
        switch choice {
        case .library: chosenBy = "chosen by \(library)"
        case .ganpipe: chosenBy = "chosen by ganpipe (\(library) chose \(replacedKernel ?? "?"))"
        case .user:
            let requested = requestedKernel ?? kernel
            chosenBy = requested.lowercased() == kernel.lowercased()
                ? "chosen by OPENBLAS_CORETYPE"
                : "\(library)'s choice: it does not know OPENBLAS_CORETYPE=\(requested)"
        }
        return [("cpu", "\(cpu.summary); \(cpu.features.joined(separator: " "))"),
                ("blas", "\(library) \(version), kernel \(kernel)\(unit), \(chosenBy)")]
    }

    /// The one line the command line prints where ganpipe replaced the library's choice.
    public var replacementNotice: String? {
        guard choice == .ganpipe, let replacedKernel else { return nil }
        let unit = BLASKernel.vectorUnit(of: replacedKernel).map { " (\($0))" } ?? ""
        return "\(library) \(version) chose its \(replacedKernel) kernel\(unit) for this CPU with \(cpu.widestVectorUnit); "
            + "ganpipe uses \(kernel) instead (set OPENBLAS_CORETYPE to choose the kernel yourself)"
    }
}
