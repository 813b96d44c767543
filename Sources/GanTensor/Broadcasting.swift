/// Shape arithmetic shared by the operations: numpy broadcasting, strides, axis normalisation.
///
/// Broadcasting aligns shapes at their trailing dimensions; two dimensions are compatible when
/// equal or when one of them is 1, and the result takes the larger. `[256, 512]` with `[512]`
/// or `[1, 512]` gives `[256, 512]`; `[256, 1]` with `[1, 3]` gives `[256, 3]`.
enum Broadcasting {
    /// The broadcast shape of `a` and `b`, or a precondition failure naming both shapes.
    static func shape(_ a: [Int], _ b: [Int], operation: StaticString) -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            checkPrecondition(da == db || da == 1 || db == 1,
                         "\(operation): shapes \(a) and \(b) do not broadcast")
            result[i] = da == 1 ? db : da
        }
        return result
    }

    /// Whether `shape` broadcasts to `target` (without changing `target`).
    static func broadcasts(_ shape: [Int], to target: [Int]) -> Bool {
        guard shape.count <= target.count else { return false }
        let offset = target.count - shape.count
        for i in 0..<shape.count where shape[i] != 1 && shape[i] != target[i + offset] {
            return false
        }
        return true
    }

    /// Row-major strides of `shape` seen through the broadcast to `target`: 0 on stretched or
    /// missing dimensions. The result has `target.count` entries.
    static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        let offset = target.count - shape.count
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i + offset] = shape[i] == 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }

    /// Row-major strides of a contiguous tensor of `shape`.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = step
            step *= shape[i]
        }
        return strides
    }

    /// The axes of `target` along which a gradient must be summed to get back to `shape`
    /// (leading axes `shape` lacks, and axes where `shape` has 1 and `target` does not).
    static func reducedAxes(from target: [Int], to shape: [Int]) -> [Int] {
        let offset = target.count - shape.count
        var axes = Array(0..<offset)
        for i in 0..<shape.count where shape[i] == 1 && target[i + offset] != 1 {
            axes.append(i + offset)
        }
        return axes
    }

    /// Axes with negative values counted from the end, sorted and unique; `nil` means all.
    static func normalizedAxes(_ axes: [Int]?, rank: Int, operation: StaticString) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        // The common case, already sorted, unique and in range, is returned as it is.
        if axes.indices.allSatisfy({ axes[$0] >= 0 && axes[$0] < rank && ($0 == 0 || axes[$0 - 1] < axes[$0]) }) {
            return axes
        }
        let normalized = axes.map { axis -> Int in
            let a = axis < 0 ? axis + rank : axis
            checkPrecondition(a >= 0 && a < rank, "\(operation): axis \(axis) out of range for rank \(rank)")
            return a
        }
        return Array(Set(normalized)).sorted()
    }

    /// Splits `shape` around `axis` into (outer, size, inner) element counts.
    static func split(_ shape: [Int], at axis: Int) -> (outer: Int, size: Int, inner: Int) {
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        return (outer, shape[axis], inner)
    }
}

/// Programmer-mistake checks that keep their message in release builds.
///
/// Swift's `precondition` drops its message under `-O`, so a shape mismatch in a release
/// training run would only say "precondition failure". Operations call this instead: the
/// condition is checked in every build, and a failure stops the process with the message
/// naming both shapes (e.g. `matmul: shapes [256, 3] and [2, 512] have inner dimensions 3 ≠ 2`).
/// Data errors are never reported this way: they throw (`TensorError`).
@usableFromInline @inline(__always)
func checkPrecondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                       file: StaticString = #fileID, line: UInt = #line) {
    if _slowPath(!condition()) {
        fatalError("GanTensor: " + message(), file: file, line: line)
    }
}
