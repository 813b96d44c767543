/// Contour lines of a function sampled on a regular grid, by marching squares: for each level,
/// line segments where the interpolated surface crosses it. Saddle cells are split by the
/// cell-centre average. `values[row][column]`, row 0 at the lowest y.
struct ContourLines {
    typealias Segment = (x0: Double, y0: Double, x1: Double, y1: Double)

    var values: [[Double]]
    /// Grid coordinates: `xs[column]`, `ys[row]`.
    var xs: [Double]
    var ys: [Double]

    func segments(at level: Double) -> [Segment] {
        var result: [Segment] = []
        guard ys.count >= 2, xs.count >= 2 else { return result }
        for row in 0..<(ys.count - 1) {
            for column in 0..<(xs.count - 1) {
                // Corners counter-clockwise from bottom-left.
                let corners = [(column, row), (column + 1, row), (column + 1, row + 1), (column, row + 1)]
                let v = corners.map { values[$0.1][$0.0] }
                guard v.allSatisfy(\.isFinite) else { continue }
                var crossings: [(Double, Double)] = []
                for edge in 0..<4 {
                    let (a, b) = (edge, (edge + 1) % 4)
                    guard (v[a] < level) != (v[b] < level) else { continue }
                    let t = (level - v[a]) / (v[b] - v[a])
                    let (pa, pb) = (corners[a], corners[b])
                    crossings.append((xs[pa.0] + t * (xs[pb.0] - xs[pa.0]), ys[pa.1] + t * (ys[pb.1] - ys[pa.1])))
                }
                if crossings.count == 2 {
                    result.append((crossings[0].0, crossings[0].1, crossings[1].0, crossings[1].1))
                } else if crossings.count == 4 {
                    let centre = v.reduce(0, +) / 4
                    // Edges 0-1-2-3; pair so that the centre's side is respected.
                    if (centre < level) == (v[0] < level) {
                        result.append((crossings[0].0, crossings[0].1, crossings[1].0, crossings[1].1))
                        result.append((crossings[2].0, crossings[2].1, crossings[3].0, crossings[3].1))
                    } else {
                        result.append((crossings[0].0, crossings[0].1, crossings[3].0, crossings[3].1))
                        result.append((crossings[1].0, crossings[1].1, crossings[2].0, crossings[2].1))
                    }
                }
            }
        }
        return result
    }
}
