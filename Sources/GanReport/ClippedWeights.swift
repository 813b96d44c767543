import Foundation
import GanStore

/// For runs with weight clipping (WGAN, arXiv 1701.07875): the share of each discriminator
/// weight tensor sitting at ±c in the last checkpoint. Weights piling up at the bounds is the
/// failure the WGAN-GP paper shows in its Figure 1 (right): the critic degenerates to very
/// simple functions.
struct ClippedWeights {
    var step: Int
    var clip: Double
    /// Path (`layers.2.weight`) → share at ±c.
    var shares: [String: Double]
    var overall: Double

    /// nil for runs without clipping or without a readable checkpoint.
    static func measure(_ data: RunData) throws -> ClippedWeights? {
        guard let clip = data.configuration.clip, let step = data.checkpointSteps.last,
              let checkpoint = try CheckpointStore(data.database).checkpoint(runId: data.runId, step: step),
              let blobs = try? CheckpointStore(data.database).blobs(of: checkpoint) else { return nil }
        // Stored as float32: compare with c rounded the same way.
        let bound = Double(Float(clip))
        var shares: [String: Double] = [:]
        var atBound = 0, total = 0
        for (name, blob) in blobs where name.hasPrefix("discriminator/") {
            guard let values = blob.floats, !values.isEmpty else { continue }
            let count = values.filter { abs(Double($0)) >= bound * (1 - 1e-6) }.count
            shares[String(name.dropFirst("discriminator/".count))] = Double(count) / Double(values.count)
            atBound += count
            total += values.count
        }
        return ClippedWeights(step: step, clip: clip, shares: shares, overall: total == 0 ? 0 : Double(atBound) / Double(total))
    }
}
