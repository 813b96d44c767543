// swift-tools-version: 6.0
import PackageDescription

/// Kernel targets get AVX2/FMA code generation: without it SIMD and float loops fall back to
/// scalar code on the default x86-64 target (measured: see Sources/GanTensor/AUTODIFF.md).
/// Their class properties are accessed without the run-time exclusivity check (tensors,
/// storages, graph nodes and the buffer pool are touched a few times per operation, and the
/// checks' access-set bookkeeping was 1.3% of a small training step); the compile-time check,
/// which covers everything but class properties and globals, stays on.
let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-march=x86-64-v3", "-enforce-exclusivity=unchecked"]),
]

let package = Package(
    name: "ganpipe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ganpipe", targets: ["ganpipe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
    ],
    targets: [
        // CPUID, FMA peak loops, and Debian's OpenBLAS loaded at run time (so that ganpipe can
        // choose its kernel before the library initialises: see Sources/GanTensor/BLAS.swift).
        .target(name: "CPlatform"),
        // ganpipe's one SplitMix64 and bounded-integer routine, under every seeded stream.
        .target(name: "GanRandom"),
        // The words the stages share because they are public schema: metric keys, evaluation
        // names, view names, configuration keys and defaults, the objectives, network descriptions.
        .target(name: "GanSchema"),
        .target(name: "GanTensor", dependencies: ["CPlatform", "CKernels", "GanRandom"], swiftSettings: kernelSettings),
        // Loops in C where Swift could not make them fast: the optimizers (see Sources/CKernels/optimizers.c
        // for why, and the flags that keep them bit-identical to the Swift formula) and the unfold/fold copies.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-march=x86-64-v3", "-fno-math-errno", "-ffp-contract=off"])]),
        .target(name: "GanNN", dependencies: ["GanTensor", "CKernels"], swiftSettings: kernelSettings),
        // Networks described once, as data: built into modules, rebuilt from checkpoints, named
        // for metric keys and export.
        .target(name: "GanModels", dependencies: ["GanNN", "GanSchema", "GanTensor"]),

        // migrations/*.sql are compiled into GanStore by this tool and plugin.
        .executableTarget(name: "EmbedMigrations"),
        .plugin(name: "EmbedMigrationsPlugin", capability: .buildTool(), dependencies: ["EmbedMigrations"]),
        // SHA-256 blocks with the x86 SHA extensions (checked at run time).
        .target(name: "CSHA256"),
        .target(
            name: "GanStore",
            dependencies: ["CSHA256", "GanSchema", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")],
            plugins: ["EmbedMigrationsPlugin"]
        ),

        // zlib from Debian's zlib1g-dev, for gzip-compressed IDX files.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "GanLoader", dependencies: ["GanStore", "GanRandom", "CZlib"]),
        .target(name: "GanTrainer", dependencies: ["GanModels", "GanNN", "GanSchema", "GanStore"]),
        .target(
            name: "GanPipeline",
            dependencies: ["GanSchema", "GanStore", "GanLoader", "GanTrainer", "GanEvaluator", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "GanEvaluator", dependencies: ["GanModels", "GanNN", "GanSchema", "GanStore"]),
        // Debian's dygraphs (libjs-dygraphs) is compiled into GanReport by this tool and plugin:
        // the interactive layer of every chart, inline in each page.
        .executableTarget(name: "EmbedChartLibrary"),
        .plugin(name: "EmbedChartLibraryPlugin", capability: .buildTool(), dependencies: ["EmbedChartLibrary"]),
        .target(name: "GanReport", dependencies: ["GanRandom", "GanSchema", "GanStore"], plugins: ["EmbedChartLibraryPlugin"]),
        // `ganpipe serve`: GanReport's pages over HTTP, read-only, redrawn as runs train.
        .target(name: "GanServe", dependencies: ["GanReport", "GanStore", .product(name: "Hummingbird", package: "hummingbird")]),

        .target(
            name: "GanPipeCLI",
            dependencies: [
                "GanModels", "GanSchema", "GanStore", "GanLoader", "GanTrainer", "GanPipeline", "GanEvaluator", "GanReport", "GanServe", "GanNN", "GanTensor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "ganpipe", dependencies: ["GanPipeCLI"]),

        .target(name: "GanTestSupport", dependencies: ["GanStore", "GanTensor", .product(name: "GRDB", package: "GRDB.swift")],
                path: "Tests/GanTestSupport"),
        .testTarget(name: "GanTensorTests", dependencies: ["GanTensor", "GanTestSupport"]),
        .testTarget(name: "GanNNTests", dependencies: ["GanNN", "GanModels", "GanTestSupport"]),
        .testTarget(name: "GanStoreTests", dependencies: ["GanStore", "GanTestSupport"]),
        .testTarget(name: "GanTrainerTests", dependencies: ["GanTrainer", "GanModels", "GanSchema", "GanTensor", "GanTestSupport"]),
        .testTarget(name: "GanPipelineTests", dependencies: ["GanPipeline", "GanSchema", "GanTestSupport"]),
        .testTarget(name: "GanLoaderTests", dependencies: ["GanLoader", "GanTestSupport"]),
        .testTarget(name: "GanEvaluatorTests", dependencies: ["GanEvaluator", "GanModels", "GanSchema", "GanTestSupport"]),
        .testTarget(name: "GanReportTests", dependencies: ["GanReport", "GanSchema", "GanTestSupport"]),
        .testTarget(name: "GanPipeCLITests", dependencies: ["GanPipeCLI", "GanSchema", "ganpipe", "GanTestSupport"]),
    ]
)
