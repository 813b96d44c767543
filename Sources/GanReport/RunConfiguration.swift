import Foundation
import GanSchema

/// A run's resolved configuration (`runs.config_json`, snake_case keys) as flat text values for
/// people and comparisons, with typed accessors for the keys the views need.
public struct RunConfiguration: Sendable, Equatable {
    /// Every top-level key with its value as compact JSON text (`"relu"` shown as `relu`).
    public var values: [String: String]
    private var numbers: [String: Double]

    public init(json: String) {
        values = [:]
        numbers = [:]
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return }
        for (key, value) in object {
            if let text = value as? String {
                values[key] = text
            } else if let number = value as? NSNumber {
                numbers[key] = number.doubleValue
                values[key] = Self.format(number.doubleValue)
            } else if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) {
                values[key] = String(decoding: data, as: UTF8.self)
            }
        }
    }

    public func number(_ key: String) -> Double? { numbers[key] }
    public func integer(_ key: String) -> Int? { numbers[key].map { Int($0) } }
    public func text(_ key: String) -> String? { values[key] }

    /// The hidden-layer activation as the trainer names it, with its slope for `leaky-relu`.
    public var activation: String { values[ConfigurationKey.activation.rawValue] ?? TrainingDefaults.activation }
    public var leakySlope: Double { numbers[ConfigurationKey.leakySlope.rawValue] ?? Double(TrainingDefaults.leakySlope) }
    /// c of weight clipping; nil when the run does not clip.
    public var clip: Double? { numbers[ConfigurationKey.clip.rawValue].flatMap { $0 > 0 ? $0 : nil } }
    public var vanishingThreshold: Double { numbers[ConfigurationKey.vanishingThreshold.rawValue] ?? TrainingDefaults.vanishingThreshold }
    public var explodingThreshold: Double { numbers[ConfigurationKey.explodingThreshold.rawValue] ?? TrainingDefaults.explodingThreshold }

    /// Shortest text that reads back as the same Float32 or integer: `0.0001`, not
    /// `9.9999997e-05`.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let single = Float(value)
        if Double(single) == value { return "\(single)" }
        return "\(value)"
    }
}
