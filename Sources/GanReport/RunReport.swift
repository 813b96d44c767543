import Foundation
import GanSchema
import GanStore

/// `ganpipe report RUN`: one self-contained HTML page about a run — its verdict, losses and
/// Wasserstein estimate, a heat map of every layer's gradient norm, the discriminator's
/// activation-gradient norm against depth (the WGAN-GP paper's Figure 1b), ‖∇ₓD‖ at real,
/// generated and interpolated points, the events, the evaluator's metrics, and samples.
///
/// Long runs are downsampled when read (`RunData`): each plotted point is the mean of a bucket
/// of steps with its minimum–maximum as a band, about 500 buckets per metric, so a
/// 100,000-step run gives a page of a few hundred kilobytes.
public struct RunReport {
    public var data: RunData
    public var diagnosis: Diagnosis

    public init(_ data: RunData) throws {
        self.data = data
        self.diagnosis = try Diagnosis.make(data)
    }

    /// The section ids, in page order; each appears as `<section id="…">`.
    public static let sectionIdentifiers = ["verdict", "losses", "gradient-heatmap", "activation-gradients",
                                            "input-gradients", "events", "evaluations", "samples", "configuration"]

    public func html() throws -> String {
        var page = HTMLPage(title: "ganpipe report: \(data.run.name)")
        page.section("verdict", "Verdict", verdictSection(), lead: "What <code>ganpipe diagnose</code> finds in this run.")
        page.section("losses", lossHeading, lossSection(), lead: downsamplingNote())
        page.section("gradient-heatmap", "Gradient norm of every layer over steps", heatMapSection(),
                     lead: "Each cell is ‖∂loss/∂θ‖₂ of one parameter tensor (rows, from the input at the top) over a range of steps (columns), coloured by its log₁₀. Look for rows that drift to the dark or bright end of the scale.")
        page.section("activation-gradients", "Activation-gradient norm against depth (WGAN-GP Figure 1b)", try depthSection(),
                     lead: "log₁₀ ‖∂L_D/∂h_l‖₂ of the discriminator's loss with respect to the output of hidden layer l, over the real and generated batch, at a few steps. A straight line falling toward the input means vanishing gradients, rising means exploding; flat is healthy (Gulrajani et al., arXiv 1704.00028, Figure 1b).")
        page.section("input-gradients", "Gradient of the discriminator with respect to its input", inputGradientSection(),
                     lead: "Batch mean of ‖∇ₓD(x)‖₂ at real, generated and interpolated points (interpolates only for penalty objectives), and the generator's signal ‖∂L_G/∂x̃‖₂.")
        page.section("events", "Events", eventSection())
        page.section("evaluations", "Evaluation metrics over steps", evaluationSection(),
                     lead: "Every metric the evaluator recorded for this run's checkpoints, each on its own axis; dashed: the same metric for real held-out samples (the value a perfect generator would get), when recorded.")
        page.section("samples", "Samples", SampleFigures(data: data).render())
        page.section("configuration", "Configuration", configurationSection())
        return page.render(header: header())
    }

    /// What the losses section shows for this objective.
    var lossHeading: String {
        let objective = Objective(rawValue: data.run.objective)
        guard objective?.isWasserstein == true else { return "Losses and discriminator outputs" }
        return (data.configuration.number("gradient_penalty_weight") ?? 0) > 0 ? "Losses, Wasserstein estimate and penalty" : "Losses and Wasserstein estimate"
    }

    /// The networks in a phrase: a named convolutional architecture with its parameter counts
    /// (from the stored description), else the MLP's hidden layers and width.
    func networksPhrase() -> String {
        let configuration = data.configuration
        if let architecture = configuration.text("architecture"), architecture != "mlp", let model = try? data.model() {
            let counts = [("generator", model.generator), ("discriminator", model.discriminator)].map { name, network in
                "\(name) \(network.layers.count) layers, \(Self.count(network.parameterCount)) parameters"
            }
            return "\(architecture)" + (configuration.text("channels").map { " (D = \($0))" } ?? "") + ": " + counts.joined(separator: ", ")
        }
        return ["generator", "discriminator"].map { network in
            network + " " + (configuration.text("\(network)_depth") ?? "?") + " hidden layers \u{d7} " + (configuration.text("\(network)_width") ?? "?")
        }.joined(separator: ", ")
    }

    /// 42 s, 3 min 05 s, 2 h 07 min.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total >= 3600 { return String(format: "%d h %02d min", total / 3600, total % 3600 / 60) }
        if total >= 60 { return String(format: "%d min %02d s", total / 60, total % 60) }
        return String(format: "%.3g s", seconds)
    }

    /// 1,234 / 1.23 million.
    static func count(_ value: Int) -> String {
        value >= 1_000_000 ? String(format: "%.2f million", Double(value) / 1e6) : value.formatted(.number.grouping(.automatic))
    }

    func header() -> String {
        let run = data.run
        let configuration = data.configuration
        let architecture = networksPhrase()
        var html = "<header><h1>\(SVG.escape(run.name))</h1><p class=\"meta\">"
        html += "objective <b>\(SVG.escape(run.objective))</b> · dataset <b>\(SVG.escape(data.dataset?.name ?? "deleted"))</b> · "
        html += "\(SVG.escape(run.status.rawValue)) at step \(run.currentStep) of \(run.totalSteps) · seed \(run.seed)<br/>"
        let optimizer: String = configuration.text("optimizer") ?? "?"
        let learningRate: String = configuration.text("learning_rate") ?? "?"
        let convolutional = (configuration.text("architecture") ?? "mlp") != "mlp"
        let training: String = "\(architecture)\(convolutional ? "" : ", \(configuration.activation)") · \(optimizer) learning rate \(learningRate)"
        html += SVG.escape(training)
        if let clip = configuration.clip { html += " · clip \u{b1}\(SVG.number(clip))" }
        if let lambda = configuration.number("gradient_penalty_weight"), lambda > 0 { html += " · penalty weight \u{3bb} = \(SVG.number(lambda))" }
        html += " · batch \(SVG.escape(configuration.text("batch_size") ?? "?")) · \(SVG.escape(configuration.text("discriminator_steps") ?? "?")) discriminator step\(configuration.text("discriminator_steps") == "1" ? "" : "s") per generator step"
        html += "</p></header>\n"
        return html
    }

    func downsamplingNote() -> String {
        guard data.bucketSize > 1 else { return "Every recorded step is drawn." }
        return "This run is long: each point is the mean over \(data.bucketSize) consecutive steps, and the shaded band spans that bucket's minimum to maximum."
    }

    func configurationSection() -> String {
        var html = "<table><thead><tr><th>key</th><th>value</th></tr></thead><tbody>"
        for (key, value) in data.configuration.values.sorted(by: { $0.key < $1.key }) {
            html += "<tr><td><code>\(SVG.escape(key))</code></td><td>\(SVG.escape(value))</td></tr>"
        }
        return html + "</tbody></table>"
    }

    func verdictSection() -> String {
        // The headline agrees with `ganpipe diagnose`'s summary: "healthy" only without warnings.
        let warnings = diagnosis.findings.filter { $0.severity == .warning }.count
        var html = !diagnosis.healthy
            ? "<p class=\"problem\">\(diagnosis.problemCount) problem\(diagnosis.problemCount == 1 ? "" : "s") found.</p>"
            : warnings > 0 ? "<p class=\"warning\">No problem found; \(warnings) warning\(warnings == 1 ? "" : "s") below.</p>"
            : "<p class=\"healthy\">Healthy: no problem found.</p>"
        html += "<ul class=\"findings\">"
        for finding in diagnosis.findings {
            let scope = finding.network.map { "\($0): " } ?? ""
            html += "<li><span class=\"badge \(finding.severity.rawValue)\">\(finding.severity.rawValue)</span>\(SVG.escape(scope + finding.message))</li>"
        }
        html += "</ul>"
        return html
    }

    func eventSection() -> String {
        let last = max(data.run.currentStep, data.series.values.compactMap(\.lastStep).max() ?? 0)
        return EventTimeline(events: data.events.map { ($0.step, $0.kind, $0.severity.rawValue, $0.message) },
                             firstStep: 0, lastStep: max(1, last)).render()
    }
}
