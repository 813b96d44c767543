import Foundation
import GanSchema
import GanStore

/// The samples section of a report: what the generator makes at a few evaluated checkpoints,
/// next to the real data. For 2-D data, real and generated samples over the discriminator's
/// value field (its contours); for images, grids of generated and real samples; otherwise the
/// first two coordinates. The report runs no network: generated samples and fields are the
/// evaluator's `checkpoint_views`, stored when a checkpoint is evaluated.
struct SampleFigures {
    var data: RunData
    var sampleCount = 512
    /// 2-D panels shown at most (spread over the evaluated checkpoints, always the last).
    var panelCount = 8
    /// Image grids shown at most (one per evaluated checkpoint up to this many).
    var gridCount = 12

    /// HTML for the section body; problems (no checkpoint, a corrupt one) become a sentence.
    func render() -> String {
        guard let dataset = data.dataset else { return paragraph("The run's dataset was deleted, so there is nothing to compare the samples with.") }
        guard !data.checkpointSteps.isEmpty else { return paragraph("The run has no complete checkpoint yet, so no samples can be drawn.") }
        let stored: DatasetStore.StoredArray
        let values: [Float]
        let generated: [Int: CheckpointView], fields: [Int: CheckpointView]
        do {
            guard let array = try DatasetStore(data.database).array("samples", of: dataset) else {
                return paragraph("Dataset \u{2018}\(dataset.name)\u{2019} has no samples array.")
            }
            stored = array
            values = try array.floats()
            let views = CheckpointViewStore(data.database)
            let complete = Set(data.checkpointSteps)
            generated = Dictionary(uniqueKeysWithValues: try views.views(runId: data.runId, name: .samples).filter { complete.contains($0.step) }.map { ($0.step, $0) })
            fields = Dictionary(uniqueKeysWithValues: try views.views(runId: data.runId, name: .criticField).map { ($0.step, $0) })
        } catch {
            return paragraph("The stored samples could not be read: \(error).")
        }
        guard !generated.isEmpty else {
            return paragraph("No checkpoint of this run has been evaluated, so there are no generated samples to show: `ganpipe eval \(data.run.name) --checkpoints all` stores them with the scores.")
        }
        let features = stored.shape.dropFirst().reduce(1, *)
        let count = stored.shape.first ?? 0
        guard features >= 1, count >= 1 else { return paragraph("The dataset's samples array is empty.") }
        let stride = max(1, count / sampleCount)
        let real = Swift.stride(from: 0, to: count, by: stride).prefix(sampleCount).map { index in
            (0..<features).map { Double(values[index * features + $0]) }
        }
        var html = ""
        let evaluated = generated.keys.sorted()
        let steps = Self.spread(evaluated, count: panelCount)
        let shape = data.sampleShape ?? (stored.shape.count >= 3 ? Array(stored.shape.dropFirst()) : nil)
        if features == 2 {
            html += Self.checkpointSeries(steps) { index, step in panel(generated[step]!, field: fields[step], real: real, index: index) }
            html += paragraph("Orange: \(real.count) real samples; green: generated samples (the first the evaluator scored); black circles: the dataset's modes, radius 3\u{3c3} (the evaluator's high-quality region). Background and grey contour lines: the discriminator's output over the plane (blue low, red high), from the same checkpoint.")
        } else if let shape, shape.count >= 2 {
            // Images: the real samples, then a grid at every evaluated checkpoint (at most
            // `gridCount`, spread evenly, always the last), each large enough to read.
            let (height, width) = shape.count >= 3 && shape[0] <= 4 ? (shape[1], shape[2]) : (shape[0], shape[1])
            let finite = values.lazy.filter(\.isFinite)
            let low = Double(finite.min() ?? 0), high = Double(finite.max() ?? 1)
            let scale = max(2, min(6, 84 / max(height, 1)))
            func grid(_ title: String, _ samples: [[Double]]) -> String {
                ImageGrid(title: title, samples: samples.prefix(64).map { Array($0.prefix(height * width)) },
                          height: height, width: width, low: low, high: high, scale: scale).render()
            }
            html += "<div class=\"row\">" + grid("Real samples", real)
            html += Self.checkpointSeries(Self.spread(evaluated, count: gridCount)) { _, step in grid("Generated at step \(step)", generated[step]!.rows) }
            html += "</div>"
        } else {
            html += Self.checkpointSeries(steps) { index, step in panel(generated[step]!, field: nil, real: real, index: index) }
            html += paragraph("The data have \(features) coordinate\(features == 1 ? "" : "s"); shown: the first two (a zero where there is only one). The discriminator's field is drawn only for 2-D data.")
        }
        let unevaluated = data.checkpointSteps.count - evaluated.count
        if unevaluated > 0 {
            html += paragraph("\(unevaluated) of \(data.checkpointSteps.count) checkpoints are not evaluated and not shown: `ganpipe eval \(data.run.name) --checkpoints all` adds them.")
        }
        return html
    }

    /// One 2-D panel: the samples of `view` over the discriminator's `field` (if stored).
    func panel(_ view: CheckpointView, field stored: CheckpointView?, real: [[Double]], index: Int) -> String {
        let pairs = { (points: [[Double]]) in points.map { ($0.first ?? 0, $0.count > 1 ? $0[1] : 0) } }
        let realPairs = pairs(real), generatedPairs = pairs(view.rows)
        let bounds: [Double]
        var field: SamplePanel.Field? = nil
        if let stored, let storedBounds = stored.meta.window, storedBounds.count == 4, stored.shape.count == 2, stored.shape.allSatisfy({ $0 >= 2 }) {
            bounds = storedBounds
            let (rows, columns) = (stored.shape[0], stored.shape[1])
            let gx = (0..<columns).map { bounds[0] + Double($0) * (bounds[1] - bounds[0]) / Double(columns - 1) }
            let gy = (0..<rows).map { bounds[2] + Double($0) * (bounds[3] - bounds[2]) / Double(rows - 1) }
            field = SamplePanel.Field(xs: gx, ys: gy, values: stored.rows,
                                      label: stored.meta.output == "critic" ? "critic score D(x)" : "discriminator logit D(x)")
        } else {
            let xs = realPairs.map(\.0), ys = realPairs.map(\.1)
            bounds = CheckpointViewMeta.window(x: (xs.min() ?? -1)...(xs.max() ?? 1), y: (ys.min() ?? -1)...(ys.max() ?? 1))
        }
        let window = (bounds[0], bounds[1], bounds[2], bounds[3])
        let modes = data.datasetModes?.centres ?? []
        return SamplePanel(title: "Step \(view.step)", real: realPairs, generated: generatedPairs, field: field, modes: modes,
                           modeStandardDeviation: data.datasetModes?.standardDeviation, window: window, identifier: "samples-\(index)").render()
    }

    /// One figure per checkpoint in a row, each marked with its step: without script every one
    /// shows; the page's script turns the row into one figure and a checkpoint slider.
    static func checkpointSeries(_ steps: [Int], figure: (Int, Int) -> String) -> String {
        "<div class=\"row checkpoints\">" + steps.enumerated().map { index, step in
            "<div class=\"checkpoint\" data-step=\"\(step)\">" + figure(index, step) + "</div>"
        }.joined() + "</div>"
    }

    /// Up to `count` values spread evenly over `values`, always including the last.
    static func spread(_ values: [Int], count: Int) -> [Int] {
        guard values.count > count else { return values }
        let picks = (0..<count).map { values[Int((Double($0) * Double(values.count - 1) / Double(count - 1)).rounded())] }
        return Array(Set(picks)).sorted()
    }

    func paragraph(_ text: String) -> String { "<p class=\"note\">\(SVG.escape(text))</p>" }
}

extension CheckpointView {
    /// The values split along the first dimension, as Doubles.
    var rows: [[Double]] {
        guard let count = shape.first, count > 0 else { return [] }
        let width = values.count / count
        return (0..<count).map { row in values[(row * width)..<((row + 1) * width)].map(Double.init) }
    }
}
