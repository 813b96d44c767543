import GRDB

/// Runs SQL typed by a person on a read-only connection: every statement is checked with
/// `sqlite3_stmt_readonly` before anything runs, so a statement that would write (including
/// `VACUUM INTO`, `ATTACH` and `PRAGMA x = y`) is refused and the database stays unchanged.
public struct ReadOnlyQuery: Sendable {
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// The rows of the last statement that returns columns.
    public struct Result: Sendable, Equatable {
        public var columns: [String]
        public var rows: [[Cell]]
    }

    /// One value of a result; blobs are reported by size only.
    public enum Cell: Sendable, Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob(Int)
    }

    public func run(_ sql: String) throws -> Result {
        do {
            return try database.reader.read { db in
                let statements = try Array(db.allStatements(sql: sql))
                guard !statements.isEmpty else { throw StoreError.sqlite("the query is empty; pass one SQL statement such as \"SELECT * FROM runs\"") }
                for statement in statements where !statement.isReadonly {
                    throw StoreError.writingQuery(statement.sql)
                }
                var result = Result(columns: [], rows: [])
                for statement in statements {
                    let rows = try Row.fetchAll(statement)
                    guard statement.columnCount > 0 else { continue }
                    result = Result(columns: statement.columnNames, rows: rows.map { row in
                        (0..<row.count).map { index in Self.cell(row[index] as DatabaseValue) }
                    })
                }
                return result
            }
        } catch let error as DatabaseError {
            throw StoreError.sqlite(error.message ?? "\(error.resultCode)")
        }
    }

    static func cell(_ value: DatabaseValue) -> Cell {
        switch value.storage {
        case .null: return .null
        case .int64(let value): return .integer(value)
        case .double(let value): return .real(value)
        case .string(let value): return .text(value)
        case .blob(let data): return .blob(data.count)
        }
    }
}
