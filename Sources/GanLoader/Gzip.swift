import CZlib
import Foundation

/// gzip (RFC 1952) through zlib: decompression of whole files, with concatenated members and
/// a precise error for damaged or truncated input, and compression for exports and tests.
public enum Gzip {
    /// How much decompressed data `decompress` hands to `inspect`.
    public static let inspectedPrefix = 4096

    /// Whether `bytes` start with the gzip magic 1f 8b.
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// The decompressed bytes of `compressed`. `path` names the file in errors, which give the
    /// compressed byte offset where the stream broke or ended early. Decompression stops with
    /// an error past `limit` bytes of output (a compression bomb), and `inspect` sees the first
    /// `inspectedPrefix` bytes (or all, if fewer) as soon as they exist, so that data that can
    /// be nothing useful is refused before the rest is inflated.
    public static func decompress(_ compressed: [UInt8], path: String, limit: Int = .max,
                                  inspect: ([UInt8]) throws -> Void = { _ in },
                                  progress: ((Double) -> Void)? = nil) throws -> [UInt8] {
        guard compressed.count >= 18 else {
            throw LoaderError.badGzip(path: path, byteOffset: compressed.count, reason: "ends inside the 18-byte header and trailer")
        }
        // ISIZE (the last 4 bytes) is the size modulo 2³²: a good first guess for the output.
        let tail = compressed.count - 4
        let sizeHint = Int(UInt32(compressed[tail]) | UInt32(compressed[tail + 1]) << 8
            | UInt32(compressed[tail + 2]) << 16 | UInt32(compressed[tail + 3]) << 24)
        // A damaged, truncated or crafted file has a meaningless ISIZE: never trust it beyond
        // deflate's maximum ratio (1032:1) or 16 MiB up front; the buffer doubles as needed.
        let initial = min(max(sizeHint, compressed.count * 2), compressed.count * 1032, 1 << 24, limit)
        var output = [UInt8](repeating: 0, count: initial + 1)
        var produced = 0
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw LoaderError.badGzip(path: path, byteOffset: 0, reason: "could not be opened (zlib: out of memory)")
        }
        defer { inflateEnd(&stream) }
        try compressed.withUnsafeBufferPointer { input in
            var consumed = 0
            var lastReport = 0
            var inspected = false
            while true {
                if produced == output.count { output += [UInt8](repeating: 0, count: output.count) }
                let available = min(input.count - consumed, Int(UInt32.max))
                // Until `inspect` has seen the prefix, inflate no more than the prefix.
                let room = min(output.count - produced, Int(UInt32.max), inspected ? .max : max(inspectedPrefix - produced, 1))
                let (status, read, written) = output.withUnsafeMutableBufferPointer { out -> (Int32, Int, Int) in
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                    stream.avail_in = UInt32(available)
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(room)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, available - Int(stream.avail_in), room - Int(stream.avail_out))
                }
                consumed += read
                produced += written
                if !inspected && (produced >= inspectedPrefix || status == Z_STREAM_END) {
                    inspected = true
                    try inspect(Array(output[..<min(produced, inspectedPrefix)]))
                }
                if produced > limit {
                    throw LoaderError.badGzip(path: path, byteOffset: consumed, reason: "decompresses to more than \(limit) bytes, the most ganpipe reads from one file")
                }
                if let progress, consumed - lastReport > 1 << 22 {
                    lastReport = consumed
                    progress(Double(consumed) / Double(input.count))
                }
                switch status {
                case Z_STREAM_END:
                    // Another gzip member may follow (as `cat a.gz b.gz` makes); trailing zero
                    // padding is tolerated, anything else is refused.
                    let rest = input[consumed...]
                    if rest.isEmpty || rest.allSatisfy({ $0 == 0 }) {
                        output.removeSubrange(produced...)
                        return
                    }
                    guard rest.count >= 2, rest[rest.startIndex] == 0x1f, rest[rest.startIndex + 1] == 0x8b else {
                        throw LoaderError.badGzip(path: path, byteOffset: consumed, reason: "has \(rest.count) unexpected bytes after the end of the compressed stream")
                    }
                    inflateReset(&stream)
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    if consumed >= input.count {
                        throw LoaderError.badGzip(path: path, byteOffset: consumed, reason: "is truncated: the compressed stream ends early")
                    }
                case Z_DATA_ERROR:
                    let message = stream.msg.map { String(cString: $0) } ?? "invalid data"
                    throw LoaderError.badGzip(path: path, byteOffset: consumed, reason: "is corrupt (\(message))")
                case Z_MEM_ERROR:
                    throw LoaderError.badGzip(path: path, byteOffset: consumed, reason: "needs more memory than is available")
                default:
                    throw LoaderError.badGzip(path: path, byteOffset: consumed, reason: "could not be read (zlib status \(status))")
                }
                if read == 0 && written == 0 && produced < output.count {
                    let reason = consumed >= input.count ? "is truncated: the compressed stream ends early" : "makes no progress"
                    throw LoaderError.badGzip(path: path, byteOffset: consumed, reason: reason)
                }
            }
        }
        return output
    }

    /// `bytes` compressed as one gzip member at zlib `level` (1 fastest … 9 smallest).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        var mutableInput = bytes
        let written = mutableInput.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out -> Int in
                stream.next_in = input.baseAddress
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                let result = deflate(&stream, Z_FINISH)
                precondition(result == Z_STREAM_END, "deflate did not finish: \(result)")
                return out.count - Int(stream.avail_out)
            }
        }
        output.removeSubrange(written...)
        return output
    }
}
