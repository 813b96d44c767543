/// The lifecycle of a run; the `runs.status` CHECK constraint holds the same values.
public enum RunStatus: String, Codable, CaseIterable, Sendable {
    case queued, running, completed, failed, interrupted
}

/// A row of `runs`: one training run, its full resolved configuration and its lifecycle.
public struct RunRecord: Codable, Equatable, Sendable {
    public var id: Int64?
    public var name: String
    public var status: RunStatus
    public var objective: String
    public var datasetId: Int64?
    public var seed: Int64
    /// The full resolved configuration as JSON: every default made explicit.
    public var configJson: String
    public var configSha256: String
    public var pipeline: String?
    public var totalSteps: Int
    public var currentStep: Int
    public var createdAt: String
    public var startedAt: String?
    public var finishedAt: String?
    public var heartbeatAt: String?
    /// The process holding the run (`host:pid`) while it trains.
    public var owner: String?
    public var error: String?
    /// The CPU, BLAS library, version and kernel of the process that started the run (JSON), or
    /// nil before it started.
    public var machineJson: String?

    public init(name: String, objective: String, datasetId: Int64?, seed: Int64, configJson: String,
                totalSteps: Int, pipeline: String? = nil, status: RunStatus = .queued,
                createdAt: String = Timestamp.now()) {
        self.name = name
        self.status = status
        self.objective = objective
        self.datasetId = datasetId
        self.seed = seed
        self.configJson = configJson
        self.configSha256 = SHA256.hex(configJson)
        self.pipeline = pipeline
        self.totalSteps = totalSteps
        self.currentStep = 0
        self.createdAt = createdAt
    }
}

extension RunRecord: IdentifiedRecord {
    static let databaseTableName = "runs"
}
