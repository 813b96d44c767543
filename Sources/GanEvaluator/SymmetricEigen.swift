import Foundation

/// Eigenvalues and eigenvectors of a real symmetric matrix by the cyclic Jacobi method
/// (Golub & Van Loan, "Matrix Computations", §8.5): sweeps of plane rotations that zero each
/// off-diagonal entry in turn until the off-diagonal mass falls below 1e-22 of the total (or
/// 100 sweeps). Double precision throughout; accurate to a few ulps of the largest eigenvalue,
/// which is what the Fréchet distance needs. O(d³) per sweep, about 6–10 sweeps.
public struct SymmetricEigen: Sendable {
    /// The eigenvalues (unsorted).
    public let values: [Double]
    /// Row-major `[d, d]`; column k is the unit eigenvector of `values[k]`.
    public let vectors: [Double]
    public let dimension: Int

    /// Decomposes the symmetric row-major `[dimension, dimension]` matrix `matrix`.
    public init(_ matrix: [Double], dimension n: Int) {
        precondition(matrix.count == n * n, "SymmetricEigen: \(matrix.count) values for [\(n), \(n)]")
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        let total = a.reduce(0) { $0 + $1 * $1 }
        a.withUnsafeMutableBufferPointer { a in
            v.withUnsafeMutableBufferPointer { v in
                for _ in 0..<100 {
                    var off = 0.0
                    for p in 0..<n { for q in (p + 1)..<max(n, p + 1) { off += a[p * n + q] * a[p * n + q] } }
                    if off <= 1e-22 * total || off == 0 { break }
                    for p in 0..<n {
                        for q in (p + 1)..<max(n, p + 1) {
                            let apq = a[p * n + q]
                            if apq == 0 { continue }
                            let app = a[p * n + p], aqq = a[q * n + q]
                            // Rotation angle from cot 2θ = (aqq − app) / 2apq, the smaller root for t = tan θ.
                            let theta = (aqq - app) / (2 * apq)
                            let t = (theta >= 0 ? 1 : -1) / (Swift.abs(theta) + (theta * theta + 1).squareRoot())
                            let c = 1 / (t * t + 1).squareRoot(), s = t * c
                            for k in 0..<n {
                                let akp = a[k * n + p], akq = a[k * n + q]
                                a[k * n + p] = c * akp - s * akq
                                a[k * n + q] = s * akp + c * akq
                            }
                            for k in 0..<n {
                                let apk = a[p * n + k], aqk = a[q * n + k]
                                a[p * n + k] = c * apk - s * aqk
                                a[q * n + k] = s * apk + c * aqk
                            }
                            for k in 0..<n {
                                let vkp = v[k * n + p], vkq = v[k * n + q]
                                v[k * n + p] = c * vkp - s * vkq
                                v[k * n + q] = s * vkp + c * vkq
                            }
                        }
                    }
                }
            }
        }
        values = (0..<n).map { a[$0 * n + $0] }
        vectors = v
        dimension = n
    }

    /// V · f(Λ) · Vᵀ: the matrix function `f` applied to the eigenvalues.
    public func applying(_ f: (Double) -> Double) -> [Double] {
        let n = dimension
        let scaled = values.map(f)
        var result = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var sum = 0.0
                for k in 0..<n { sum += vectors[i * n + k] * scaled[k] * vectors[j * n + k] }
                result[i * n + j] = sum
                result[j * n + i] = sum
            }
        }
        return result
    }
}
