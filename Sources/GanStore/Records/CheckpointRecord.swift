import Foundation

/// A row of `checkpoints`. Written in one transaction with its parts; `complete` is set last,
/// so a checkpoint with `complete == false` is never loaded.
public struct CheckpointRecord: Codable, Equatable, Sendable {
    public var id: Int64?
    public var runId: Int64
    public var step: Int
    public var complete: Bool
    public var byteCount: Int64
    public var createdAt: String

    public init(runId: Int64, step: Int, complete: Bool = false, byteCount: Int64 = 0,
                createdAt: String = Timestamp.now()) {
        self.runId = runId
        self.step = step
        self.complete = complete
        self.byteCount = byteCount
        self.createdAt = createdAt
    }
}

/// A row of `checkpoint_parts`: one part of a named blob of a checkpoint (a weight tensor,
/// optimizer moments, a random-stream state), with its own SHA-256.
public struct CheckpointPartRecord: Codable, Equatable, Sendable {
    public var checkpointId: Int64
    public var name: String
    public var partIndex: Int
    /// `float32` (little-endian), `uint64`, `bytes` or `json`.
    public var elementType: String
    public var shapeJson: String
    public var data: Data
    public var sha256: String

    /// A part of a blob, its checksum computed here.
    public init(checkpointId: Int64, name: String, partIndex: Int, elementType: String, shapeJson: String, data: Data) {
        self.checkpointId = checkpointId
        self.name = name
        self.partIndex = partIndex
        self.elementType = elementType
        self.shapeJson = shapeJson
        self.data = data
        self.sha256 = SHA256.hex(data)
    }
}

extension CheckpointRecord: IdentifiedRecord {
    static let databaseTableName = "checkpoints"
}

extension CheckpointPartRecord: StoredRecord {
    static let databaseTableName = "checkpoint_parts"
}
