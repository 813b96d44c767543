/// A problem with a pipeline or its runs: one line naming the file, line and key where it
/// applies, and the fix.
public struct PipelineError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public init(file: String, line: Int?, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let key, !key.isEmpty { location += ": \(key)" }
        return "\(location): \(message)"
    }
}
