import Foundation

/// The file formats `DatasetImporter` reads.
public enum ImportFormat: String, CaseIterable, Codable, Sendable {
    case csv, npy, idx

    /// The format suggested by the file name (a trailing `.gz` is ignored): `.csv`, `.tsv`,
    /// `.txt` → csv; `.npy` → npy; `.idx`, `-ubyte`, `.idxN` or a name containing `idx` → idx.
    public static func guess(fromName path: String) -> ImportFormat? {
        var name = URL(fileURLWithPath: path).lastPathComponent.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name.hasSuffix(".csv") || name.hasSuffix(".tsv") || name.hasSuffix(".txt") { return .csv }
        if name.hasSuffix(".npy") { return .npy }
        if name.hasSuffix("-ubyte") || name.hasSuffix(".idx") || name.contains("idx") { return .idx }
        return nil
    }

    /// The format suggested by the first (decompressed) bytes: the NPY magic, an IDX magic
    /// (two zero bytes and a known type code), or text made only of characters CSV numbers use.
    public static func guess(fromContent bytes: [UInt8]) -> ImportFormat? {
        if bytes.starts(with: NPYReader.magic) { return .npy }
        if bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E].contains(bytes[2]) {
            return .idx
        }
        let head = bytes.prefix(4096)
        let looksLikeText = head.allSatisfy { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || ($0 >= 0x20 && $0 < 0x7F) }
        return looksLikeText ? .csv : nil
    }

    /// The format of `path`: `explicit` if given, else from the name, else from the content.
    /// `.npz` archives are refused by name.
    public static func resolve(_ explicit: ImportFormat?, path: String, bytes: [UInt8]) throws -> ImportFormat {
        if let explicit { return explicit }
        if path.lowercased().hasSuffix(".npz") {
            throw LoaderError.unsupported(path: path, reason: ".npz archives are not supported; save each array with np.save to its own .npy file")
        }
        if let format = guess(fromName: path) ?? guess(fromContent: bytes) { return format }
        throw LoaderError.unknownFormat(path: path)
    }

    /// Reads `file` in this format. CSV files take `csv` for delimiter and label column.
    func read(_ file: InputFile, csv: CSVReader, progress: ((Double) -> Void)?) throws -> CSVReader.Table {
        switch self {
        case .csv:
            var reader = csv
            reader.path = file.path
            return try reader.read(file.bytes, progress: progress)
        case .npy:
            return CSVReader.Table(samples: try NPYReader(path: file.path).read(file.bytes), labels: nil, header: nil, labelColumnIndex: nil)
        case .idx:
            return CSVReader.Table(samples: try IDXReader(path: file.path).read(file.bytes), labels: nil, header: nil, labelColumnIndex: nil)
        }
    }
}
