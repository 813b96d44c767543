import CSHA256

/// SHA-256 (FIPS 180-4), used for migration checksums, blob checksums and content hashes.
/// This type buffers and pads; CSHA256 compresses the blocks, with the x86 SHA extensions when
/// the CPU has them (checksums fell from 3.6% to 0.4% of a short reference training run).
public struct SHA256: Sendable {
    private var state: [UInt32] = [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
                                   0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19]
    private var pending: [UInt8] = []
    private var byteCount: UInt64 = 0
    private let hardware: Bool

    /// `hardware: false` forces the portable loop (tests compare the two).
    public init(hardware: Bool = true) {
        self.hardware = hardware
        pending.reserveCapacity(64)
    }

    /// The lowercase hex digest of `bytes`.
    public static func hex<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    /// The lowercase hex digest of the UTF-8 bytes of `text`.
    public static func hex(_ text: String) -> String {
        hex(Array(text.utf8))
    }

    public mutating func update<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        byteCount &+= UInt64(bytes.count)
        if let done = bytes.withContiguousStorageIfAvailable({ consume($0) }) {
            _ = done
        } else {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { consume($0) }
        }
    }

    private mutating func consume(_ buffer: UnsafeBufferPointer<UInt8>) {
        var index = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, buffer.count)
            pending.append(contentsOf: buffer[0..<take])
            index = take
            if pending.count == 64 {
                let block = pending
                block.withUnsafeBufferPointer { compress($0.baseAddress!, blocks: 1) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        let whole = (buffer.count - index) / 64
        if whole > 0 {
            compress(buffer.baseAddress! + index, blocks: whole)
            index += 64 * whole
        }
        if index < buffer.count {
            pending.append(contentsOf: buffer[index...])
        }
    }

    public mutating func finalizeHex() -> String {
        let bitLength = byteCount &* 8
        var tail: [UInt8] = [0x80]
        let padding = (56 - (Int(byteCount % 64) + 1) + 64) % 64
        tail += [UInt8](repeating: 0, count: padding)
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        let savedCount = byteCount
        update(tail)
        byteCount = savedCount
        let words = state
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for word in words {
            for shift in stride(from: 28, through: 0, by: -4) {
                text.append(digits[Int((word >> UInt32(shift)) & 0xf)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    private mutating func compress(_ data: UnsafePointer<UInt8>, blocks count: Int) {
        let hardware = hardware
        state.withUnsafeMutableBufferPointer { ganpipe_sha256_blocks($0.baseAddress!, data, count, hardware ? 1 : 0) }
    }
}
