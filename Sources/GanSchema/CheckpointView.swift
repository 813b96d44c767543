/// The names of `checkpoint_views.name`: what the evaluator computes from a checkpoint's
/// networks for the report to draw (the report runs no network). Documented for SQL users in
/// migrations/README.md; the table's CHECK constraint lists the same values.
public enum CheckpointViewName: String, CaseIterable, Codable, Sendable {
    /// Generated samples `[count, features]` from the evaluator's noise stream (the first of
    /// the samples it scores): 512 for data of up to 16 features, 64 beyond (an image grid).
    case samples
    /// For 2-D data, the discriminator's output over a grid of the plane `[rows, columns]`:
    /// `values[row][column]` at x = window[0] + column·(window[1] − window[0])/(columns − 1),
    /// y = window[2] + row·(window[3] − window[2])/(rows − 1).
    case criticField = "critic_field"
}

/// `checkpoint_views.meta_json`: how a view was made. Keys absent where they do not apply.
public struct CheckpointViewMeta: Codable, Sendable, Equatable {
    /// The evaluator seed whose noise drew the samples.
    public var seed: UInt64?
    /// critic_field: the plane shown, `[x_min, x_max, y_min, y_max]`.
    public var window: [Double]?
    /// critic_field: what the value is — `logit` (gan, nsgan, hinge) or `critic` (Wasserstein).
    public var output: String?

    public init(seed: UInt64? = nil, window: [Double]? = nil, output: String? = nil) {
        self.seed = seed
        self.window = window
        self.output = output
    }

    /// The plane shown around points spanning `x` and `y`: a square centred on their bounding
    /// box, 1.3 times its longer side, `[x_min, x_max, y_min, y_max]`.
    public static func window(x: ClosedRange<Double>, y: ClosedRange<Double>) -> [Double] {
        let half = Swift.max(x.upperBound - x.lowerBound, y.upperBound - y.lowerBound, 1e-6) * 0.65
        let (cx, cy) = ((x.lowerBound + x.upperBound) / 2, (y.lowerBound + y.upperBound) / 2)
        return [cx - half, cx + half, cy - half, cy + half]
    }
}
