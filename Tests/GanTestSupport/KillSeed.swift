import Foundation

/// The seed from which a kill test draws the moments it kills at. Fixed, so that a failure can
/// be replayed; `GANPIPE_TEST_KILL_SEED=N` picks other moments, or replays the seed a failure
/// message names (its description, which kill tests put in every failure message).
public struct KillSeed: CustomStringConvertible, Sendable {
    public static let environmentVariable = "GANPIPE_TEST_KILL_SEED"
    public static let fixed: UInt64 = 15

    public struct MalformedError: Error, CustomStringConvertible {
        public let text: String
        public var description: String { "\(KillSeed.environmentVariable)='\(text)' is not an unsigned 64-bit integer" }
    }

    public let value: UInt64

    /// `GANPIPE_TEST_KILL_SEED` if set, otherwise `fixed`.
    public init() throws {
        guard let text = ProcessInfo.processInfo.environment[Self.environmentVariable] else {
            value = Self.fixed
            return
        }
        guard let seed = UInt64(text.trimmingCharacters(in: .whitespaces)) else { throw MalformedError(text: text) }
        value = seed
    }

    public var description: String { "kill seed \(value) (replay: \(Self.environmentVariable)=\(value))" }
}
