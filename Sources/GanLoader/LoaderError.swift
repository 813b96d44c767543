import Foundation

/// Everything that can go wrong while generating, importing, storing, loading or exporting a
/// dataset. Each case prints as one line that names the file (or dataset) and where the
/// problem is — line and column for text, byte offset for binary files — and the fix.
public enum LoaderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file could not be opened or read (missing, a directory, permission denied, I/O error).
    case unreadableFile(path: String, reason: String)
    /// A file holds no bytes (after decompression, if it was gzip).
    case emptyFile(path: String)
    /// A gzip stream is damaged or ends early.
    case badGzip(path: String, byteOffset: Int, reason: String)
    /// A text file is malformed at `line` (1-based), `column` (1-based cell index, if known).
    case badText(path: String, line: Int, column: Int?, byteOffset: Int, reason: String)
    /// A binary file is malformed at `byteOffset`.
    case badBinary(path: String, byteOffset: Int, reason: String)
    /// The file's element type or layout is valid but not one ganpipe stores.
    case unsupported(path: String, reason: String)
    /// The samples and labels (or train and test files) do not fit together.
    case mismatch(reason: String)
    /// The file's format could not be told from its name or content.
    case unknownFormat(path: String)
    /// An option has a value that cannot work (e.g. `--test-fraction 1.5`).
    case invalidArgument(String)
    /// A dataset with this name exists.
    case nameExists(name: String)
    /// The same arrays are already stored under another name.
    case duplicateContent(name: String, existing: String)
    /// No dataset with this name or id.
    case unknownDataset(String)
    /// Runs still use the dataset.
    case datasetInUse(name: String, runs: [String])
    /// A stored part or array fails its checksum or size check.
    case corruptDataset(name: String, detail: String)
    /// A file to write exists already.
    case destinationExists(path: String)
    /// A file could not be written.
    case unwritableFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .emptyFile(let path):
            return "\(path) is empty (0 bytes of data); pass a file that holds the dataset"
        case .badGzip(let path, let offset, let reason):
            return "\(path): gzip data \(reason) at compressed byte \(offset); the file is damaged or was not fully downloaded — fetch it again"
        case .badText(let path, let line, let column, let offset, let reason):
            let place = column.map { "\(path):\(line):\($0)" } ?? "\(path):\(line)"
            return "\(place): \(reason) (byte \(offset))"
        case .badBinary(let path, let offset, let reason):
            return "\(path): \(reason) (at byte \(offset))"
        case .unsupported(let path, let reason):
            return "\(path): \(reason)"
        case .mismatch(let reason):
            return reason
        case .unknownFormat(let path):
            return "cannot tell the format of \(path) from its name or first bytes; pass --format csv, npy or idx"
        case .invalidArgument(let message):
            return message
        case .nameExists(let name):
            return "a dataset named '\(name)' already exists; choose another --name or remove it with `ganpipe data delete \(name)`"
        case .duplicateContent(let name, let existing):
            return "dataset '\(name)' would hold exactly the same arrays as the existing dataset '\(existing)'; use '\(existing)', or pass --allow-duplicate to store a second copy"
        case .unknownDataset(let reference):
            return "no dataset named or numbered '\(reference)'; list the datasets with `ganpipe data list`"
        case .datasetInUse(let name, let runs):
            let shown = runs.prefix(5).joined(separator: ", ") + (runs.count > 5 ? ", …" : "")
            return "dataset '\(name)' is used by \(runs.count) run(s) (\(shown)); delete those runs first or pass --force (their dataset_id becomes NULL)"
        case .corruptDataset(let name, let detail):
            return "dataset '\(name)' is corrupt: \(detail); delete it and import or generate it again"
        case .destinationExists(let path):
            return "\(path) already exists; choose another file or pass --force to replace it"
        case .unwritableFile(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
