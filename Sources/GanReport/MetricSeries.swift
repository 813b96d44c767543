import Foundation
import GanStore

/// One metric key of one run over steps, possibly downsampled: each point stands for a bucket
/// of consecutive steps and keeps the bucket's mean, minimum and maximum (so a spike survives
/// downsampling as the top of the band), how many of its values were not finite (stored as
/// NULL by the trainer) and how many were exactly zero (which a log scale cannot show).
public struct MetricSeries: Sendable, Equatable {
    /// A bucket of consecutive steps, as the store aggregates it.
    public typealias Point = MetricBucket

    public var key: String
    public var points: [Point]

    public init(key: String, points: [Point]) {
        self.key = key
        self.points = points
    }

    public var nonFiniteCount: Int { points.reduce(0) { $0 + $1.nonFiniteCount } }
    public var zeroCount: Int { points.reduce(0) { $0 + $1.zeroCount } }
    public var firstStep: Int? { points.first?.firstStep }
    public var lastStep: Int? { points.last?.lastStep }
    /// The last finite bucket mean (the last value when not downsampled).
    public var lastValue: Double? { points.last(where: { $0.mean != nil })?.mean }
    /// The one value every recorded step held, when the series never changed (and had no
    /// non-finite value); nil otherwise.
    public var constantValue: Double? {
        guard nonFiniteCount == 0, let value = points.first?.minimum,
              points.allSatisfy({ $0.minimum == value && $0.maximum == value }) else { return nil }
        return value
    }

    /// The first step whose value was not finite, to bucket precision.
    public var firstNonFiniteStep: Int? { points.first(where: { $0.nonFiniteCount > 0 })?.firstStep }
}

extension MetricBucket {
    /// Where the point sits on a step axis: the middle of its bucket.
    public var step: Double { Double(firstStep + lastStep) / 2 }
}
