import GanSchema
/// The events of a run on a step axis, one lane per kind (vanishing, exploding, non-finite,
/// resumed, interrupted, …), each event a tick coloured by severity, followed by a table with
/// one row per kind and subject and, folded, every event (the first `tableLimit`).
struct EventTimeline {
    var events: [(step: Int?, kind: String, severity: String, message: String)]
    var firstStep: Int
    var lastStep: Int
    var width = 900.0
    var tableLimit = 1000

    static let severityColors = ["error": "#b00020", "warning": "#d98b00", "info": "#0072B2"]

    func render() -> String {
        guard !events.isEmpty else { return "<p class=\"note\">No events: no gradient left the health thresholds, nothing was resumed or interrupted, every value stayed finite.</p>" }
        let order = ["non_finite", "exploding", "vanishing", "interrupted", "resumed"]
        let kinds = Set(events.map(\.kind)).sorted { (order.firstIndex(of: $0) ?? 99, $0) < (order.firstIndex(of: $1) ?? 99, $1) }
        let (left, right, top) = (120.0, width - 20, 30.0)
        let lane = 22.0
        let bottom = top + lane * Double(kinds.count)
        let height = bottom + 62
        let scale = AxisScale(kind: .linear, lower: Double(firstStep), upper: Double(max(lastStep, firstStep + 1)), pixels: (left, right))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" viewBox=\"0 0 \(SVG.coordinate(width)) \(SVG.coordinate(height))\" width=\"\(SVG.coordinate(width))\" height=\"\(SVG.coordinate(height))\" role=\"img\">"
        svg += "<title>Events over steps</title><text x=\"\(SVG.coordinate((left + right) / 2))\" y=\"18\" class=\"title\" text-anchor=\"middle\">Events over steps</text>"
        for (index, kind) in kinds.enumerated() {
            let y = top + lane * (Double(index) + 0.5)
            let count = events.filter { $0.kind == kind }.count
            svg += "<line x1=\"\(SVG.coordinate(left))\" y1=\"\(SVG.coordinate(y))\" x2=\"\(SVG.coordinate(right))\" y2=\"\(SVG.coordinate(y))\" class=\"grid\"/>"
            svg += "<text x=\"\(SVG.coordinate(left - 8))\" y=\"\(SVG.coordinate(y + 4))\" class=\"tick\" text-anchor=\"end\">\(SVG.escape(kind.replacingOccurrences(of: "_", with: "-"))) (\(count))</text>"
            var marks: [String: String] = [:]
            for event in events where event.kind == kind {
                let x = scale.clampedPosition(Double(event.step ?? firstStep)) ?? left
                marks[event.severity, default: ""] += "M\(SVG.coordinate(x)) \(SVG.coordinate(y - 7))v14"
            }
            for (severity, path) in marks.sorted(by: { $0.key < $1.key }) {
                svg += "<path d=\"\(path)\" stroke=\"\(Self.severityColors[severity] ?? "#555")\" stroke-width=\"2\"/>"
            }
        }
        svg += "<rect x=\"\(SVG.coordinate(left))\" y=\"\(SVG.coordinate(top))\" width=\"\(SVG.coordinate(right - left))\" height=\"\(SVG.coordinate(bottom - top))\" class=\"frame\"/>"
        for tick in scale.ticks(target: 8) {
            guard let x = scale.position(tick.value) else { continue }
            svg += "<line x1=\"\(SVG.coordinate(x))\" y1=\"\(SVG.coordinate(bottom))\" x2=\"\(SVG.coordinate(x))\" y2=\"\(SVG.coordinate(bottom + 5))\" class=\"axis\"/>"
            svg += "<text x=\"\(SVG.coordinate(x))\" y=\"\(SVG.coordinate(bottom + 18))\" class=\"tick\" text-anchor=\"middle\">\(tick.label)</text>"
        }
        svg += "<text x=\"\(SVG.coordinate((left + right) / 2))\" y=\"\(SVG.coordinate(bottom + 34))\" class=\"label\" text-anchor=\"middle\">generator step</text>"
        for (index, severity) in ["error", "warning", "info"].enumerated() {
            let x = left + Double(index) * 110
            svg += "<path d=\"M\(SVG.coordinate(x)) \(SVG.coordinate(bottom + 44))v12\" stroke=\"\(Self.severityColors[severity]!)\" stroke-width=\"2\"/><text x=\"\(SVG.coordinate(x + 6))\" y=\"\(SVG.coordinate(bottom + 54))\" class=\"legend\">\(severity)</text>"
        }
        svg += "</svg>"
        // One row per kind and subject (the metric key a health warning is about), then every
        // event in a <details> element a reader can open (no script needed).
        var groups: [(kind: String, subject: String, severity: String, steps: [Int], last: String)] = []
        for event in events {
            let first = event.message.split(separator: " ").first.map(String.init) ?? ""
            let subject = first.contains("/") ? first : "\u{2013}"
            if let index = groups.firstIndex(where: { $0.kind == event.kind && $0.subject == subject }) {
                groups[index].steps += event.step.map { [$0] } ?? []
                groups[index].last = event.message
            } else {
                groups.append((event.kind, subject, event.severity, event.step.map { [$0] } ?? [], event.message))
            }
        }
        var table = "<table><thead><tr><th>kind</th><th>about</th><th>severity</th><th>events</th><th>steps</th><th>latest message</th></tr></thead><tbody>"
        for group in groups.sorted(by: { $0.kind != $1.kind ? $0.kind < $1.kind : NaturalOrder.precedes($0.subject, $1.subject) }) {
            let steps = group.steps.isEmpty ? "\u{2013}" : (group.steps.count == 1 ? "\(group.steps[0])" : "\(group.steps.min()!)\u{2013}\(group.steps.max()!)")
            table += "<tr><td>\(SVG.escape(group.kind))</td><td><code>\(SVG.escape(group.subject))</code></td><td class=\"\(group.severity == "error" ? "problem" : group.severity)\">\(SVG.escape(group.severity))</td><td class=\"num\">\(group.steps.count)</td><td class=\"num\">\(steps)</td><td>\(SVG.escape(group.last))</td></tr>"
        }
        table += "</tbody></table>"
        table += "<details><summary>All \(events.count) events in order</summary><table><thead><tr><th>step</th><th>severity</th><th>kind</th><th>message</th></tr></thead><tbody>"
        for event in events.prefix(tableLimit) {
            table += "<tr><td class=\"num\">\(event.step.map(String.init) ?? "\u{2013}")</td><td class=\"\(event.severity == "error" ? "problem" : event.severity)\">\(SVG.escape(event.severity))</td><td>\(SVG.escape(event.kind))</td><td>\(SVG.escape(event.message))</td></tr>"
        }
        table += "</tbody></table>"
        if events.count > tableLimit { table += "<p class=\"note\">\u{2026} and \(events.count - tableLimit) more (query them with <code>ganpipe sql</code>).</p>" }
        table += "</details>"
        return "<figure>\(svg)</figure>" + table
    }
}
