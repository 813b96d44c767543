import Foundation
import GanSchema
internal import GRDB

/// A row of `checkpoint_views`: one thing the report draws from a checkpoint's networks,
/// computed by the evaluator (names and layout in `CheckpointViewName`), as float32 values of
/// `shape`, row-major.
public struct CheckpointView: Sendable, Equatable {
    public var runId: Int64
    public var step: Int
    public var name: CheckpointViewName
    public var shape: [Int]
    public var meta: CheckpointViewMeta
    public var values: [Float]

    public init(runId: Int64, step: Int, name: CheckpointViewName, shape: [Int], meta: CheckpointViewMeta, values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "CheckpointView: \(values.count) values for shape \(shape)")
        self.runId = runId
        self.step = step
        self.name = name
        self.shape = shape
        self.meta = meta
        self.values = values
    }
}

/// The gateway of `checkpoint_views`. The evaluator writes views in the transaction of its
/// scores (`EvaluationRecordStore.write`); the report reads them.
public struct CheckpointViewStore: Sendable {
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// Writes `views` inside the caller's transaction, replacing any at the same (run, step, name).
    static func upsert(_ views: [CheckpointView], in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO checkpoint_views (run_id, step, name, shape_json, meta_json, data, sha256, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let now = Timestamp.now()
        for view in views {
            let data = Data(TypedArrayCodec.bytes(view.values))
            try statement.execute(arguments: [view.runId, view.step, view.name.rawValue,
                                              String(decoding: try encoder.encode(view.shape), as: UTF8.self),
                                              String(decoding: try encoder.encode(view.meta), as: UTF8.self),
                                              data, SHA256.hex(data), now])
        }
    }

    /// The views of `runId` named `name`, ascending by step. A row whose bytes do not match its
    /// checksum or shape throws `StoreError.corruptBlob`; one whose meta cannot be read has
    /// empty meta.
    public func views(runId: Int64, name: CheckpointViewName) throws -> [CheckpointView] {
        try database.reader.read { db in
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let rows = try Row.fetchCursor(db, sql: """
                SELECT step, shape_json, meta_json, data, sha256 FROM checkpoint_views WHERE run_id = ? AND name = ? ORDER BY step
                """, arguments: [runId, name.rawValue])
            var views: [CheckpointView] = []
            while let row = try rows.next() {
                let step: Int = row["step"], data: Data = row["data"]
                let shape = try? decoder.decode([Int].self, from: Data((row["shape_json"] as String).utf8))
                guard let shape, let count = CheckedSize.product(shape), data.count % 4 == 0, count == data.count / 4,
                      SHA256.hex(data) == row["sha256"] as String else {
                    throw StoreError.corruptBlob("view '\(name.rawValue)' of run \(runId) at step \(step)")
                }
                let meta = (try? decoder.decode(CheckpointViewMeta.self, from: Data((row["meta_json"] as String).utf8))) ?? CheckpointViewMeta()
                views.append(CheckpointView(runId: runId, step: step, name: name, shape: shape, meta: meta,
                                            values: TypedArrayCodec.floats(data, as: .float32, count: count)))
            }
            return views
        }
    }
}
