import GanTensor
import Testing

/// The kernel rule (`BLASKernel`) on CPUs described by hand, and the BLAS this test process
/// actually loaded: a fast path silently lost is a failure here.
@Suite struct BLASKernelTests {
    static func cpu(_ vendor: String, _ features: [String]) -> CPUInfo {
        CPUInfo(vendor: vendor, modelName: "test CPU", family: 6, model: 207, stepping: 1, features: features)
    }

    static let avx512 = ["sse3", "avx", "fma", "avx2", "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"]
    static let intelAVX512 = cpu("GenuineIntel", avx512)
    static let amdAVX2 = cpu("AuthenticAMD", ["sse3", "avx", "fma", "avx2"])
    static let intelAVX2 = cpu("GenuineIntel", ["sse3", "avx", "fma", "avx2"])

    @Test func kernelsAreClassifiedByTheirVectorUnit() {
        #expect(BLASKernel.vectorUnit(of: "Prescott") == .sse)
        #expect(BLASKernel.vectorUnit(of: "NEHALEM") == .sse)
        #expect(BLASKernel.vectorUnit(of: "Sandybridge") == .avx)
        #expect(BLASKernel.vectorUnit(of: "Haswell") == .avx2)
        #expect(BLASKernel.vectorUnit(of: "Zen") == .avx2)
        #expect(BLASKernel.vectorUnit(of: "SkylakeX") == .avx512)
        #expect(BLASKernel.vectorUnit(of: "Cooperlake") == .avx512)
        #expect(BLASKernel.vectorUnit(of: "Zen7") == nil)
    }

    @Test func theWidestUnitNeedsEveryFeatureItsKernelsUse() {
        #expect(Self.intelAVX512.widestVectorUnit == .avx512)
        #expect(Self.cpu("GenuineIntel", ["avx", "fma", "avx2", "avx512f"]).widestVectorUnit == .avx2)
        #expect(Self.cpu("GenuineIntel", ["avx", "avx2"]).widestVectorUnit == .avx)
        #expect(Self.cpu("GenuineIntel", ["sse3"]).widestVectorUnit == .sse)
    }

    @Test func aGenericChoiceIsReplacedByTheKernelTheFeaturesCallFor() {
        #expect(BLASKernel.replacement(for: "Prescott", on: Self.intelAVX512) == "SkylakeX")
        #expect(BLASKernel.replacement(for: "Haswell", on: Self.intelAVX512) == "SkylakeX")
        #expect(BLASKernel.replacement(for: "Prescott", on: Self.amdAVX2) == "Zen")
        #expect(BLASKernel.replacement(for: "Barcelona", on: Self.amdAVX2) == "Zen")
        #expect(BLASKernel.replacement(for: "Nehalem", on: Self.intelAVX2) == "Haswell")
        // As wide as the CPU: the library's own choice stands.
        #expect(BLASKernel.replacement(for: "Cooperlake", on: Self.intelAVX512) == nil)
        #expect(BLASKernel.replacement(for: "Haswell", on: Self.amdAVX2) == nil)
        #expect(BLASKernel.replacement(for: "Zen", on: Self.intelAVX2) == nil)
        // Nothing better to offer, or a name ganpipe does not know: left alone.
        #expect(BLASKernel.replacement(for: "Prescott", on: Self.cpu("GenuineIntel", ["sse3", "avx"])) == nil)
        #expect(BLASKernel.replacement(for: "Zen7", on: Self.intelAVX512) == nil)
    }

    /// The loaded BLAS uses the CPU's widest vector unit unless the user asked otherwise
    /// through OPENBLAS_CORETYPE; and it computes.
    @Test func theLoadedKernelIsNotNarrowerThanTheCPUUnlessTheUserChoseIt() throws {
        let runtime = BLAS.runtime
        #expect(runtime.library == "OpenBLAS")
        #expect(!runtime.kernel.isEmpty && runtime.version != "unknown", "\(runtime)")
        #expect(runtime.cpu == CPUInfo.current)
        switch runtime.choice {
        case .library:
            #expect(!runtime.isNarrowerThanCPU, "OpenBLAS chose \(runtime.kernel) on a CPU with \(runtime.cpu.widestVectorUnit) and ganpipe kept it")
            #expect(runtime.replacedKernel == nil)
        case .ganpipe:
            #expect(runtime.kernel == BLASKernel.preferred(for: runtime.cpu))
            let replaced = try #require(runtime.replacedKernel)
            #expect(BLASKernel.vectorUnit(of: replaced).map { $0 < runtime.cpu.widestVectorUnit } == true)
        case .user:
            #expect(runtime.requestedKernel != nil)
        }
        if runtime.cpu.widestVectorUnit >= .avx2 && runtime.choice != .user {
            #expect(runtime.kernelVectorUnit.map { $0 >= .avx2 } == true, "a generic kernel on a CPU with AVX2: \(runtime.summary)")
        }
        #expect(BLAS.threadCount >= 1)
        let product = Tensor.matmul(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), Tensor(shape: [2, 2], scalars: [5, 6, 7, 8]))
        #expect(product.scalars == [19, 22, 43, 50])
    }

    @Test func theRecordedMachineRoundTripsThroughJSON() throws {
        let runtime = BLAS.runtime
        let decoded = try #require(BLASRuntime(json: runtime.json))
        #expect(decoded == runtime)
        #expect(runtime.json.contains("\"kernel_vector_unit\""))
        #expect(BLASRuntime(json: "{\"kernel\": 3}") == nil)
    }

    @Test func theFMAPeakIsMeasuredForUnitsTheCPUHas() {
        let cpu = CPUInfo.current
        if cpu.widestVectorUnit >= .avx2 {
            let peak = FMAPeak.measure(.avx2)
            #expect(peak.map { $0 > 1 && $0 < 10_000 } == true, "AVX2 FMA peak \(String(describing: peak)) GFLOP/s")
        }
        #expect(FMAPeak.measure(.sse) == nil)
        if cpu.widestVectorUnit < .avx512 { #expect(FMAPeak.measure(.avx512) == nil) }
    }
}
