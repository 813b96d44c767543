import Foundation
import GanStore

/// One input file read whole into memory, decompressed if it is gzip (detected by its magic
/// bytes, whatever its name), with what provenance needs: absolute path, size and SHA-256 of
/// the bytes on disk.
///
/// Reading refuses, with one line naming the path: a missing file, a directory, a device, FIFO
/// or socket, a file that cannot be opened (permission denied) or read (I/O error, e.g.
/// `/proc/self/mem`), an empty file, a file or decompressed data over `maximumBytes`,
/// decompressed data that starts like no format ganpipe reads, and damaged or truncated gzip.
public struct InputFile: Sendable {
    /// The path as the user gave it (used in messages).
    public let path: String
    /// The absolute, standardized path (stored as provenance).
    public let absolutePath: String
    /// The bytes after decompression.
    public let bytes: [UInt8]
    /// Size on disk.
    public let fileBytes: Int64
    /// SHA-256 of the bytes on disk.
    public let fileSha256: String
    public let wasCompressed: Bool

    /// The most ganpipe reads from one input file, on disk or decompressed: 4 GiB, or half the
    /// machine's memory where that is less.
    public static let maximumBytes = min(4 << 30, Int(clamping: ProcessInfo.processInfo.physicalMemory / 2))

    /// Reads (and decompresses) `path`. `progress` gets fractions of the decompression.
    public init(path: String, progress: ((Double) -> Void)? = nil) throws {
        let raw = try Self.readWhole(path)
        guard !raw.isEmpty else { throw LoaderError.emptyFile(path: path) }
        self.path = path
        absolutePath = URL(fileURLWithPath: path).standardizedFileURL.path
        fileBytes = Int64(raw.count)
        fileSha256 = SHA256.hex(raw)
        wasCompressed = Gzip.isCompressed(raw)
        bytes = wasCompressed
            ? try Gzip.decompress(raw, path: path, limit: Self.maximumBytes, inspect: { try Self.refuseBinaryGarbage($0, path: path) },
                                  progress: progress)
            : raw
        guard !bytes.isEmpty else { throw LoaderError.emptyFile(path: path) }
    }

    /// Every format ganpipe reads starts recognisably: the NPY magic, an IDX magic, or CSV text,
    /// which has no NUL bytes. Decompressed data that starts otherwise (a gigabyte of zeros
    /// squeezed into a few megabytes, say) is refused before the rest is inflated.
    static func refuseBinaryGarbage(_ prefix: [UInt8], path: String) throws {
        guard prefix.contains(0), ImportFormat.guess(fromContent: prefix) == nil else { return }
        throw LoaderError.unsupported(path: path, reason: "its decompressed data starts with bytes that are neither NPY, IDX nor CSV text (first bytes \(prefix.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")))")
    }

    /// Provenance for the metadata, under `role` (`samples`, `labels`, …).
    public func provenance(role: String) -> DatasetMetadata.SourceFile {
        DatasetMetadata.SourceFile(role: role, path: absolutePath, bytes: fileBytes, sha256: fileSha256, gzip: wasCompressed)
    }

    /// The whole file, read with POSIX calls so each failure has its own message. Files that
    /// report size 0 but have content (as some in /proc do) are read to their end.
    static func readWhole(_ path: String) throws -> [UInt8] {
        guard !path.isEmpty else { throw LoaderError.unreadableFile(path: "''", reason: "the path is empty") }
        var status = stat()
        guard stat(path, &status) == 0 else { throw LoaderError.unreadableFile(path: path, reason: reason(errno)) }
        let type = status.st_mode & S_IFMT
        if type == S_IFDIR {
            throw LoaderError.unreadableFile(path: path, reason: "it is a directory; pass a file inside it")
        }
        // Devices, FIFOs and sockets can be endless (/dev/zero) or block forever (a FIFO no one
        // writes to): ganpipe reads regular files only, checked before opening.
        guard type == S_IFREG else {
            throw LoaderError.unreadableFile(path: path, reason: "it is \(FileType.name(of: status.st_mode)); ganpipe reads datasets from regular files only, so save the data to a file first")
        }
        guard Int(status.st_size) <= maximumBytes else {
            throw LoaderError.unreadableFile(path: path, reason: "it is \(status.st_size) bytes, more than the \(maximumBytes) ganpipe reads from one file")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LoaderError.unreadableFile(path: path, reason: reason(errno)) }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: max(Int(status.st_size), 0) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes += [UInt8](repeating: 0, count: max(bytes.count, 1 << 16)) }
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, min(buffer.count - filled, 1 << 30))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw LoaderError.unreadableFile(path: path, reason: "\(reason(errno)) at byte \(filled)")
            }
            if count == 0 { break }
            filled += count
            if filled > maximumBytes {  // a file that grows while it is read, or a /proc file without a size
                throw LoaderError.unreadableFile(path: path, reason: "it holds more than the \(maximumBytes) bytes ganpipe reads from one file")
            }
        }
        bytes.removeSubrange(filled...)
        return bytes
    }

    /// A readable reason for `code`, with the fix for the common ones.
    static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file; check the path"
        case EACCES, EPERM: return "permission denied; fix the file's permissions or run as a user who may read it"
        case ENOTDIR: return "a component of the path is not a directory"
        case EISDIR: return "it is a directory; pass a file inside it"
        case ENAMETOOLONG: return "the path is too long"
        default: return String(cString: strerror(code)).lowercased()
        }
    }
}
