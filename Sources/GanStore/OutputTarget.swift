import Foundation

/// Where ganpipe may write a file the user named (`report --out`, `export --to`, `data export`,
/// `db backup --to`): nothing yet, or a regular file it may replace. A device, FIFO, socket,
/// directory or symbolic link is never replaced — as root, an atomic rename over `/dev/null`
/// would turn the device node into a regular file.
public enum OutputTarget {
    /// Why `path` must not be written, or nil where it may be.
    public static func problem(with path: String) -> String? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }  // nothing there yet (or unreachable: the write says why)
        guard status.st_mode & S_IFMT != S_IFREG else { return nil }
        return "\(path) is \(FileType.name(of: status.st_mode)); ganpipe writes and replaces regular files only, so pass a file path"
    }
}
