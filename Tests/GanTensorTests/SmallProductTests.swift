import GanTensor
import Testing

/// ganpipe's own kernel for small and thin matrix products (`BLAS.isSmall`, CKernels' gemm.c):
/// every entry must be exactly one chain of fused multiply-adds in k order, whatever the tile
/// or path it falls in, on sub-matrices with row strides, and without touching anything
/// outside C.
@Suite struct SmallProductTests {
    /// op(A)·op(B) (+ C) entry by entry, as `Float.addingProduct` (one rounding) in k order.
    static func chain(_ a: [Float], rowStrideA: Int, transposeA: Bool, _ b: [Float], rowStrideB: Int, transposeB: Bool,
                      c: [Float], rowStrideC: Int, m: Int, n: Int, k: Int, accumulate: Bool) -> [Float] {
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k {
                    let x = transposeA ? a[p * rowStrideA + i] : a[i * rowStrideA + p]
                    let y = transposeB ? b[j * rowStrideB + p] : b[p * rowStrideB + j]
                    s = s.addingProduct(x, y)
                }
                out[i * rowStrideC + j] = accumulate ? c[i * rowStrideC + j] + s : s
            }
        }
        return out
    }

    /// Shapes around every tile edge (6 rows, 8 and 16 columns), the thin ones of a network's
    /// first and last layer, and the narrow transposed-A products the kernel computes as Cᵀ.
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 7, 3), (5, 1, 9), (6, 8, 1), (7, 9, 2), (12, 16, 5), (13, 17, 33), (6, 24, 8),
        (17, 3, 40), (40, 2, 17), (64, 1, 64), (64, 64, 2), (33, 5, 64), (100, 37, 29), (64, 64, 64),
        (300, 2, 150), (2, 300, 150), (150, 300, 1),
        // Thin and above 128³ multiply-adds.
        (3000, 2, 400), (2500, 1, 1000),
    ]

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func everyEntryIsOneFusedChainInKOrder(_ flags: (Bool, Bool)) {
        let (transposeA, transposeB) = flags
        var generator = PhiloxGenerator(seed: 31)
        for (m, n, k) in Self.shapes {
            #expect(BLAS.isSmall(m: m, n: n, k: k, transposeB: transposeB))
            // Row strides wider than the rows: the products run on sub-matrices.
            let (rowsA, columnsA) = transposeA ? (k, m) : (m, k)
            let (rowsB, columnsB) = transposeB ? (n, k) : (k, n)
            let (strideA, strideB, strideC) = (columnsA + 3, columnsB + 1, n + 5)
            let a = Tensor.normal([rowsA * strideA], using: &generator).scalars
            let b = Tensor.normal([rowsB * strideB], using: &generator).scalars
            let c = Tensor.normal([m * strideC], using: &generator).scalars
            for accumulate in [false, true] {
                let expected = Self.chain(a, rowStrideA: strideA, transposeA: transposeA, b, rowStrideB: strideB,
                                          transposeB: transposeB, c: c, rowStrideC: strideC, m: m, n: n, k: k,
                                          accumulate: accumulate)
                var own = c, reference = c
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        own.withUnsafeMutableBufferPointer { out in
                            BLAS.gemm(a.baseAddress!, rowStrideA: strideA, transposeA: transposeA,
                                      b.baseAddress!, rowStrideB: strideB, transposeB: transposeB,
                                      into: out.baseAddress!, rowStrideC: strideC, m: m, n: n, k: k, accumulate: accumulate)
                        }
                        reference.withUnsafeMutableBufferPointer { out in
                            BLAS.openBLASGemm(a.baseAddress!, rowStrideA: strideA, transposeA: transposeA,
                                              b.baseAddress!, rowStrideB: strideB, transposeB: transposeB,
                                              into: out.baseAddress!, rowStrideC: strideC, m: m, n: n, k: k, accumulate: accumulate)
                        }
                    }
                }
                let label = "\(m)×\(n)×\(k) \(transposeA ? "T" : "N")\(transposeB ? "T" : "N") accumulate \(accumulate)"
                // Bit for bit, the padding between C's rows included (it keeps C's old values).
                #expect(own.map(\.bitPattern) == expected.map(\.bitPattern), "\(label)")
                // And the same product as OpenBLAS computes it, up to rounding.
                let worst = zip(own, reference).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
                #expect(worst <= 1e-5 * Float(k), "\(label): off OpenBLAS by \(worst)")
            }
        }
    }

    @Test func theRuleLooksAtTheShapeAlone() {
        #expect(BLAS.isSmall(m: 64, n: 64, k: 64, transposeB: true))
        #expect(BLAS.isSmall(m: 128, n: 128, k: 128, transposeB: false))
        #expect(!BLAS.isSmall(m: 129, n: 128, k: 128, transposeB: false))
        #expect(!BLAS.isSmall(m: 256, n: 512, k: 512, transposeB: true))
        // Thin: a network's input and output layers at any batch size.
        #expect(BLAS.isSmall(m: 256, n: 512, k: 2, transposeB: true))
        #expect(BLAS.isSmall(m: 1, n: 512, k: 256, transposeB: false))
        #expect(BLAS.isSmall(m: 100_000, n: 1, k: 4096, transposeB: true))
        // … unless B, transposed, would take more than 4 MiB to repack.
        #expect(!BLAS.isSmall(m: 2, n: 4096, k: 4096, transposeB: true))
        #expect(BLAS.isSmall(m: 2, n: 4096, k: 4096, transposeB: false))
        // Sizes whose product overflows are not small (and not thin here).
        #expect(!BLAS.isSmall(m: Int.max, n: 3, k: 3, transposeB: false))
        #expect(!BLAS.isSmall(m: 3, n: Int.max, k: Int.max, transposeB: true))
    }
}
