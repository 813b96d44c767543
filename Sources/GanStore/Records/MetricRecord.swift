/// A row of `metrics`: the value of one key at one step of one run. Keys are the stable
/// strings documented in migrations/README.md (e.g. `loss/discriminator`).
public struct MetricRecord: Codable, Equatable, Sendable {
    public var runId: Int64
    public var key: String
    public var step: Int
    /// NULL when the value was not finite.
    public var value: Double?

    public init(runId: Int64, key: String, step: Int, value: Double?) {
        self.runId = runId
        self.key = key
        self.step = step
        self.value = value
    }
}

/// Severity of an event; the `events.severity` CHECK constraint holds the same values.
public enum EventSeverity: String, Codable, CaseIterable, Sendable {
    case info, warning, error
}

/// A row of `events`: something that happened to a run at a step.
public struct EventRecord: Codable, Equatable, Sendable {
    public var id: Int64?
    public var runId: Int64
    public var step: Int?
    public var kind: String
    public var severity: EventSeverity
    public var message: String
    public var createdAt: String

    public init(runId: Int64, step: Int?, kind: String, severity: EventSeverity, message: String,
                createdAt: String = Timestamp.now()) {
        self.runId = runId
        self.step = step
        self.kind = kind
        self.severity = severity
        self.message = message
        self.createdAt = createdAt
    }
}

extension MetricRecord: StoredRecord {
    static let databaseTableName = "metrics"
}

extension EventRecord: IdentifiedRecord {
    static let databaseTableName = "events"
}
