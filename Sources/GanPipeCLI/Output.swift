import Foundation
import GanStore

/// JSON for scripts: sorted keys, snake_case, one object per call on one line.
func printJSON<Value: Encodable>(_ value: Value) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// JSON for a dictionary built by hand (values: strings, numbers, booleans, arrays, nested
/// dictionaries, NSNull).
func printJSON(_ object: [String: any Sendable]) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
}

/// A plain-text table with aligned columns, as people read in a terminal.
struct TextTable {
    var columns: [String]
    var rows: [[String]] = []

    /// The table, every cell made safe for a terminal (`TerminalText`).
    func render() -> String {
        let rows = rows.map { $0.map { TerminalText.safe($0) } }
        var widths = columns.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        var lines = [line(columns), line(widths.map { String(repeating: "-", count: $0) })]
        lines += rows.map(line)
        return lines.joined(separator: "\n")
    }
}
