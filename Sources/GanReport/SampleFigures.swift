import Foundation
import GanSchema
import GanRandom
import GanStore

/// The samples section of a report: what the generator makes at a few checkpoints, next to
/// the real data. For 2-D data, real and generated samples over the discriminator's value
/// field (its contours); for images, grids of generated and real samples; otherwise the first
/// two coordinates. Samples are drawn with the report's own seeded noise (`SplitMix64`,
/// standard normal) through the checkpoint's generator (`CheckpointNetwork`).
struct SampleFigures {
    var data: RunData
    var sampleCount = 512
    var gridResolution = 48
    var panelCount = 3

    /// HTML for the section body; problems (no checkpoint, a corrupt one) become a sentence.
    func render() -> String {
        guard let dataset = data.dataset else { return paragraph("The run's dataset was deleted, so there is nothing to compare the samples with.") }
        guard !data.checkpointSteps.isEmpty else { return paragraph("The run has no complete checkpoint yet, so no samples can be drawn.") }
        let stored: DatasetStore.StoredArray
        let values: [Float]
        do {
            guard let array = try DatasetStore(data.database).array("samples", of: dataset) else {
                return paragraph("Dataset \u{2018}\(dataset.name)\u{2019} has no samples array.")
            }
            stored = array
            values = try array.floats()
        } catch {
            return paragraph("The dataset could not be read: \(error).")
        }
        let features = stored.shape.dropFirst().reduce(1, *)
        let count = stored.shape.first ?? 0
        guard features >= 1, count >= 1 else { return paragraph("The dataset's samples array is empty.") }
        let stride = max(1, count / sampleCount)
        let real = Swift.stride(from: 0, to: count, by: stride).prefix(sampleCount).map { index in
            (0..<features).map { Double(values[index * features + $0]) }
        }
        var html = ""
        let steps = Self.spread(data.checkpointSteps, count: panelCount)
        let shape = data.sampleShape ?? (stored.shape.count >= 3 ? Array(stored.shape.dropFirst()) : nil)
        if features == 2 {
            html += "<div class=\"row\">"
            for (index, step) in steps.enumerated() { html += panel(step: step, real: real, index: index) }
            html += "</div>"
            html += paragraph("Orange: \(real.count) real samples; green: \(sampleCount) generated samples (noise drawn by the report with a fixed seed); black circles: the dataset's modes, radius 3\u{3c3} (the evaluator's high-quality region). Background and grey contour lines: the discriminator's output over the plane (blue low, red high), from the same checkpoint.")
        } else if let shape, shape.count >= 2 {
            let (height, width) = (shape[0], shape[1])
            let finite = values.lazy.filter(\.isFinite)
            let low = Double(finite.min() ?? 0), high = Double(finite.max() ?? 1)
            html += "<div class=\"row\">"
            for step in steps.suffix(2) {
                switch generate(step: step, count: 64) {
                case .success(let samples):
                    html += ImageGrid(title: "Generated at step \(step)", samples: samples.map { Array($0.prefix(height * width)) },
                                      height: height, width: width, low: low, high: high).render()
                case .failure(let message): html += paragraph(message)
                }
            }
            html += ImageGrid(title: "Real samples", samples: real.prefix(64).map { Array($0.prefix(height * width)) },
                              height: height, width: width, low: low, high: high).render()
            html += "</div>"
        } else {
            html += "<div class=\"row\">"
            for (index, step) in steps.enumerated() { html += panel(step: step, real: real, index: index, withField: false) }
            html += "</div>"
            html += paragraph("The data have \(features) coordinate\(features == 1 ? "" : "s"); shown: the first two (a zero where there is only one). The discriminator's field is drawn only for 2-D data.")
        }
        return html
    }

    /// One 2-D panel: samples at `step` over the discriminator's field.
    func panel(step: Int, real: [[Double]], index: Int, withField: Bool = true) -> String {
        let networks: (CheckpointNetwork, CheckpointNetwork)
        switch load(step: step) {
        case .success(let loaded): networks = loaded
        case .failure(let message): return paragraph(message)
        }
        let (generator, discriminator) = networks
        let generated = sample(generator, count: sampleCount, step: step)
        let pairs = { (points: [[Double]]) in points.map { ($0.first ?? 0, $0.count > 1 ? $0[1] : 0) } }
        let realPairs = pairs(real), generatedPairs = pairs(generated)
        let xs = realPairs.map(\.0), ys = realPairs.map(\.1)
        let (xLow, xHigh, yLow, yHigh) = (xs.min() ?? -1, xs.max() ?? 1, ys.min() ?? -1, ys.max() ?? 1)
        let span = max(xHigh - xLow, yHigh - yLow, 1e-6)
        let (cx, cy) = ((xLow + xHigh) / 2, (yLow + yHigh) / 2)
        let half = span * 0.65
        let window = (cx - half, cx + half, cy - half, cy + half)
        var field: SamplePanel.Field? = nil
        if withField, discriminator.inputs == 2 {
            let grid = (0..<gridResolution).map { Double($0) / Double(gridResolution - 1) }
            let gx = grid.map { window.0 + $0 * (window.1 - window.0) }, gy = grid.map { window.2 + $0 * (window.3 - window.2) }
            let values = gy.map { y in gx.map { x in discriminator([x, y]).first ?? .nan } }
            let wasserstein = Objective(rawValue: data.run.objective)?.isWasserstein == true
            field = SamplePanel.Field(xs: gx, ys: gy, values: values, label: wasserstein ? "critic score D(x)" : "discriminator logit D(x)")
        }
        let modes = data.datasetModes?.centres ?? []
        return SamplePanel(title: "Step \(step)", real: realPairs, generated: generatedPairs, field: field, modes: modes,
                           modeStandardDeviation: data.datasetModes?.standardDeviation, window: window, identifier: "samples-\(index)").render()
    }

    enum Outcome<Value> { case success(Value), failure(String) }

    func load(step: Int) -> Outcome<(CheckpointNetwork, CheckpointNetwork)> {
        do {
            guard let checkpoint = try CheckpointStore(data.database).checkpoint(runId: data.runId, step: step) else {
                return .failure("No complete checkpoint at step \(step).")
            }
            let blobs = try CheckpointStore(data.database).blobs(of: checkpoint)
            let activation = data.configuration.activation, slope = data.configuration.leakySlope
            guard let generator = CheckpointNetwork(network: "generator", blobs: blobs, activation: activation, leakySlope: slope),
                  let discriminator = CheckpointNetwork(network: "discriminator", blobs: blobs, activation: activation, leakySlope: slope) else {
                return .failure("The checkpoint at step \(step) holds no readable generator and discriminator weights.")
            }
            return .success((generator, discriminator))
        } catch {
            return .failure("The checkpoint at step \(step) could not be read: \(error).")
        }
    }

    func generate(step: Int, count: Int) -> Outcome<[[Double]]> {
        switch load(step: step) {
        case .success(let (generator, _)): return .success(sample(generator, count: count, step: step))
        case .failure(let message): return .failure(message)
        }
    }

    /// `count` samples G(z), z standard normal from a generator seeded by the run and the step.
    func sample(_ generator: CheckpointNetwork, count: Int, step: Int) -> [[Double]] {
        var random = SplitMix64(seed: UInt64(bitPattern: data.run.seed) &* 0x9E37_79B9 ^ UInt64(step))
        return (0..<count).map { _ in generator((0..<generator.inputs).map { _ in random.nextBoxMullerNormal() }) }
    }

    /// Up to `count` values spread evenly over `values`, always including the last.
    static func spread(_ values: [Int], count: Int) -> [Int] {
        guard values.count > count else { return values }
        let picks = (0..<count).map { values[Int((Double($0) * Double(values.count - 1) / Double(count - 1)).rounded())] }
        return Array(Set(picks)).sorted()
    }

    func paragraph(_ text: String) -> String { "<p class=\"note\">\(SVG.escape(text))</p>" }
}
