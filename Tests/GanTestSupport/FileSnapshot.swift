import Foundation
import GanStore

/// The names and SHA-256 of every file in a folder, to prove that a refused command left a
/// database (and its -wal file) exactly as it was.
///
/// A read-only SQLite connection to a WAL database creates a `-shm` index and an empty `-wal`
/// file beside it: bookkeeping, not content. Unless `strict`, those are left out; strict
/// snapshots prove that nothing at all appeared.
public struct FileSnapshot: Equatable, CustomStringConvertible {
    public let files: [String: String]

    public init(folder: String, strict: Bool = false) {
        var files: [String: String] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names {
            let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let data = FileManager.default.contents(atPath: path) ?? Data()
            if !strict && (name.hasSuffix("-shm") || (name.hasSuffix("-wal") && data.isEmpty)) { continue }
            files[name] = SHA256.hex(data)
        }
        self.files = files
    }

    public var description: String {
        files.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.prefix(12))" }.joined(separator: " ")
    }
}
