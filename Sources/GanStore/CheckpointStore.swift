import Foundation
internal import GRDB

/// One named blob of a checkpoint: weights, optimizer moments, a random-stream state.
public struct CheckpointBlob: Equatable, Sendable {
    public var name: String
    /// `float32` (little-endian), `uint64`, `bytes` or `json`.
    public var elementType: String
    public var shape: [Int]
    public var data: Data

    public init(name: String, elementType: String, shape: [Int], data: Data) {
        self.name = name
        self.elementType = elementType
        self.shape = shape
        self.data = data
    }

    /// A float32 blob of `values` (little-endian), `shape` as given.
    public static func float32(_ name: String, shape: [Int], values: [Float]) -> CheckpointBlob {
        CheckpointBlob(name: name, elementType: "float32", shape: shape, data: Data(TypedArrayCodec.bytes(values)))
    }

    /// The values of a float32 blob; nil for any other element type or a torn length.
    public var floats: [Float]? {
        guard elementType == "float32", data.count % 4 == 0 else { return nil }
        return TypedArrayCodec.floats(data, as: .float32, count: data.count / 4)
    }
}

/// Writes and reads checkpoints: each blob split into parts of at most `partSize` bytes with a
/// SHA-256 each; the checkpoint row's `complete` flag is set after its parts, in the same
/// transaction, so a checkpoint is either whole or absent.
public struct CheckpointStore: Sendable {
    public static let partSize = 4 << 20
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// Writes a checkpoint of `runId` at `step` in one immediate transaction, replacing one at
    /// the same step, and returns its row. (The trainer writes its checkpoints with its metrics,
    /// through `RunJournal.commit`.)
    @discardableResult
    public func write(_ blobs: [CheckpointBlob], runId: Int64, step: Int) throws -> CheckpointRecord {
        try GanDatabase.wrap(path: database.path) {
            try database.writer.write { try Self.write(blobs, runId: runId, step: step, in: $0) }
        }
    }

    /// Writes a checkpoint of `runId` at `step` inside the caller's transaction, replacing one
    /// at the same step.
    @discardableResult
    static func write(_ blobs: [CheckpointBlob], runId: Int64, step: Int, in db: Database) throws -> CheckpointRecord {
        try db.execute(sql: "DELETE FROM checkpoints WHERE run_id = ? AND step = ?", arguments: [runId, step])
        var checkpoint = CheckpointRecord(runId: runId, step: step)
        try checkpoint.insert(db)
        var total: Int64 = 0
        for blob in blobs {
            let shape = String(decoding: try JSONEncoder().encode(blob.shape), as: UTF8.self)
            var offset = 0, index = 0
            repeat {
                let end = min(offset + partSize, blob.data.count)
                var part = CheckpointPartRecord(checkpointId: checkpoint.id!, name: blob.name, partIndex: index,
                                                elementType: blob.elementType, shapeJson: shape,
                                                data: blob.data.subdata(in: offset..<end))
                try part.insert(db)
                offset = end
                index += 1
            } while offset < blob.data.count
            total += Int64(blob.data.count)
        }
        checkpoint.complete = true
        checkpoint.byteCount = total
        try checkpoint.update(db)
        return checkpoint
    }

    /// The complete checkpoint of `runId` with the highest step, if any.
    public func latestComplete(runId: Int64) throws -> CheckpointRecord? {
        try database.reader.read { try Self.latestComplete(runId: runId, in: $0) }
    }

    /// `latestComplete(runId:)` inside the caller's transaction.
    static func latestComplete(runId: Int64, in db: Database) throws -> CheckpointRecord? {
        try RecordRow<CheckpointRecord>.filter(Column("run_id") == runId && Column("complete") == true)
            .order(Column("step").desc).fetchOne(db)?.record
    }

    /// The steps of the complete checkpoints of `runId`, ascending.
    public func completeSteps(runId: Int64) throws -> [Int] {
        try database.reader.read { try Self.completeSteps(runId: runId, in: $0) }
    }

    /// `completeSteps(runId:)` inside the caller's transaction.
    static func completeSteps(runId: Int64, in db: Database) throws -> [Int] {
        try Int.fetchAll(db, sql: "SELECT step FROM checkpoints WHERE run_id = ? AND complete = 1 ORDER BY step", arguments: [runId])
    }

    /// The complete checkpoint of `runId` at `step`, if any.
    public func checkpoint(runId: Int64, step: Int) throws -> CheckpointRecord? {
        try database.reader.read { db in
            try RecordRow<CheckpointRecord>.filter(Column("run_id") == runId && Column("step") == step && Column("complete") == true)
                .fetchOne(db)?.record
        }
    }

    /// Every blob of `checkpoint` (or only the one called `name`), reassembled, each part's
    /// checksum verified.
    public func blobs(of checkpoint: CheckpointRecord, only name: String? = nil) throws -> [String: CheckpointBlob] {
        try database.reader.read { db in
            var blobs: [String: CheckpointBlob] = [:]
            var nextIndex: [String: Int] = [:]
            var request = RecordRow<CheckpointPartRecord>.filter(Column("checkpoint_id") == checkpoint.id)
            if let name { request = request.filter(Column("name") == name) }
            let parts = try request.order(Column("name"), Column("part_index")).fetchCursor(db)
            while let part = try parts.next()?.record {
                let label = "checkpoint at step \(checkpoint.step), blob '\(part.name)' part \(part.partIndex)"
                guard part.partIndex == nextIndex[part.name, default: 0], SHA256.hex(part.data) == part.sha256 else {
                    throw StoreError.corruptBlob(label)
                }
                nextIndex[part.name] = part.partIndex + 1
                if blobs[part.name] == nil {
                    let shape = (try? JSONDecoder().decode([Int].self, from: Data(part.shapeJson.utf8))) ?? []
                    blobs[part.name] = CheckpointBlob(name: part.name, elementType: part.elementType, shape: shape, data: part.data)
                } else {
                    blobs[part.name]!.data.append(part.data)
                }
            }
            let total = blobs.values.reduce(0) { $0 + Int64($1.data.count) }
            guard name != nil || total == checkpoint.byteCount else {
                throw StoreError.corruptBlob("checkpoint at step \(checkpoint.step) (\(total) of \(checkpoint.byteCount) bytes)")
            }
            return blobs
        }
    }
}
