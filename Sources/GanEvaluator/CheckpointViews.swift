import Foundation
import GanSchema
import GanStore
import GanTensor

/// What the report draws from a checkpoint's networks, computed here so that the report runs
/// no network (DESIGN §2): the first generated samples the evaluator scored, and for 2-D data
/// the discriminator's output over a grid of the plane around the held-out real samples.
/// Stored in `checkpoint_views` with the checkpoint's scores.
enum CheckpointViews {
    /// Samples kept for data of up to `pointFeatures` features (a scatter plot) and beyond (an
    /// image grid).
    static let pointCount = 512, gridCount = 64, pointFeatures = 16
    /// Rows and columns of the discriminator's field.
    static let fieldResolution = 48

    static func make(runId: Int64, step: Int, objective: String, samples: SampleSet, seed: UInt64,
                     discriminator: () throws -> CheckpointNetwork, reference: DatasetReference) throws -> [CheckpointView] {
        let kept = min(samples.count, samples.features <= pointFeatures ? pointCount : gridCount)
        var views = [CheckpointView(runId: runId, step: step, name: .samples, shape: [kept, samples.features],
                                    meta: CheckpointViewMeta(seed: seed), values: Array(samples.values.prefix(kept * samples.features)))]
        if samples.features == 2 {
            let critic = try discriminator()
            guard critic.inputCount == 2, critic.outputCount == 1 else {
                throw EvaluatorError.unusableCheckpoint("its discriminator maps \(critic.inputCount) inputs to \(critic.outputCount) outputs, not 2 to 1")
            }
            let window = Self.window(around: reference.heldOut)
            views.append(CheckpointView(runId: runId, step: step, name: .criticField, shape: [fieldResolution, fieldResolution],
                                        meta: CheckpointViewMeta(window: window, output: Objective(rawValue: objective)?.isWasserstein == true ? "critic" : "logit"),
                                        values: field(critic, window: window)))
        }
        return views
    }

    /// The window (`CheckpointViewMeta.window`) around the real samples.
    static func window(around real: SampleSet) -> [Double] {
        var (xLow, xHigh, yLow, yHigh) = (Double.infinity, -Double.infinity, Double.infinity, -Double.infinity)
        for index in 0..<real.count {
            let (x, y) = (Double(real.values[2 * index]), Double(real.values[2 * index + 1]))
            (xLow, xHigh, yLow, yHigh) = (min(xLow, x), max(xHigh, x), min(yLow, y), max(yHigh, y))
        }
        guard xLow <= xHigh, yLow <= yHigh else { return [-1, 1, -1, 1] }
        return CheckpointViewMeta.window(x: xLow...xHigh, y: yLow...yHigh)
    }

    /// D over the grid, row-major `[row (y)][column (x)]`.
    static func field(_ critic: CheckpointNetwork, window: [Double]) -> [Float] {
        let n = fieldResolution
        var points = [Float]()
        points.reserveCapacity(2 * n * n)
        for row in 0..<n {
            for column in 0..<n {
                points.append(Float(window[0] + Double(column) * (window[1] - window[0]) / Double(n - 1)))
                points.append(Float(window[2] + Double(row) * (window[3] - window[2]) / Double(n - 1)))
            }
        }
        return critic.apply(SampleSet(values: points, count: n * n, features: 2)).values
    }
}
