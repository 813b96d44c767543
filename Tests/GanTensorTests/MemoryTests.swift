import Foundation
import GanTensor
import Testing

/// The graph is freed after every step: resident memory stays flat over 10,000 WGAN-GP-like
/// training steps (forward, penalty by double backward, backward, SGD update, zeroed gradients).
struct MemoryTests {
    /// Resident set size from `/proc/self/statm` (second field, in pages).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func residentMemoryStaysFlatOverTenThousandSteps() {
        var generator = PhiloxGenerator(seed: 99)
        let widths = [2, 64, 64, 1]
        var parameters: [Tensor] = []
        for (fanIn, fanOut) in zip(widths, widths.dropFirst()) {
            parameters.append(Tensor.normal([fanOut, fanIn], standardDeviation: 0.2, using: &generator, requiresGradient: true))
            parameters.append(Tensor.zeros([fanOut], requiresGradient: true))
        }
        func discriminator(_ x: Tensor) -> Tensor {
            var h = x
            for layer in 0..<3 {
                h = Tensor.matmul(h, parameters[2 * layer], transposeB: true) + parameters[2 * layer + 1]
                if layer < 2 { h = h.leakyRelu(slope: 0.2) }
            }
            return h
        }
        var noise = generator.stream(1)
        var samples: [Int] = []
        for step in 1...10_000 {
            let real = Tensor.normal([32, 2], mean: 1, using: &noise)
            let fake = Tensor.normal([32, 2], using: &noise)
            let alpha = Tensor.uniform([32, 1], using: &noise)
            let interpolates = (real * alpha + fake * (1 - alpha)).detached()
            interpolates.requiresGradient = true
            let score = discriminator(interpolates)
            let inputGradient = gradients(of: score.sum(), withRespectTo: [interpolates], createGraph: true)[0]!
            let penalty = (inputGradient.l2Norm(alongAxes: [1], epsilon: 1e-12) - 1).squared().mean()
            let loss = discriminator(fake).mean() - discriminator(real).mean() + 10 * penalty
            loss.backward()
            for p in parameters {
                p.addScaled(p.gradient!, scale: -1e-4)
                p.zeroGradient()
            }
            if step % 1000 == 0 { samples.append(Self.residentBytes()) }
        }
        #expect(parameters.allSatisfy { $0.isFinite })
        let growth = samples.last! - samples.first!
        // One leaked step would hold ≥ 100 KB of tensors, 900 MB over 9,000 steps. Resident
        // memory is the whole process's, and other suites run in parallel (the Fashion-MNIST
        // import alone holds ~40 MB), so the bound leaves them room; the weak-reference tests
        // check that each graph is freed exactly.
        #expect(growth < 128 << 20, "resident memory grew by \(growth >> 10) KiB: \(samples.map { $0 >> 20 }) MiB")
    }
}
