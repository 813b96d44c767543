import Foundation

/// Reads numeric CSV text: one sample per line, every line with the same number of cells.
///
/// - The first line is a header when none of its cells is a number (auto-detected).
/// - Blank lines and lines starting with `#` are skipped; `\r\n` endings and a UTF-8 byte-order
///   mark are accepted; spaces around cells are ignored.
/// - Refused with `file:line:column` and the byte offset: a row with a different cell count
///   (ragged), an empty or non-numeric cell, NaN or ±Inf, a value beyond float32's range, a
///   label that is not an integer.
/// - Samples whose every value is an integer in 0…255 are stored as uint8 (exact and 4× smaller),
///   others as float32.
public struct CSVReader: Sendable {
    /// Where the class labels are, if the file has them.
    public enum LabelColumn: Equatable, Sendable {
        case first, last
        /// 0-based.
        case index(Int)
        /// A header cell's text.
        case named(String)

        /// Parses `first`, `last`, a 1-based column number or a header name.
        public init(argument: String) {
            switch argument.lowercased() {
            case "first": self = .first
            case "last": self = .last
            default:
                if let number = Int(argument), number >= 1 { self = .index(number - 1) } else { self = .named(argument) }
            }
        }
    }

    /// What was read.
    public struct Table: Sendable {
        /// `[rows, columns]` (without the label column).
        public var samples: NumericArray
        /// `[rows]` int32 labels, or uint8 if every label is in 0…255.
        public var labels: NumericArray?
        public var header: [String]?
        /// The 0-based column the labels came from.
        public var labelColumnIndex: Int?
    }

    public var path: String
    public var delimiter: UInt8
    public var labelColumn: LabelColumn?

    public init(path: String, delimiter: Character = ",", labelColumn: LabelColumn? = nil) {
        self.path = path
        self.delimiter = delimiter.asciiValue ?? UInt8(ascii: ",")
        self.labelColumn = labelColumn
    }

    /// Parses `text` (the file's decompressed bytes). `progress` gets the fraction read.
    public func read(_ text: [UInt8], progress: ((Double) -> Void)? = nil) throws -> Table {
        try text.withUnsafeBufferPointer { buffer in
            var lines = CSVLineScanner(buffer: buffer, delimiter: delimiter)
            var header: [String]?
            var columnCount = 0
            var firstDataLine = 0
            var labelIndex: Int?
            var values: [Float] = []
            var labels: [Int32] = []
            var allSmallIntegers = true
            var allSmallLabels = true
            var cells: [CSVCell] = []
            var lastReport = 0
            while lines.nextLine(into: &cells) {
                if columnCount == 0 {
                    columnCount = cells.count
                    if cells.allSatisfy({ CSVNumber.parse(buffer, $0) == nil }) {
                        header = cells.map { CSVNumber.text(buffer, $0) }
                        labelIndex = try resolveLabelColumn(columnCount: columnCount, header: header, line: lines.lineNumber)
                        continue
                    }
                    labelIndex = try resolveLabelColumn(columnCount: columnCount, header: nil, line: lines.lineNumber)
                    firstDataLine = lines.lineNumber
                    values.reserveCapacity(buffer.count / (2 * columnCount) * columnCount)
                }
                if firstDataLine == 0 { firstDataLine = lines.lineNumber }
                guard cells.count == columnCount else {
                    let reference = header != nil ? "the header" : "line \(firstDataLine)"
                    throw LoaderError.badText(path: path, line: lines.lineNumber, column: nil, byteOffset: lines.lineStart,
                                              reason: "row has \(cells.count) cells but \(reference) has \(columnCount); every row needs the same number of cells")
                }
                for (column, cell) in cells.enumerated() {
                    guard let value = CSVNumber.parse(buffer, cell) else {
                        throw cellError(buffer, cell, column: column, lines: lines)
                    }
                    if column == labelIndex {
                        guard value == value.rounded(), abs(value) <= Double(Int32.max) else {
                            throw LoaderError.badText(path: path, line: lines.lineNumber, column: column + 1, byteOffset: cell.start,
                                                      reason: "label '\(CSVNumber.text(buffer, cell))' is not an integer class label")
                        }
                        if value < 0 || value > 255 { allSmallLabels = false }
                        labels.append(Int32(value))
                        continue
                    }
                    let single = Float(value)
                    guard single.isFinite else {
                        throw LoaderError.badText(path: path, line: lines.lineNumber, column: column + 1, byteOffset: cell.start,
                                                  reason: "value \(CSVNumber.text(buffer, cell)) is beyond float32's range")
                    }
                    if allSmallIntegers && !(value >= 0 && value <= 255 && value == value.rounded()) { allSmallIntegers = false }
                    values.append(single)
                }
                if let progress, lines.lineStart - lastReport > 1 << 22 {
                    lastReport = lines.lineStart
                    progress(Double(lastReport) / Double(buffer.count))
                }
            }
            let width = columnCount - (labelIndex == nil ? 0 : 1)
            guard width > 0, !values.isEmpty || !labels.isEmpty else {
                throw LoaderError.badText(path: path, line: max(lines.lineNumber, 1), column: nil, byteOffset: buffer.count,
                                          reason: header == nil ? "no data rows" : "a header but no data rows")
            }
            let rows = width > 0 ? values.count / width : labels.count
            let samples: NumericArray
            if allSmallIntegers {
                samples = NumericArray(elementType: .uint8, shape: [rows, width], bytes: values.map { UInt8($0) })
            } else {
                samples = NumericArray(float32: values, shape: [rows, width])
            }
            var labelArray: NumericArray?
            if labelIndex != nil {
                labelArray = allSmallLabels
                    ? NumericArray(elementType: .uint8, shape: [rows], bytes: labels.map { UInt8($0) })
                    : NumericArray(int32: labels, shape: [rows])
            }
            return Table(samples: samples, labels: labelArray, header: header, labelColumnIndex: labelIndex)
        }
    }

    private func resolveLabelColumn(columnCount: Int, header: [String]?, line: Int) throws -> Int? {
        guard let labelColumn else { return nil }
        switch labelColumn {
        case .first: return 0
        case .last: return columnCount - 1
        case .index(let index):
            guard index < columnCount else {
                throw LoaderError.invalidArgument("--labels-column \(index + 1) is past the last column of \(path) (it has \(columnCount)); columns are numbered from 1")
            }
            return index
        case .named(let name):
            guard let header else {
                throw LoaderError.invalidArgument("--labels-column '\(name)' names a column but \(path) has no header; pass first, last or a column number")
            }
            guard let index = header.firstIndex(of: name) else {
                throw LoaderError.invalidArgument("\(path) has no column '\(name)' (its header: \(header.joined(separator: ", ")))")
            }
            return index
        }
    }

    private func cellError(_ buffer: UnsafeBufferPointer<UInt8>, _ cell: CSVCell, column: Int, lines: CSVLineScanner) -> LoaderError {
        let text = CSVNumber.text(buffer, cell)
        let lowered = text.lowercased()
        let reason: String
        if text.isEmpty {
            reason = "empty cell (a missing value); fill it in or drop the row"
        } else if ["nan", "-nan", "+nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"].contains(lowered) {
            reason = "value \(text) is not finite; NaN and infinite values cannot be trained on — drop or impute them"
        } else if let value = Double(text), value.isInfinite {
            reason = "value \(text) is beyond float32's range"
        } else {
            reason = "cell '\(text.prefix(40))' is not a number"
        }
        return LoaderError.badText(path: path, line: lines.lineNumber, column: column + 1, byteOffset: cell.start, reason: reason)
    }
}
