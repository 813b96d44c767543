import Foundation
internal import GRDB
internal import GRDBSQLite

/// Runs SQL typed by a person on a read-only connection: every statement is checked with
/// `sqlite3_stmt_readonly` before anything runs, so a statement that would write (including
/// `VACUUM INTO`, `ATTACH` and `PRAGMA x = y`) is refused and the database stays unchanged.
public struct ReadOnlyQuery: Sendable {
    public let database: GanDatabase

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// The rows of the statement that returns columns.
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

    /// All rows of the statement that returns columns (for a bounded query).
    public func run(_ sql: String) throws -> Result {
        var result = Result(columns: [], rows: [])
        _ = try stream(sql, maxRows: .max, timeout: .infinity, columns: { result.columns = $0; result.rows = [] },
                       row: { result.rows.append($0) })
        return result
    }

    /// SQLite's functions that expose process memory, replaced on the query's connection by
    /// ones that fail: `fts3_tokenizer` returns the address of a tokenizer module (and, with
    /// two arguments, would install one from an address). Replacing the function, instead of
    /// looking for its name in the text, also covers a view in the database that calls it.
    static let disabledFunctions: [DatabaseFunction] = [1, 2].map { (arguments: Int) in
        DatabaseFunction("fts3_tokenizer", argumentCount: arguments, pure: false) { _ -> (any DatabaseValueConvertible)? in
            throw DatabaseError(message: "fts3_tokenizer is not available in ganpipe sql (it exposes memory addresses)")
        }
    }

    /// Runs `sql` and hands over, as they are read, the columns and then each row of its one
    /// statement that returns columns (more than one is refused: which one the user meant is
    /// a guess). Stops after
    /// `maxRows` rows (returning true: there were more) and fails after `timeout` seconds, so a
    /// query never takes unbounded memory or time. `fts3_tokenizer`, which exposes a memory
    /// address, fails (`disabledFunctions`).
    @discardableResult
    public func stream(_ sql: String, maxRows: Int, timeout: Double, columns: ([String]) throws -> Void,
                       row: ([Cell]) throws -> Void) throws -> Bool {
        do {
            return try database.reader.read { db in
                for function in Self.disabledFunctions { db.add(function: function) }
                let statements = try Array(db.allStatements(sql: sql))
                guard !statements.isEmpty else { throw StoreError.sqlite("the query is empty; pass one SQL statement such as \"SELECT * FROM runs\"") }
                for statement in statements where !statement.isReadonly {
                    throw StoreError.writingQuery(statement.sql)
                }
                let returning = statements.filter { $0.columnCount > 0 }.count
                guard returning <= 1 else {
                    throw StoreError.sqlite("the query has \(returning) statements that return rows and ganpipe sql prints one result; run them one at a time")
                }
                let deadline = Deadline(seconds: timeout)
                sqlite3_progress_handler(db.sqliteConnection, 10_000, { context in
                    Unmanaged<Deadline>.fromOpaque(context!).takeUnretainedValue().isPast ? 1 : 0
                }, Unmanaged.passUnretained(deadline).toOpaque())
                defer { sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil) }
                do {
                    for statement in statements {
                        guard statement.columnCount > 0 else {
                            try statement.execute()
                            continue
                        }
                        try columns(statement.columnNames)
                        let cursor = try Row.fetchCursor(statement)
                        var count = 0
                        while let next = try cursor.next() {
                            if count == maxRows { return true }
                            try row((0..<next.count).map { Self.cell(next[$0] as DatabaseValue) })
                            count += 1
                        }
                    }
                } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT && deadline.isPast {
                    throw StoreError.sqlite("the query ran longer than \(Int(timeout)) s; narrow it (WHERE, LIMIT) or allow more time with --timeout")
                }
                return false
            }
        } catch let error as DatabaseError {
            throw StoreError.sqlite(error.message ?? "\(error.resultCode)")
        }
    }

    /// A point in time the progress handler compares with.
    private final class Deadline: @unchecked Sendable {
        let end: Double
        init(seconds: Double) { end = Self.now() + seconds }
        var isPast: Bool { Self.now() > end }
        static func now() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_MONOTONIC, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
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
