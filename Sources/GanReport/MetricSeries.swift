import Foundation
import GanStore
import GRDB

/// One metric key of one run over steps, possibly downsampled: each point stands for a bucket
/// of consecutive steps and keeps the bucket's mean, minimum and maximum (so a spike survives
/// downsampling as the top of the band), how many of its values were not finite (stored as
/// NULL by the trainer) and how many were exactly zero (which a log scale cannot show).
public struct MetricSeries: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public var firstStep: Int
        public var lastStep: Int
        /// Mean of the finite values in the bucket; nil when none was finite.
        public var mean: Double?
        public var minimum: Double?
        public var maximum: Double?
        public var count: Int
        public var nonFiniteCount: Int
        public var zeroCount: Int

        /// Where the point sits on a step axis: the middle of its bucket.
        public var step: Double { Double(firstStep + lastStep) / 2 }
    }

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
    /// The first step whose value was not finite, to bucket precision.
    public var firstNonFiniteStep: Int? { points.first(where: { $0.nonFiniteCount > 0 })?.firstStep }

    /// Every series of run `runId` in one pass over its rows, grouped into buckets of
    /// `bucketSize` steps (1: every recorded step is its own point).
    static func load(runId: Int64, bucketSize: Int, in db: Database) throws -> [String: MetricSeries] {
        let bucket = max(1, bucketSize)
        let rows = try Row.fetchCursor(db, sql: """
            SELECT key, step / ? AS bucket, min(step), max(step), avg(value), min(value), max(value),
                   count(*), count(value), sum(CASE WHEN value = 0 THEN 1 ELSE 0 END)
            FROM metrics WHERE run_id = ? GROUP BY key, bucket ORDER BY key, bucket
            """, arguments: [bucket, runId])
        var result: [String: MetricSeries] = [:]
        var currentKey = ""
        var points: [Point] = []
        while let row = try rows.next() {
            let key: String = row[0]
            if key != currentKey {
                if !points.isEmpty { result[currentKey] = MetricSeries(key: currentKey, points: points) }
                currentKey = key
                points = []
            }
            let count: Int = row[7]
            let finite: Int = row[8]
            points.append(Point(firstStep: row[2], lastStep: row[3], mean: row[4], minimum: row[5], maximum: row[6],
                                count: count, nonFiniteCount: count - finite, zeroCount: row[9] ?? 0))
        }
        if !points.isEmpty { result[currentKey] = MetricSeries(key: currentKey, points: points) }
        return result
    }
}
