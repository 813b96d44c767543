import GanLoader
import Testing

/// CSV: header detection, label columns, compact storage, and one precise error per defect.
@Suite struct CSVReaderTests {
    func read(_ text: String, labels: CSVReader.LabelColumn? = nil) throws -> CSVReader.Table {
        try CSVReader(path: "t.csv", labelColumn: labels).read(Array(text.utf8))
    }

    func failure(_ text: String, labels: CSVReader.LabelColumn? = nil) -> String {
        LoaderCorpus.message { _ = try read(text, labels: labels) } ?? "accepted"
    }

    @Test func readsFloatsWithAndWithoutHeader() throws {
        let plain = try read("1.5,-2,3e-2\n4,5.25,6\n")
        #expect(plain.header == nil)
        #expect(plain.samples.shape == [2, 3] && plain.samples.elementType == .float32)
        #expect(plain.samples.floatValues() == [1.5, -2, 0.03, 4, 5.25, 6])
        let headed = try read("\u{FEFF}x, \"y\"\r\n# a comment\r\n\r\n1,2\r\n3,4\r\n")
        #expect(headed.header == ["x", "y"])
        #expect(headed.samples.shape == [2, 2] && headed.samples.floatValues() == [1, 2, 3, 4])
    }

    @Test func smallIntegersAreStoredAsBytes() throws {
        let table = try read("0,16,255\n3,4,5\n")
        #expect(table.samples.elementType == .uint8 && table.samples.bytes == [0, 16, 255, 3, 4, 5])
        #expect(try read("0,256\n1,2\n").samples.elementType == .float32)
        #expect(try read("0,-1\n1,2\n").samples.elementType == .float32)
    }

    @Test func labelColumnsByPositionNumberAndName() throws {
        let last = try read("1,2,7\n3,4,9\n", labels: .last)
        #expect(last.samples.shape == [2, 2] && last.labels?.integerValues() == [7, 9] && last.labelColumnIndex == 2)
        let first = try read("7,1,2\n9,3,4\n", labels: .first)
        #expect(first.labels?.integerValues() == [7, 9] && first.samples.bytes == [1, 2, 3, 4])
        let numbered = try read("1,7,2\n3,9,4\n", labels: CSVReader.LabelColumn(argument: "2"))
        #expect(numbered.labels?.integerValues() == [7, 9])
        let named = try read("a,class,b\n1,-7,2\n3,1000,4\n", labels: .named("class"))
        #expect(named.labels?.integerValues() == [-7, 1000] && named.labels?.elementType == .int32)
        #expect(failure("a,b\n1,2\n", labels: .named("label")).contains("no column 'label'"))
        #expect(failure("1,2\n", labels: .index(5)).contains("past the last column"))
        #expect(failure("1,2\n", labels: .named("x")).contains("no header"))
    }

    @Test func raggedRowsNameTheLineAndTheReferenceRow() {
        let message = failure("1,2,3\n4,5,6\n7,8\n")
        #expect(message.hasPrefix("t.csv:3: row has 2 cells but line 1 has 3"), "\(message)")
        #expect(message.contains("(byte 12)"))
        #expect(failure("a,b\n1,2\n3,4,5\n").contains("t.csv:3: row has 3 cells but the header has 2"))
    }

    @Test func nonNumericEmptyAndNonFiniteCellsNameLineAndColumn() {
        #expect(failure("1,2\n3,abc\n").hasPrefix("t.csv:2:2: cell 'abc' is not a number (byte 6)"))
        #expect(failure("1,2\n3,\n").contains("t.csv:2:2: empty cell"))
        #expect(failure("1,2\nNaN,4\n").contains("t.csv:2:1: value NaN is not finite"))
        #expect(failure("1,2\n3,-inf\n").contains("t.csv:2:2: value -inf is not finite"))
        #expect(failure("1,2\n3,1e39\n").contains("beyond float32's range"))
        #expect(failure("1,2\n3,1e999\n").contains("t.csv:2:2: value 1e999 is beyond float32's range"))
        #expect(failure("1,2.5\n3,4\n", labels: .last).contains("t.csv:1:2: label '2.5' is not an integer"))
        #expect(failure("a,b\n").contains("a header but no data rows"))
        #expect(failure("# only a comment\n\n").contains("no data rows"))
    }

    /// 400,000 values (3.6 MB of text) are read whole and exactly, as float32. Speed is not
    /// asserted: a wall-clock bound fails on a busy shared machine, not on a slow reader.
    @Test func parsesALargeFileWholeAndExactly() throws {
        var text = ""
        var expected: [Float] = []
        for i in 0..<20_000 {
            let row = (0..<20).map { Double(i * 20 + $0) / 8 }
            expected += row.map { Float($0) }
            text += row.map { String($0) }.joined(separator: ",") + "\n"
        }
        let table = try read(text)
        #expect(table.header == nil)
        #expect(table.samples.shape == [20_000, 20] && table.samples.elementType == .float32)
        let values = table.samples.floatValues()
        let firstDifference = zip(values, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(values.count == expected.count && firstDifference == nil,
                "\(values.count) values read, first difference at \(firstDifference.map { "value \($0)" } ?? "none")")
    }
}
