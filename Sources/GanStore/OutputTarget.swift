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
        let kinds: [mode_t: String] = [
            S_IFDIR: "a directory", S_IFCHR: "a character device", S_IFBLK: "a block device",
            S_IFIFO: "a FIFO (named pipe)", S_IFSOCK: "a socket", S_IFLNK: "a symbolic link",
        ]
        let type = status.st_mode & S_IFMT
        guard type != S_IFREG else { return nil }
        return "\(path) is \(kinds[type] ?? "not a regular file"); ganpipe writes and replaces regular files only, so pass a file path"
    }
}

/// Text from the database or the user (run names, errors, configuration) made safe to print on
/// a terminal: control and format characters — escape sequences, carriage returns, bidirectional
/// overrides — are shown as `\u{1B}` instead of acting on the terminal.
public enum TerminalText {
    public static func safe(_ text: String, keepingNewlines: Bool = false) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            let category = scalar.properties.generalCategory
            if (category == .control || category == .format) && !(keepingNewlines && scalar == "\n") {
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
