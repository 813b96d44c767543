import Foundation

/// One cell of a CSV line: byte offsets into the text, spaces and surrounding quotes trimmed.
struct CSVCell {
    var start: Int
    var end: Int
}

/// Splits CSV text into lines and cells without copying, tracking the 1-based line number and
/// the byte offset of the current line. Skips blank lines, `#` comment lines and a UTF-8 BOM;
/// strips `\r` before `\n`.
struct CSVLineScanner {
    let buffer: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    private var position = 0
    /// The line number of the line last returned (1-based).
    private(set) var lineNumber = 0
    /// Byte offset where the line last returned starts.
    private(set) var lineStart = 0

    init(buffer: UnsafeBufferPointer<UInt8>, delimiter: UInt8) {
        self.buffer = buffer
        self.delimiter = delimiter
        if buffer.count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { position = 3 }
    }

    /// Fills `cells` with the next non-blank, non-comment line's cells; false at the end.
    mutating func nextLine(into cells: inout [CSVCell]) -> Bool {
        let count = buffer.count
        while position < count {
            let start = position
            var end = start
            while end < count && buffer[end] != 0x0A { end += 1 }
            position = end + 1
            lineNumber += 1
            var contentEnd = end
            if contentEnd > start && buffer[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            var first = start
            while first < contentEnd && (buffer[first] == 0x20 || buffer[first] == 0x09) { first += 1 }
            if first == contentEnd || buffer[first] == UInt8(ascii: "#") { continue }
            lineStart = start
            cells.removeAll(keepingCapacity: true)
            var cellStart = start
            var index = start
            while index <= contentEnd {
                if index == contentEnd || buffer[index] == delimiter {
                    cells.append(trimmed(cellStart, index))
                    cellStart = index + 1
                }
                index += 1
            }
            return true
        }
        return false
    }

    private func trimmed(_ start: Int, _ end: Int) -> CSVCell {
        var start = start, end = end
        while start < end && (buffer[start] == 0x20 || buffer[start] == 0x09) { start += 1 }
        while end > start && (buffer[end - 1] == 0x20 || buffer[end - 1] == 0x09) { end -= 1 }
        if end - start >= 2 && buffer[start] == 0x22 && buffer[end - 1] == 0x22 {
            start += 1
            end -= 1
        }
        return CSVCell(start: start, end: end)
    }
}

/// Number parsing for CSV cells: an exact fast path for plain integers, `strtod` (C locale,
/// correctly rounded) for everything else.
enum CSVNumber {
    /// The cell's finite value, or nil if it is empty, not a number, NaN or infinite.
    static func parse(_ buffer: UnsafeBufferPointer<UInt8>, _ cell: CSVCell) -> Double? {
        let length = cell.end - cell.start
        guard length > 0 else { return nil }
        var index = cell.start
        var negative = false
        if buffer[index] == UInt8(ascii: "-") || buffer[index] == UInt8(ascii: "+") {
            negative = buffer[index] == UInt8(ascii: "-")
            index += 1
        }
        if index < cell.end && cell.end - index <= 15 {
            var integer: Int64 = 0
            var plain = true
            for position in index..<cell.end {
                let digit = buffer[position] &- 0x30
                if digit > 9 { plain = false; break }
                integer = integer * 10 + Int64(digit)
            }
            if plain { return Double(negative ? -integer : integer) }
        }
        // Only characters a decimal or hexadecimal float may contain reach strtod.
        guard length < 128 else { return nil }
        for position in cell.start..<cell.end {
            let c = buffer[position]
            let allowed = (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x2B || c == 0x2D || c == 0x65 || c == 0x45
            if !allowed { return nil }
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { scratch -> Double? in
            for offset in 0..<length { scratch[offset] = CChar(bitPattern: buffer[cell.start + offset]) }
            scratch[length] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(scratch.baseAddress!, &end)
            guard let end, end - scratch.baseAddress! == length, value.isFinite else { return nil }
            return value
        }
    }

    /// The cell's text.
    static func text(_ buffer: UnsafeBufferPointer<UInt8>, _ cell: CSVCell) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: buffer[cell.start..<cell.end]), as: UTF8.self)
    }
}
