import Foundation
import GanTensor
import Testing

/// The benchmark API the CLI wraps: shapes, totals and JSON keys (speed goals are checked by
/// `ganpipe bench kernels`, not here; a short run only prints its figures).
struct KernelBenchmarkTests {
    @Test func reportCoversTheMLPProductsAndEncodesStableKeys() throws {
        let report = KernelBenchmark.run(threads: 1, repetitions: 3)
        #expect(report.rows.count == 12)
        #expect(Set(report.rows.map(\.flags)) == ["NT", "NN", "TN"])
        #expect(report.rows.contains { $0.m == 256 && $0.n == 512 && $0.k == 512 && $0.flags == "NT" })
        #expect(report.rows.contains { $0.m == 512 && $0.n == 512 && $0.k == 256 && $0.flags == "TN" })
        #expect(report.rows.allSatisfy { $0.matmulGflops > 0 && $0.blasGflops > 0 })
        #expect(report.gpPassMilliseconds > 0 && report.threads == 1)
        let flops = report.rows.reduce(0.0) { $0 + 2 * Double($1.m * $1.n * $1.k) }
        let seconds = report.rows.reduce(0.0) { $0 + $1.blasMicroseconds } * 1e-6
        #expect(Swift.abs(report.blasGflops - flops / seconds / 1e9) < 1e-6 * report.blasGflops)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        for key in ["\"matmul_gflops\"", "\"blas_gflops\"", "\"gp_pass_ms\"", "\"threads\""] {
            #expect(json.contains(key))
        }
        #expect(try JSONDecoder().decode(KernelBenchmarkReport.self, from: Data(json.utf8)) == report)
        print(String(format: "kernel benchmark: matmul %.1f GFLOP/s, blas %.1f GFLOP/s (ratio %.2f), gp pass %.1f ms",
                     report.matmulGflops, report.blasGflops, report.matmulToBlasRatio, report.gpPassMilliseconds))
    }
}
