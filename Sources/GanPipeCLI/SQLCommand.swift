import ArgumentParser
import Foundation
import GanStore

/// `ganpipe sql "QUERY"`: read-only SQL over the database, printed as a table, CSV or JSON.
struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run a read-only SQL query (the schema is documented in migrations/README.md).",
        discussion: "Statements that would write are refused before anything runs; the database is opened read-only. Rows are printed as they are read (CSV, JSON), at most --max-rows of them, and a query is stopped after --timeout seconds.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The query, e.g. \"SELECT key, count(*) FROM metrics GROUP BY key\".") var query: String
    @Option(help: "Output format.") var format: Format = .table
    @Option(help: "Stop after this many rows, with a note on standard error (0: no limit).") var maxRows: Int = 100_000
    @Option(help: "Stop a query that runs longer than this, in seconds (0: no limit).") var timeout: Double = 60

    func run() throws {
        guard maxRows >= 0 else { throw CommandError("--max-rows must be 0 (no limit) or more (got \(maxRows))") }
        guard timeout >= 0, timeout.isFinite else { throw CommandError("--timeout must be 0 (no limit) or a number of seconds (got \(timeout))") }
        let opened = try database.openForReading()
        defer { try? opened.close() }
        // CSV and JSON stream row by row; the table is aligned, so it holds its (at most
        // --max-rows) rows until the end.
        var table: TextTable?
        var rowCount = 0
        var startedJSON = false
        var names: [String] = []
        func columns(_ columnNames: [String]) {
            names = columnNames
            rowCount = 0
            switch format {
            case .table: table = TextTable(columns: columnNames)
            case .csv: print(columnNames.map(Self.csvField).joined(separator: ","))
            case .json: break
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let truncated = try ReadOnlyQuery(opened).stream(
            query, maxRows: maxRows == 0 ? .max : maxRows, timeout: timeout == 0 ? .infinity : timeout,
            columns: columns,
            row: { row in
                rowCount += 1
                switch format {
                case .table: table?.rows.append(row.map(Self.text))
                case .csv: print(row.map { Self.csvField(Self.text($0, nullAs: "")) }.joined(separator: ","))
                case .json:
                    // Keys in the query's column order (a repeated name keeps its first value).
                    var seen = Set<String>()
                    let members = zip(names, row).filter { seen.insert($0.0).inserted }.map { name, cell in
                        Self.encoded(.string(name), encoder) + ":" + Self.encoded(Self.json(cell), encoder)
                    }
                    let text = "{" + members.joined(separator: ",") + "}"
                    print(startedJSON ? "," + text : "[" + text, terminator: "")
                    startedJSON = true
                }
            })
        switch format {
        case .table:
            if let table { print(table.render()) }
            print("(\(rowCount) row\(rowCount == 1 ? "" : "s"))")
        case .csv: break
        case .json: print(startedJSON ? "]" : "[]")
        }
        if truncated {
            FileHandle.standardError.write(Data("ganpipe: note: stopped after \(maxRows) rows (--max-rows); add LIMIT to the query or pass a larger --max-rows (0: no limit)\n".utf8))
        }
    }

    static func text(_ cell: ReadOnlyQuery.Cell) -> String {
        text(cell, nullAs: "NULL")
    }

    static func text(_ cell: ReadOnlyQuery.Cell, nullAs null: String) -> String {
        switch cell {
        case .null: return null
        case .integer(let value): return String(value)
        case .real(let value): return "\(value)"
        case .text(let value): return value
        case .blob(let count): return "<blob \(count) bytes>"
        }
    }

    static func encoded(_ value: JSONValue, _ encoder: JSONEncoder) -> String {
        String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    static func json(_ cell: ReadOnlyQuery.Cell) -> JSONValue {
        switch cell {
        case .null: return .null
        case .integer(let value): return .integer(value)
        case .real(let value): return value.isFinite ? .number(value) : .null
        case .text(let value): return .string(value)
        case .blob(let count): return .string("<blob \(count) bytes>")
        }
    }

    /// RFC 4180 quoting: fields with commas, quotes or line breaks are quoted.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
