import ArgumentParser
import Foundation
import GanTensor

/// `ganpipe bench …`: benchmarks that print their figures (time goals live here, not in tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure ganpipe's speed on this machine (build with -c release first).",
        subcommands: [Kernels.self, Train.self]
    )

    struct Kernels: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The CPU, the BLAS kernel, its FMA peak, and GFLOP/s of Tensor.matmul next to bare cblas_sgemm on the products of a 2→512→512→512→1 MLP at batch 256, and the time of one WGAN-GP penalty gradient pass.",
            discussion: "With --json the last line is one JSON object: matmul_gflops, blas_gflops, gp_pass_ms, blas (cpu, library, version, kernel, choice), fma_peak_gflops, matmul_fraction_of_peak, and the rows.")

        @Option(help: "OpenBLAS threads.") var threads: Int = 1
        @Option(help: "Timed repetitions per figure (the median is reported).") var repetitions: Int = 30
        @Flag(help: "End with one JSON object.") var json = false

        func run() throws {
            guard (1...256).contains(threads) else { throw CommandError("--threads must be between 1 and 256 (got \(threads))") }
            guard (1...100_000).contains(repetitions) else { throw CommandError("--repetitions must be between 1 and 100000 (got \(repetitions))") }
            let report = KernelBenchmark.run(threads: threads, repetitions: repetitions)
            for line in report.blas.summary { print("\(line.label): \(line.text)") }
            let peak = report.fmaPeakGflops.map { String(format: "%.1f GFLOP/s", $0) } ?? "not measured (below AVX2)"
            print("fma peak (\(report.peakVectorUnit), one core): \(peak)")
            if let cpuPeak = report.cpuFmaPeakGflops, let preferred = BLASKernel.preferred(for: report.blas.cpu) {
                print(String(format: "note: this CPU has %@ (peak %.1f GFLOP/s), which the %@ kernel does not use; unset OPENBLAS_CORETYPE or set it to %@",
                             report.blas.cpu.widestVectorUnit.description, cpuPeak, report.blas.kernel, preferred))
            }
            var table = TextTable(columns: ["product", "m", "n", "k", "flags", "matmul GFLOP/s", "sgemm GFLOP/s", "ratio", "of peak"])
            for row in report.rows {
                table.rows.append([row.name, String(row.m), String(row.n), String(row.k), row.flags,
                                   String(format: "%.1f", row.matmulGflops), String(format: "%.1f", row.blasGflops),
                                   String(format: "%.2f", row.blasGflops > 0 ? row.matmulGflops / row.blasGflops : 0),
                                   row.fractionOfPeak.map { String(format: "%.2f", $0) } ?? "-"])
            }
            print(table.render())
            print(String(format: "total: Tensor.matmul %.1f GFLOP/s, cblas_sgemm %.1f GFLOP/s (ratio %.3f); penalty gradient pass %.2f ms; %d thread(s), median of %d",
                         report.matmulGflops, report.blasGflops, report.matmulToBlasRatio, report.gpPassMilliseconds,
                         report.threads, report.repetitions))
            if let fraction = report.matmulFractionOfPeak {
                print(String(format: "reference shapes (256×512×512): %.2f of the FMA peak", fraction))
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            }
        }
    }
}
