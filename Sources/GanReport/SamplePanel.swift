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
        let width = size + 92, height = size + 8
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
                svg += raster(field, scale: Self.colorScale(low: low, high: high), xScale: xScale, yScale: yScale)
                svg += contours(field, low: low, high: high, xScale: xScale, yScale: yScale, clip: "clip-\(identifier)")
            }
        }
        svg += "<rect x=\"\(SVG.coordinate(left))\" y=\"\(SVG.coordinate(top))\" width=\"\(SVG.coordinate(plot))\" height=\"\(SVG.coordinate(plot))\" class=\"frame\"/>"
        // Samples beyond the window are not dropped: each is a small open triangle on the frame
        // where it left, pointing away (generated ones counted in the caption); samples with a
        // non-finite coordinate cannot be placed and are counted apart.
        var outside = 0, unplaceable = 0
        for (points, color) in [(generated, "#009E73"), (real, "#E69F00")] {
            var dots = "", marks = ""
            for (x, y) in points {
                guard let px = xScale.position(x), let py = yScale.position(y) else {
                    if color == "#009E73" { unplaceable += 1 }
                    continue
                }
                if px >= left, px <= right, py >= top, py <= bottom {
                    dots += "M\(SVG.coordinate(px)) \(SVG.coordinate(py))h0"
                    continue
                }
                if color == "#009E73" { outside += 1 }
                marks += Self.edgeMark(px: px, py: py, frame: (left, top, right, bottom))
            }
            svg += "<path d=\"\(dots)\" stroke=\"\(color)\" stroke-width=\"3.4\" stroke-linecap=\"round\" stroke-opacity=\"0.8\"/>"
            if !marks.isEmpty {
                svg += "<path class=\"outside\" d=\"\(marks)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.2\" stroke-opacity=\"0.9\"/>"
            }
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
        if outside > 0 {
            notes.append("\(outside) of \(generated.count) generated samples lie outside this window, marked by open triangles on its edge pointing their way.")
        }
        if unplaceable > 0 { notes.append("\(unplaceable) generated samples have a non-finite coordinate and cannot be drawn.") }
        if let (low, high) = range, low < 0 || high > 0 {
            notes.append("The colours are centred on D = 0 (white); the field spans \(SVG.number(low)) to \(SVG.number(high)).")
        }
        return "<figure>\(svg)\(notes.isEmpty ? "" : "<figcaption>\(notes.joined(separator: " "))</figcaption>")</figure>"
    }

    /// An open triangle 7 px wide on the frame where the segment from the plot's centre to
    /// (px, py) leaves it, pointing outward.
    static func edgeMark(px: Double, py: Double, frame: (left: Double, top: Double, right: Double, bottom: Double)) -> String {
        let (cx, cy) = ((frame.left + frame.right) / 2, (frame.top + frame.bottom) / 2)
        let (dx, dy) = (px - cx, py - cy)
        let reach = min(dx == 0 ? .infinity : ((dx > 0 ? frame.right : frame.left) - cx) / dx,
                        dy == 0 ? .infinity : ((dy > 0 ? frame.bottom : frame.top) - cy) / dy)
        let (ex, ey) = (cx + dx * reach, cy + dy * reach)
        let length = max((dx * dx + dy * dy).squareRoot(), 1e-9)
        let (ux, uy) = (dx / length, dy / length)
        let tip = (ex + 3.5 * ux, ey + 3.5 * uy), base = (ex - 3.5 * ux, ey - 3.5 * uy)
        let side = (-uy * 3.5, ux * 3.5)
        return "M\(SVG.coordinate(tip.0)) \(SVG.coordinate(tip.1))L\(SVG.coordinate(base.0 + side.0)) \(SVG.coordinate(base.1 + side.1))"
            + "L\(SVG.coordinate(base.0 - side.0)) \(SVG.coordinate(base.1 - side.1))Z"
    }

    /// The colour scale of a field spanning low…high: the diverging palette centred on D = 0
    /// (white), reaching as far on both sides as the field's larger magnitude, so that the
    /// sign of D reads from the colour alone.
    static func colorScale(low: Double, high: Double) -> (lower: Double, upper: Double) {
        let magnitude = max(abs(low), abs(high))
        return magnitude > 0 ? (-magnitude, magnitude) : (-1, 1)
    }

    /// The field as a small RGB PNG stretched over the plot (smoothly interpolated by the viewer).
    func raster(_ field: Field, scale: (lower: Double, upper: Double), xScale: AxisScale, yScale: AxisScale) -> String {
        let (low, high) = scale
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

    /// The colour bar over the colour scale (centred on 0), with ticks at round values and the
    /// field's own minimum and maximum marked by short black lines.
    func colorbar(x: Double, top: Double, height: Double, low: Double, high: Double, label: String) -> String {
        let scale = Self.colorScale(low: low, high: high)
        let axis = AxisScale(kind: .linear, lower: scale.lower, upper: scale.upper, pixels: (top + height, top))
        var svg = "<g class=\"colorbar\" data-lower=\"\(scale.lower)\" data-upper=\"\(scale.upper)\">"
        let steps = 30
        for index in 0..<steps {
            let y = top + height * (1 - Double(index + 1) / Double(steps))
            svg += "<rect x=\"\(SVG.coordinate(x))\" y=\"\(SVG.coordinate(y))\" width=\"10\" height=\"\(SVG.coordinate(height / Double(steps) + 0.6))\" fill=\"\(SVG.diverging(Double(index) / Double(steps - 1)))\" opacity=\"0.75\"/>"
        }
        svg += "<rect x=\"\(SVG.coordinate(x))\" y=\"\(SVG.coordinate(top))\" width=\"10\" height=\"\(SVG.coordinate(height))\" class=\"frame\"/>"
        for tick in axis.ticks(target: 5) {
            guard let y = axis.position(tick.value) else { continue }
            svg += "<path d=\"M\(SVG.coordinate(x + 10)) \(SVG.coordinate(y))h3\" class=\"axis\"/>"
            svg += "<text x=\"\(SVG.coordinate(x + 15))\" y=\"\(SVG.coordinate(y + 3.5))\" class=\"tick\">\(tick.label)</text>"
        }
        for value in [low, high] {
            guard let y = axis.position(value) else { continue }
            svg += "<path class=\"field-extent\" d=\"M\(SVG.coordinate(x - 3)) \(SVG.coordinate(y))h16\" stroke=\"#000\" stroke-width=\"1.2\"/>"
        }
        svg += "<text transform=\"translate(\(SVG.coordinate(x + 46)) \(SVG.coordinate(top + height / 2))) rotate(90)\" class=\"label\" text-anchor=\"middle\">\(SVG.escape(label))</text>"
        return svg + "</g>"
    }
}
