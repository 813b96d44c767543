import Foundation

/// A minimal PNG writer for the report's raster pictures (image samples, the discriminator's
/// value field behind 2-D samples): 8-bit greyscale or RGB, no filtering, zlib "stored"
/// (uncompressed) deflate blocks — tiny images, so compression is not worth a dependency.
/// Embedded in the page as a `data:` URI, so the report stays one file.
struct PNGImage {
    enum Color: UInt8 { case grey = 0, rgb = 2 }

    var width: Int
    var height: Int
    var color: Color
    /// Row-major samples, `width · height · (1 or 3)` bytes, top row first.
    var pixels: [UInt8]

    func encoded() -> Data {
        precondition(pixels.count == width * height * (color == .rgb ? 3 : 1), "PNGImage: pixel count does not match the size")
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header.append(contentsOf: [8, color.rawValue, 0, 0, 0])
        Self.appendChunk("IHDR", header, to: &png)
        let rowBytes = width * (color == .rgb ? 3 : 1)
        var raw = Data(capacity: (rowBytes + 1) * height)
        for row in 0..<height {
            raw.append(0)  // filter type: none
            raw.append(contentsOf: pixels[(row * rowBytes)..<((row + 1) * rowBytes)])
        }
        Self.appendChunk("IDAT", Self.storedZlib(raw), to: &png)
        Self.appendChunk("IEND", Data(), to: &png)
        return png
    }

    /// `data:image/png;base64,…` for an `src` or `href` attribute.
    var dataURI: String { "data:image/png;base64," + encoded().base64EncodedString() }

    static func storedZlib(_ raw: Data) -> Data {
        var out = Data([0x78, 0x01])
        let bytes = [UInt8](raw)
        var offset = 0
        repeat {
            let length = min(65535, bytes.count - offset)
            let final: UInt8 = offset + length == bytes.count ? 1 : 0
            out.append(final)
            out.append(UInt8(length & 0xFF)); out.append(UInt8(length >> 8))
            out.append(UInt8(~length & 0xFF)); out.append(UInt8((~length >> 8) & 0xFF))
            out.append(contentsOf: bytes[offset..<(offset + length)])
            offset += length
        } while offset < bytes.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        out.appendBigEndian((b << 16) | a)
        return out
    }

    static func appendChunk(_ type: String, _ body: Data, to png: inout Data) {
        png.appendBigEndian(UInt32(body.count))
        let typed = Data(type.utf8) + body
        png.append(typed)
        png.appendBigEndian(crc32(typed))
    }

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: Data) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

extension Data {
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }
}
