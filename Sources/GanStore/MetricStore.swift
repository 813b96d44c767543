internal import GRDB

/// One key's values over a bucket of consecutive steps, aggregated by SQLite: the mean,
/// minimum and maximum of its finite values, how many rows it has, how many were not finite
/// (stored as NULL by the trainer) and how many were exactly zero.
public struct MetricBucket: Sendable, Equatable {
    public var firstStep: Int
    public var lastStep: Int
    /// Mean of the finite values in the bucket; nil when none was finite.
    public var mean: Double?
    public var minimum: Double?
    public var maximum: Double?
    public var count: Int
    public var nonFiniteCount: Int
    public var zeroCount: Int

    public init(firstStep: Int, lastStep: Int, mean: Double?, minimum: Double?, maximum: Double?,
                count: Int, nonFiniteCount: Int, zeroCount: Int) {
        self.firstStep = firstStep
        self.lastStep = lastStep
        self.mean = mean
        self.minimum = minimum
        self.maximum = maximum
        self.count = count
        self.nonFiniteCount = nonFiniteCount
        self.zeroCount = zeroCount
    }
}

/// Reads of `metrics` (the trainer writes them through `RunJournal`).
public struct MetricStore: Sendable {
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// Exact values of every key of `runId` starting with `keyPrefix` at `step` (nil: the value
    /// was not finite).
    public func values(runId: Int64, keyPrefix: String, step: Int) throws -> [String: Double?] {
        try database.reader.read { db in
            var result: [String: Double?] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM metrics WHERE run_id = ? AND step = ? AND key >= ? AND key < ?",
                                        arguments: [runId, step, keyPrefix, keyPrefix + "\u{10FFFF}"]) {
                result[row[0]] = row[1] as Double?
            }
            return result
        }
    }

    /// The recorded steps of `key` of `runId` nearest each of `targets` (the later one on a
    /// tie), without duplicates, ascending. Two indexed look-ups per target, one transaction.
    public func nearestSteps(runId: Int64, key: String, to targets: [Int]) throws -> [Int] {
        try database.reader.read { db in
            var found = Set<Int>()
            for target in targets {
                let after = try Int.fetchOne(db, sql: "SELECT min(step) FROM metrics WHERE run_id = ? AND key = ? AND step >= ?", arguments: [runId, key, target])
                let before = try Int.fetchOne(db, sql: "SELECT max(step) FROM metrics WHERE run_id = ? AND key = ? AND step <= ?", arguments: [runId, key, target])
                let candidates = [after, before].compactMap { $0 }
                if let best = candidates.min(by: { abs($0 - target) < abs($1 - target) }) { found.insert(best) }
            }
            return found.sorted()
        }
    }

    /// Every key of `runId` downsampled to at most about `bucketsPerKey` buckets (each of
    /// `bucketSize` steps; 1: every recorded step is its own bucket), aggregated in SQL in one
    /// pass over the run's rows, inside the caller's transaction. Buckets are ascending by step.
    static func downsampled(runId: Int64, bucketsPerKey: Int, in db: Database) throws -> (bucketSize: Int, series: [String: [MetricBucket]]) {
        let maxStep = try Int.fetchOne(db, sql: "SELECT max(step) FROM metrics WHERE run_id = ?", arguments: [runId]) ?? 0
        let bucketSize = max(1, Int((Double(maxStep) / Double(max(1, bucketsPerKey))).rounded(.up)))
        let rows = try Row.fetchCursor(db, sql: """
            SELECT key, step / ? AS bucket, min(step), max(step), avg(value), min(value), max(value),
                   count(*), count(value), sum(CASE WHEN value = 0 THEN 1 ELSE 0 END)
            FROM metrics WHERE run_id = ? GROUP BY key, bucket ORDER BY key, bucket
            """, arguments: [bucketSize, runId])
        var series: [String: [MetricBucket]] = [:]
        var currentKey = ""
        var buckets: [MetricBucket] = []
        while let row = try rows.next() {
            let key: String = row[0]
            if key != currentKey {
                if !buckets.isEmpty { series[currentKey] = buckets }
                currentKey = key
                buckets = []
            }
            let count: Int = row[7]
            let finite: Int = row[8]
            buckets.append(MetricBucket(firstStep: row[2], lastStep: row[3], mean: row[4], minimum: row[5], maximum: row[6],
                                        count: count, nonFiniteCount: count - finite, zeroCount: row[9] ?? 0))
        }
        if !buckets.isEmpty { series[currentKey] = buckets }
        return (bucketSize, series)
    }
}
