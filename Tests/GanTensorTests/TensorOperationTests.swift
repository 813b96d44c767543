import GanTensor
import Testing

/// Forward values: broadcasting, reductions, layout, matmul against a naive product, numerics
/// at the extremes, creation and data errors.
struct TensorOperationTests {
    @Test func broadcastingArithmetic() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect((a + Tensor([10, 20, 30])).scalars == [11, 22, 33, 14, 25, 36])
        #expect((a * Tensor(shape: [2, 1], scalars: [1, -1])).scalars == [1, 2, 3, -4, -5, -6])
        let outer = Tensor(shape: [2, 1], scalars: [1, 2]) - Tensor(shape: [1, 3], scalars: [1, 2, 3])
        #expect(outer.shape == [2, 3] && outer.scalars == [0, -1, -2, 1, 0, -1])
        #expect((1 / Tensor([2, 4])).scalars == [0.5, 0.25])
        #expect((-a).scalars == [-1, -2, -3, -4, -5, -6])
        let rank3 = Tensor.ones([2, 1, 3]) * Tensor(shape: [4, 1], scalars: [1, 2, 3, 4])
        #expect(rank3.shape == [2, 4, 3] && rank3.sum().scalar == 2 * 3 * 10)
    }

    @Test func reductions() {
        let a = Tensor(shape: [2, 3], scalars: [1, 5, 3, 4, 2, 6])
        #expect(a.sum().scalar == 21 && a.sum().shape == [])
        #expect(a.sum(alongAxes: [0]).scalars == [5, 7, 9])
        #expect(a.sum(alongAxes: [1], keepDims: true).shape == [2, 1])
        #expect(a.mean(alongAxes: [-1]).scalars == [3, 4])
        #expect(a.max(alongAxes: [1]).scalars == [5, 6])
        #expect(a.max().scalar == 6)
        let big = Tensor.ones([1000, 37])
        #expect(big.sum().scalar == 37_000 && big.sum(alongAxes: [0]).scalars.allSatisfy { $0 == 1000 })
        let tied = Tensor([2, 2, 1], requiresGradient: true)
        #expect(gradients(of: tied.max(), withRespectTo: [tied])[0]?.scalars == [0.5, 0.5, 0])
    }

    @Test func layout() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(a.transposed().scalars == [1, 4, 2, 5, 3, 6])
        #expect(a.reshaped([3, -1]).shape == [3, 2])
        let p = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init)).permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3] && p.scalars.prefix(6) == [0, 4, 8, 12, 16, 20])
        #expect(Tensor.concat([a, a * 10], alongAxis: 1).scalars == [1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60])
        #expect(Tensor.concat([a, a], alongAxis: 0).shape == [4, 3])
        #expect(a[rows: 1..<2].scalars == [4, 5, 6])
        #expect(a.slice(alongAxis: 1, 1..<3).scalars == [2, 3, 5, 6])
        #expect(a.padded(alongAxis: 0, before: 1, after: 0).scalars == [0, 0, 0, 1, 2, 3, 4, 5, 6])
        let big = Tensor(shape: [70, 45], scalars: (0..<3150).map(Float.init))
        let t = big.transposed()
        #expect(t.shape == [45, 70] && t.scalars[1] == 45 && t.scalars[70] == 1)
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulMatchesNaiveProduct(_ flags: (Bool, Bool)) {
        var generator = PhiloxGenerator(seed: 11)
        let (m, n, k) = (7, 5, 9)
        let a = Tensor.normal(flags.0 ? [k, m] : [m, k], using: &generator)
        let b = Tensor.normal(flags.1 ? [n, k] : [k, n], using: &generator)
        let c = Tensor.matmul(a, b, transposeA: flags.0, transposeB: flags.1)
        #expect(c.shape == [m, n])
        let av = a.scalars, bv = b.scalars
        for i in 0..<m {
            for j in 0..<n {
                var expected: Float = 0
                for p in 0..<k {
                    expected += (flags.0 ? av[p * m + i] : av[i * k + p]) * (flags.1 ? bv[j * k + p] : bv[p * n + j])
                }
                #expect(Swift.abs(c.scalars[i * n + j] - expected) < 1e-4)
            }
        }
    }

    @Test func numericallyStableActivations() {
        let x = Tensor([-1000, -20, 0, 20, 1000])
        let softplus = x.softplus().scalars
        #expect(softplus[0] == 0 && softplus[4] == 1000 && Swift.abs(softplus[2] - 0.693_147_2) < 1e-6)
        #expect(Swift.abs(softplus[1] - 2.061_153_6e-9) < 1e-12)
        let sigmoid = x.sigmoid().scalars
        #expect(sigmoid[0] == 0 && sigmoid[2] == 0.5 && sigmoid[4] == 1)
        #expect(x.relu().scalars == [0, 0, 0, 20, 1000])
        #expect(x.leakyRelu(slope: 0.1).scalars == [-100, -2, 0, 20, 1000])
        #expect(x.clamped(min: -1, max: 1).scalars == [-1, -1, 0, 1, 1])
        #expect(x.isFinite && !(x.log()).isFinite)
        let safe = Tensor.where(x .> 0, x.log(), Tensor(0))
        #expect(safe.isFinite)
    }

    @Test func creationAndDataErrors() throws {
        #expect(Tensor.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor.ones([3]).sum().scalar == 3)
        #expect(Tensor(rows: [[1, 2], [3, 4]]).shape == [2, 2])
        #expect(Tensor(shape: [2], initializingWith: { $0[0] = 1; $0[1] = 2 }).scalars == [1, 2])
        #expect(throws: TensorError.countMismatch(shape: [2, 2], count: 3)) {
            try Tensor(validatingShape: [2, 2], scalars: [1, 2, 3])
        }
        #expect(throws: TensorError.invalidShape([-1, 2])) {
            try Tensor(validatingShape: [-1, 2], scalars: [])
        }
        let t = try Tensor(validatingShape: [3], scalars: [1, 2, 3])
        #expect(throws: TensorError.self) { try t.assign(scalars: [1]) }
    }

    @Test func freedBuffersComeBackBySizeAcrossManySizes() {
        // 200 sizes no other test uses (the pool is shared): more than its table starts with,
        // so it grows while buckets are found by probing. Each size gets its own buffer back,
        // and live tensors never share one.
        let sizes = (0..<200).map { 77_777 + 13 * $0 }
        func address(_ tensor: Tensor) -> UnsafePointer<Float>? { tensor.withUnsafeBufferPointer { $0.baseAddress } }
        var first: [Int: UnsafePointer<Float>] = [:]
        for size in sizes { first[size] = address(Tensor.zeros([size])) }
        let live = sizes.reversed().map { size in Tensor.full(Float(size), shape: [size]) }
        #expect(live.allSatisfy { address($0) == first[$0.count] })
        #expect(Set(live.compactMap(address)).count == sizes.count)
        #expect(live.allSatisfy { tensor in tensor.scalars.allSatisfy { $0 == Float(tensor.count) } })
    }

    @Test func inPlaceUpdates() {
        let p = Tensor([1, 2, 3])
        p.addScaled(Tensor([1, 1, 1]), scale: -0.5)
        #expect(p.scalars == [0.5, 1.5, 2.5])
        p.scale(by: 2)
        p.clampInPlace(min: 0, max: 4)
        #expect(p.scalars == [1, 3, 4])
        p.withUnsafeMutableBufferPointer { $0[0] = 9 }
        #expect(p.scalar(at: 0) == 9)
        #expect(p.sumOfSquares() == 81 + 9 + 16)
        let view = p.reshaped([3, 1])
        p.fill(7)
        #expect(view.scalars == [7, 7, 7])
    }

    /// The vectorized probes: a single NaN or ±inf anywhere (lanes, block edges, the tail) is
    /// found; the largest finite values are not mistaken for one; Σx² matches a plain loop.
    @Test func finiteCheckAndSumOfSquaresCoverEveryPosition() {
        let count = 2 * 1024 + 13
        let values = (0..<count).map { Float(($0 * 7919) % 1000) / 100 - 5 }
        #expect(Tensor(shape: [count], scalars: values).isFinite)
        #expect(Tensor(shape: [3], scalars: [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0]).isFinite)
        for position in [0, 7, 8, 1023, 1024, 1031, count - 13, count - 1] {
            for bad in [Float.nan, .infinity, -.infinity] {
                var copy = values
                copy[position] = bad
                #expect(!Tensor(shape: [count], scalars: copy).isFinite, "\(bad) at \(position)")
            }
        }
        let plain = values.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(Tensor(shape: [count], scalars: values).sumOfSquares() - plain) <= 1e-12 * plain)
    }
}

extension Tensor {
    func scalar(at index: Int) -> Float { scalars[index] }
}
