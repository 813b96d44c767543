import Foundation

/// Real and generated 2-D samples over the discriminator's value field, as in the WGAN-GP
/// reference toy implementation: the field as a shaded raster with contour lines, real samples
/// in orange, generated ones in green, dataset modes as 3σ circles, and a colour bar for the field.
struct SamplePanel {
    struct Field {
        /// `values[row][column]` at `(xs[column], ys[row])`.
        var xs: [Double]
        var ys: [Double]
        var values: [[Double]]
        var label: String
    }

    var title: String
    var real: [(Double, Double)]
    var generated: [(Double, Double)]
    var field: Field?
    var modes: [[Double]] = []
    /// Per-axis standard deviation of the modes: each mode is drawn as a circle of 3σ, the
    /// evaluator's "high quality" region.
    var modeStandardDeviation: Double?
    /// The data window shown, `(xMin, xMax, yMin, yMax)`.
    var window: (Double, Double, Double, Double)
    var size = 340.0
    /// Unique within the page (names the clip path).
    var identifier = "samples"

    func render() -> String {
        let (left, top) = (52.0, 28.0)
        let plot = size - 80
        let (right, bottom) = (left + plot, top + plot)
        let width = size + 70, height = size + 8
        let xScale = AxisScale(kind: .linear, lower: window.0, upper: window.1, pixels: (left, right))
        let yScale = AxisScale(kind: .linear, lower: window.2, upper: window.3, pixels: (bottom, top))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" viewBox=\"0 0 \(SVG.coordinate(width)) \(SVG.coordinate(height))\" width=\"\(SVG.coordinate(width))\" height=\"\(SVG.coordinate(height))\" role=\"img\">"
        svg += "<title>\(SVG.escape(title))</title>"
        svg += "<text x=\"\(SVG.coordinate((left + right) / 2))\" y=\"18\" class=\"title\" text-anchor=\"middle\">\(SVG.escape(title))</text>"
        svg += "<clipPath id=\"clip-\(identifier)\"><rect x=\"\(SVG.coordinate(left))\" y=\"\(SVG.coordinate(top))\" width=\"\(SVG.coordinate(plot))\" height=\"\(SVG.coordinate(plot))\"/></clipPath>"
        var range: (Double, Double)? = nil
        if let field {
            let finite = field.values.flatMap { $0 }.filter(\.isFinite)
            if let low = finite.min(), let high = finite.max() {
                range = (low, high)
                svg += raster(field, low: low, high: high, xScale: xScale, yScale: yScale)
                svg += contours(field, low: low, high: high, xScale: xScale, yScale: yScale, clip: "clip-\(identifier)")
            }
        }
        svg += "<rect x=\"\(SVG.coordinate(left))\" y=\"\(SVG.coordinate(top))\" width=\"\(SVG.coordinate(plot))\" height=\"\(SVG.coordinate(plot))\" class=\"frame\"/>"
        var outside = 0
        for (points, color) in [(generated, "#009E73"), (real, "#E69F00")] {
            var dots = ""
            for (x, y) in points {
                guard let px = xScale.position(x), let py = yScale.position(y), px >= left, px <= right, py >= top, py <= bottom else {
                    if color == "#009E73" { outside += 1 }
                    continue
                }
                dots += "M\(SVG.coordinate(px)) \(SVG.coordinate(py))h0"
            }
            svg += "<path d=\"\(dots)\" stroke=\"\(color)\" stroke-width=\"3.4\" stroke-linecap=\"round\" stroke-opacity=\"0.8\"/>"
        }
        var circles = ""
        for mode in modes where mode.count == 2 {
            guard let px = xScale.position(mode[0]), let py = yScale.position(mode[1]) else { continue }
            let radius = max(4, (modeStandardDeviation.map { 3 * $0 } ?? 0) / (window.1 - window.0) * plot)
            circles += "M\(SVG.coordinate(px - radius)) \(SVG.coordinate(py))a\(SVG.coordinate(radius)) \(SVG.coordinate(radius)) 0 1 0 \(SVG.coordinate(2 * radius)) 0a\(SVG.coordinate(radius)) \(SVG.coordinate(radius)) 0 1 0 \(SVG.coordinate(-2 * radius)) 0"
        }
        if !circles.isEmpty { svg += "<path d=\"\(circles)\" fill=\"none\" stroke=\"#000\" stroke-width=\"1\"/>" }
        for tick in xScale.ticks(target: 5) {
            guard let x = xScale.position(tick.value) else { continue }
            svg += "<text x=\"\(SVG.coordinate(x))\" y=\"\(SVG.coordinate(bottom + 15))\" class=\"tick\" text-anchor=\"middle\">\(tick.label)</text>"
        }
        for tick in yScale.ticks(target: 5) {
            guard let y = yScale.position(tick.value) else { continue }
            svg += "<text x=\"\(SVG.coordinate(left - 5))\" y=\"\(SVG.coordinate(y + 4))\" class=\"tick\" text-anchor=\"end\">\(tick.label)</text>"
        }
        svg += "<text x=\"\(SVG.coordinate((left + right) / 2))\" y=\"\(SVG.coordinate(bottom + 32))\" class=\"label\" text-anchor=\"middle\">x\u{2081}</text>"
        svg += "<text x=\"16\" y=\"\(SVG.coordinate((top + bottom) / 2))\" class=\"label\" text-anchor=\"middle\">x\u{2082}</text>"
        if let field, let (low, high) = range {
            svg += colorbar(x: right + 12, top: top, height: plot, low: low, high: high, label: field.label)
        }
        svg += "</svg>"
        var notes: [String] = []
        if outside > 0 { notes.append("\(outside) of \(generated.count) generated samples lie outside this window.") }
        return "<figure>\(svg)\(notes.isEmpty ? "" : "<figcaption>\(notes.joined(separator: " "))</figcaption>")</figure>"
    }

    /// The field as a small RGB PNG stretched over the plot (smoothly interpolated by the viewer).
    func raster(_ field: Field, low: Double, high: Double, xScale: AxisScale, yScale: AxisScale) -> String {
        let (columns, rows) = (field.xs.count, field.ys.count)
        var pixels: [UInt8] = []
        pixels.reserveCapacity(columns * rows * 3)
        for row in (0..<rows).reversed() {
            for column in 0..<columns {
                let t = (field.values[row][column] - low) / max(high - low, 1e-300)
                let hex = SVG.diverging(t)
                for offset in [1, 3, 5] {
                    let start = hex.index(hex.startIndex, offsetBy: offset)
                    pixels.append(UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16) ?? 0)
                }
            }
        }
        let image = PNGImage(width: columns, height: rows, color: .rgb, pixels: pixels)
        let x0 = xScale.position(field.xs.first!)!, x1 = xScale.position(field.xs.last!)!
        let y0 = yScale.position(field.ys.last!)!, y1 = yScale.position(field.ys.first!)!
        return "<image x=\"\(SVG.coordinate(x0))\" y=\"\(SVG.coordinate(y0))\" width=\"\(SVG.coordinate(x1 - x0))\" height=\"\(SVG.coordinate(y1 - y0))\" preserveAspectRatio=\"none\" opacity=\"0.75\" href=\"\(image.dataURI)\"/>"
    }

    /// Ten contour levels evenly spaced over the field's range, as thin grey lines.
    func contours(_ field: Field, low: Double, high: Double, xScale: AxisScale, yScale: AxisScale, clip: String) -> String {
        let lines = ContourLines(values: field.values, xs: field.xs, ys: field.ys)
        var path = ""
        for index in 1...10 {
            let level = low + (high - low) * Double(index) / 11
            for s in lines.segments(at: level) {
                guard let a = xScale.position(s.x0), let b = yScale.position(s.y0),
                      let c = xScale.position(s.x1), let d = yScale.position(s.y1) else { continue }
                path += "M\(SVG.coordinate(a)) \(SVG.coordinate(b))L\(SVG.coordinate(c)) \(SVG.coordinate(d))"
            }
        }
        return "<path d=\"\(path)\" fill=\"none\" stroke=\"#555\" stroke-width=\"0.7\" stroke-opacity=\"0.8\" clip-path=\"url(#\(clip))\"/>"
    }

    func colorbar(x: Double, top: Double, height: Double, low: Double, high: Double, label: String) -> String {
        var svg = ""
        let steps = 30
        for index in 0..<steps {
            let y = top + height * (1 - Double(index + 1) / Double(steps))
            svg += "<rect x=\"\(SVG.coordinate(x))\" y=\"\(SVG.coordinate(y))\" width=\"10\" height=\"\(SVG.coordinate(height / Double(steps) + 0.6))\" fill=\"\(SVG.diverging(Double(index) / Double(steps - 1)))\" opacity=\"0.75\"/>"
        }
        svg += "<rect x=\"\(SVG.coordinate(x))\" y=\"\(SVG.coordinate(top))\" width=\"10\" height=\"\(SVG.coordinate(height))\" class=\"frame\"/>"
        let (highText, lowText) = Self.distinct(high, low)
        svg += "<text x=\"\(SVG.coordinate(x + 13))\" y=\"\(SVG.coordinate(top + 8))\" class=\"tick\">\(highText)</text>"
        svg += "<text x=\"\(SVG.coordinate(x + 13))\" y=\"\(SVG.coordinate(top + height))\" class=\"tick\">\(lowText)</text>"
        svg += "<text transform=\"translate(\(SVG.coordinate(x + 30)) \(SVG.coordinate(top + height / 2))) rotate(90)\" class=\"label\" text-anchor=\"middle\">\(SVG.escape(label))</text>"
        return svg
    }

    /// Two values printed with as many significant digits as it takes to tell them apart.
    static func distinct(_ a: Double, _ b: Double) -> (String, String) {
        var (first, second) = (SVG.number(a), SVG.number(b))
        var digits = 5
        while first == second, a != b, digits <= 12 {
            (first, second) = (SVG.minus(String(format: "%.\(digits)g", a)), SVG.minus(String(format: "%.\(digits)g", b)))
            digits += 1
        }
        return (first, second)
    }
}
