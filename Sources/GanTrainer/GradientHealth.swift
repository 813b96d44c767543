import Foundation
import GanStore

/// Watches per-layer gradient norms for vanishing and exploding episodes: a norm below the
/// vanishing threshold (or above the exploding one) at `window` consecutive recorded steps opens
/// an episode and writes one warning; the episode closes when the norm is back in range. Its
/// counters are part of the checkpoint, so a resumed run warns exactly as a straight one.
public struct GradientHealth: Codable, Equatable, Sendable {
    public var vanishingThreshold: Double
    public var explodingThreshold: Double
    public var window: Int
    /// Consecutive out-of-range observations per metric key (negative: vanishing run,
    /// positive: exploding run).
    public private(set) var streaks: [String: Int] = [:]

    public init(vanishingThreshold: Double, explodingThreshold: Double, window: Int) {
        self.vanishingThreshold = vanishingThreshold
        self.explodingThreshold = explodingThreshold
        self.window = window
    }

    /// Records the norms of one step; returns the warnings of episodes that open at this step.
    public mutating func observe(step: Int, norms: [(key: String, value: Double)]) -> [RunJournal.Event] {
        var events: [RunJournal.Event] = []
        for (key, value) in norms where value.isFinite {
            let previous = streaks[key, default: 0]
            let current: Int
            if value < vanishingThreshold {
                current = previous < 0 ? previous - 1 : -1
            } else if value > explodingThreshold {
                current = previous > 0 ? previous + 1 : 1
            } else {
                current = 0
            }
            if current == 0 { streaks.removeValue(forKey: key) } else { streaks[key] = current }
            if current == -window {
                events.append(RunJournal.Event(step: step, kind: "vanishing", severity: .warning, message:
                    "\(key) below \(vanishingThreshold) for \(window) recorded steps (now \(Self.format(value)))"))
            } else if current == window {
                events.append(RunJournal.Event(step: step, kind: "exploding", severity: .warning, message:
                    "\(key) above \(explodingThreshold) for \(window) recorded steps (now \(Self.format(value)))"))
            }
        }
        return events
    }

    static func format(_ value: Double) -> String {
        String(format: "%.3g", value)
    }
}
