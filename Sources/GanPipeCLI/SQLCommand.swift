import ArgumentParser
import Foundation
import GanStore

/// `ganpipe sql "QUERY"`: read-only SQL over the database, printed as a table, CSV or JSON.
struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run a read-only SQL query (the schema is documented in migrations/README.md).",
        discussion: "Statements that would write are refused before anything runs; the database is opened read-only.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The query, e.g. \"SELECT key, count(*) FROM metrics GROUP BY key\".") var query: String
    @Option(help: "Output format.") var format: Format = .table

    func run() throws {
        let opened = try database.openForReading()
        let result = try ReadOnlyQuery(opened).run(query)
        try opened.close()
        switch format {
        case .table:
            var table = TextTable(columns: result.columns)
            table.rows = result.rows.map { $0.map(Self.text) }
            if !result.columns.isEmpty { print(table.render()) }
            print("(\(result.rows.count) row\(result.rows.count == 1 ? "" : "s"))")
        case .csv:
            if !result.columns.isEmpty { print(result.columns.map(Self.csvField).joined(separator: ",")) }
            for row in result.rows {
                print(row.map { Self.csvField(Self.text($0, nullAs: "")) }.joined(separator: ","))
            }
        case .json:
            let objects = result.rows.map { row in
                Dictionary(zip(result.columns, row.map(Self.json)), uniquingKeysWith: { first, _ in first })
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(objects), as: UTF8.self))
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
