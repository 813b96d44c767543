/// A row of `evaluations`: one sample-quality score of one checkpoint of a run.
public struct EvaluationRecord: Codable, Equatable, Sendable {
    public var id: Int64?
    public var runId: Int64
    /// The step of the evaluated checkpoint.
    public var step: Int
    public var metric: String
    public var value: Double?
    /// How many generated samples the value is based on.
    public var sampleCount: Int?
    public var seed: Int64?
    public var createdAt: String

    public init(runId: Int64, step: Int, metric: String, value: Double?, sampleCount: Int?, seed: Int64?,
                createdAt: String = Timestamp.now()) {
        self.runId = runId
        self.step = step
        self.metric = metric
        self.value = value
        self.sampleCount = sampleCount
        self.seed = seed
        self.createdAt = createdAt
    }
}

/// The pipeline stages; the `stages.stage` CHECK constraint holds the same values.
public enum StageName: String, Codable, CaseIterable, Sendable {
    case loader, trainer, evaluator
}

/// The status of a stage; the `stages.status` CHECK constraint holds the same values.
public enum StageStatus: String, Codable, CaseIterable, Sendable {
    case pending, running, completed, failed, skipped
}

/// A row of `stages`: the state of one stage of one run in a pipeline.
public struct StageRecord: Codable, Equatable, Sendable {
    public var id: Int64?
    public var runId: Int64
    public var stage: StageName
    public var status: StageStatus
    public var attempts: Int
    public var startedAt: String?
    public var finishedAt: String?
    public var error: String?

    public init(runId: Int64, stage: StageName, status: StageStatus = .pending, attempts: Int = 0) {
        self.runId = runId
        self.stage = stage
        self.status = status
        self.attempts = attempts
    }
}

extension EvaluationRecord: IdentifiedRecord {
    static let databaseTableName = "evaluations"
}

extension StageRecord: IdentifiedRecord {
    static let databaseTableName = "stages"
}
