import Foundation

/// A fresh folder under the system's temporary directory, removed when the value is dropped.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "ganpipe-test") {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("\(label)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    /// The path of `name` inside this folder.
    public func file(_ name: String) -> String {
        URL(fileURLWithPath: path).appendingPathComponent(name).path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
