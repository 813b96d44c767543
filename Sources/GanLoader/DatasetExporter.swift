import Foundation
import GanStore

/// Writes a stored dataset out as `.npy` or `.csv` (optionally `.csv.gz`), so other tools
/// (NumPy, pandas, a plotting script) can read exactly what ganpipe trains on.
///
/// - `.npy`: `<f4` values `[rows, sample shape…]` with scale and offset applied; with `raw`,
///   the stored element type and bytes as they are (uint8 pixels stay 0…255).
/// - `.csv`: one sample per line, features flattened, the label (if any) as the last column;
///   no header, so `ganpipe data import FILE --labels-column last` reads it back.
/// Files are written beside the target and renamed into place, so a failure leaves no half file.
public struct DatasetExporter: Sendable {
    public enum Split: String, CaseIterable, Codable, Sendable { case all, train, test }

    public var arrays: [String: NumericArray]
    public var trainCount: Int

    public init(arrays: [String: NumericArray], trainCount: Int) {
        self.arrays = arrays
        self.trainCount = trainCount
    }

    /// The rows of `split`.
    func rows(_ split: Split, total: Int) -> Range<Int> {
        switch split {
        case .all: return 0..<total
        case .train: return 0..<trainCount
        case .test: return trainCount..<total
        }
    }

    /// Writes the samples of `split` to `path` (format from its extension) and, if given, the
    /// labels to `labelsPath` as `.npy`. Returns the number of rows written.
    @discardableResult
    public func write(to path: String, split: Split = .all, raw: Bool = false, labelsPath: String? = nil,
                      overwrite: Bool = false) throws -> Int {
        guard let samples = arrays["samples"] else { throw LoaderError.invalidArgument("the dataset has no samples array") }
        let range = rows(split, total: samples.rowCount)
        let selected = samples.rows(Array(range))
        let labels = arrays["labels"].map { $0.rows(Array(range)) }
        let lowered = path.lowercased()
        let bytes: [UInt8]
        if lowered.hasSuffix(".npy") {
            bytes = raw ? Self.npy(selected) : Self.npy(NumericArray(float32: selected.floatValues(), shape: selected.shape))
        } else if lowered.hasSuffix(".csv") || lowered.hasSuffix(".csv.gz") {
            let text = Self.csv(selected, labels: labels, raw: raw)
            bytes = lowered.hasSuffix(".gz") ? Gzip.compress(text) : text
        } else {
            throw LoaderError.invalidArgument("cannot tell the export format of \(path); name the file .npy, .csv or .csv.gz")
        }
        if let labelsPath {
            guard labels != nil else { throw LoaderError.invalidArgument("the dataset has no labels to write to \(labelsPath)") }
            guard labelsPath.lowercased().hasSuffix(".npy") else {
                throw LoaderError.invalidArgument("--labels-to writes NumPy files; name it .npy (\(labelsPath))")
            }
            try Self.checkDestination(labelsPath, overwrite: overwrite)
        }
        try Self.checkDestination(path, overwrite: overwrite)
        try Self.writeAtomically(bytes, to: path)
        if let labelsPath, let labels { try Self.writeAtomically(Self.npy(labels), to: labelsPath) }
        return range.count
    }

    /// An NPY 1.0 file of `array` (C order, little-endian), header padded to 64 bytes.
    public static func npy(_ array: NumericArray) -> [UInt8] {
        let shape = array.shape.count == 1 ? "(\(array.shape[0]),)" : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(array.elementType.numpyDescriptor)', 'fortran_order': False, 'shape': \(shape), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = header.utf8.count
        return NPYReader.magic + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(header.utf8) + array.bytes
    }

    /// CSV text: values (stored elements if `raw`), then the label.
    static func csv(_ samples: NumericArray, labels: NumericArray?, raw: Bool) -> [UInt8] {
        let width = samples.rowWidth
        let labelValues = labels?.integerValues()
        var text: [UInt8] = []
        text.reserveCapacity(samples.elementCount * 6)
        func appendRow(_ row: Int, _ cell: (Int) -> String) {
            for j in 0..<width {
                if j > 0 { text.append(UInt8(ascii: ",")) }
                text.append(contentsOf: cell(row * width + j).utf8)
            }
            if let labelValues {
                text.append(UInt8(ascii: ","))
                text.append(contentsOf: String(labelValues[row]).utf8)
            }
            text.append(0x0A)
        }
        if raw && samples.elementType != .float32 && samples.elementType != .float64 {
            let values = samples.integerValues()
            for row in 0..<samples.rowCount { appendRow(row) { String(values[$0]) } }
        } else if raw && samples.elementType == .float64 {
            let values = TypedArrayCodec.doubles(samples.bytes, count: samples.elementCount)
            for row in 0..<samples.rowCount { appendRow(row) { "\(values[$0])" } }
        } else {
            var plain = samples
            if raw { (plain.scale, plain.offset) = (1, 0) }
            let values = plain.floatValues()
            for row in 0..<samples.rowCount { appendRow(row) { "\(values[$0])" } }
        }
        return text
    }

    static func checkDestination(_ path: String, overwrite: Bool) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw LoaderError.unwritableFile(path: path, reason: "it is a directory; pass a file path") }
            if !overwrite { throw LoaderError.destinationExists(path: path) }
        }
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        if let problem = OutputTarget.problem(with: path) { throw LoaderError.unwritableFile(path: path, reason: problem) }
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial")
        do {
            try Data(bytes).write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                let code = errno
                try? FileManager.default.removeItem(at: temporary)
                throw LoaderError.unwritableFile(path: path, reason: InputFile.reason(code))
            }
        } catch let error as LoaderError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            var isDirectory: ObjCBool = false
            let reason = FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue
                ? "permission denied or disk full" : "the folder \(folder.path) does not exist"
            throw LoaderError.unwritableFile(path: path, reason: reason)
        }
    }
}

extension ElementType {
    /// The NumPy `descr` string for this type (`<f4`, `|u1`, …).
    var numpyDescriptor: String {
        switch self {
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .uint8: return "|u1"
        case .int32: return "<i4"
        case .int64: return "<i8"
        }
    }
}
