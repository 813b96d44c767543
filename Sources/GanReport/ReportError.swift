/// What can go wrong while building a report, a diagnosis, a comparison or an export, each as
/// one line naming the problem and the fix.
public struct ReportError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
