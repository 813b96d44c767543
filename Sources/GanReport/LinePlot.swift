import Foundation

/// A line chart as inline SVG: several series over a shared x axis (steps, or layer depth),
/// a linear or log₁₀ y axis chosen from the data unless fixed, a legend, axis labels, and a
/// shaded band for each series' per-bucket minimum–maximum when the data were downsampled.
/// Values that cannot be drawn are never dropped silently: non-finite values are marked by
/// red triangles on the top edge and zeros on a log axis by grey triangles on the bottom edge,
/// and the caption says how many there were.
struct LinePlot {
    struct Series {
        var name: String
        var color: String
        /// nil y: not finite at that x.
        var points: [(x: Double, y: Double?)]
        /// Minimum–maximum per bucket, drawn as a translucent band.
        var band: [(x: Double, low: Double, high: Double)] = []
        /// A stroke-dasharray (`5 3`), or nil for a solid line.
        var dash: String?
        var markers = false
        /// x positions where values were not finite (beyond those with nil y).
        var nonFinite: [Double] = []
    }

    enum YScale { case automatic, linear, logarithmic }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var yScale: YScale = .automatic
    var width = 620.0
    var height = 330.0
    /// Extra sentences under the figure.
    var notes: [String] = []
    /// How a nil value is described in the caption.
    var missingDescription = "not finite (NaN or \u{b1}inf) and not drawn"
    /// Horizontal reference lines (e.g. the penalty's target norm 1), dashed grey, labelled.
    var references: [(y: Double, label: String)] = []
    /// Fit the y axis to the bulk of the values (the 1st–99th percentile, widened by half its
    /// span) when a few values lie far outside it; those are drawn on the axis edge and counted
    /// in the caption.
    var ignoresOutliers = false

    /// The y values the axis covers: all, or the bulk when `ignoresOutliers` finds outliers.
    func axisValues(_ values: [Double], logarithmic: Bool) -> (values: [Double], outliers: ClosedRange<Double>?) {
        let usable = values.filter { $0.isFinite && (!logarithmic || $0 > 0) }.sorted()
        guard ignoresOutliers, usable.count >= 20 else { return (values, nil) }
        let transform: (Double) -> Double = logarithmic ? { log10($0) } : { $0 }
        let low = transform(usable[usable.count / 100]), high = transform(usable[usable.count - 1 - usable.count / 100])
        let span = max(high - low, 1e-12 * max(1, abs(high)))
        let range = (low - span / 2)...(high + span / 2)
        guard !usable.allSatisfy({ range.contains(transform($0)) }) else { return (values, nil) }
        let inverse: (Double) -> Double = logarithmic ? { pow(10, $0) } : { $0 }
        return (values.filter { range.contains(transform($0)) }, inverse(range.lowerBound)...inverse(range.upperBound))
    }

    /// Whether the y axis ends up logarithmic: forced, or automatic when no value is negative
    /// and the positive ones span more than two decades (zeros are then marked, not drawn).
    var usesLogScale: Bool {
        switch yScale {
        case .linear: return false
        case .logarithmic: return true
        case .automatic:
            let values = series.flatMap { $0.points.compactMap(\.y) }.filter(\.isFinite)
            guard !values.contains(where: { $0 < 0 }) else { return false }
            let positive = values.filter { $0 > 0 }
            guard let low = positive.min(), let high = positive.max() else { return false }
            return high / low > 100
        }
    }

    func render() -> String {
        let logarithmic = usesLogScale
        let legendRows = Self.legendLayout(series.map(\.name), width: width - 80)
        let top = 30.0 + Double(legendRows.count) * 16 + 6
        let (left, right, bottom) = (70.0, width - 18, height - 46)
        let xs = series.flatMap { $0.points.map(\.x) + $0.nonFinite }
        let (yValues, outlierRange) = axisValues(series.flatMap { s in s.points.compactMap(\.y) + s.band.flatMap { [$0.low, $0.high] } } + references.map(\.y),
                                                 logarithmic: logarithmic)
        let xScale = AxisScale(kind: .linear, covering: xs, pixels: (left, right), padding: 0.01)
        let yScale = AxisScale(kind: logarithmic ? .logarithmic : .linear, covering: yValues, pixels: (bottom, top))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" viewBox=\"0 0 \(SVG.coordinate(width)) \(SVG.coordinate(height))\" width=\"\(SVG.coordinate(width))\" height=\"\(SVG.coordinate(height))\" role=\"img\">"
        svg += "<title>\(SVG.escape(title))</title>"
        svg += "<text x=\"\(SVG.coordinate(width / 2))\" y=\"18\" class=\"title\" text-anchor=\"middle\">\(SVG.escape(title))</text>"
        for (rowIndex, row) in legendRows.enumerated() {
            for (index, x) in row {
                let y = 34.0 + Double(rowIndex) * 16
                let item = series[index]
                svg += "<line x1=\"\(SVG.coordinate(left + x))\" y1=\"\(SVG.coordinate(y - 4))\" x2=\"\(SVG.coordinate(left + x + 18))\" y2=\"\(SVG.coordinate(y - 4))\" stroke=\"\(item.color)\" stroke-width=\"2.5\"\(item.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>"
                svg += "<text x=\"\(SVG.coordinate(left + x + 22))\" y=\"\(SVG.coordinate(y))\" class=\"legend\">\(SVG.escape(item.name))</text>"
            }
        }
        svg += axes(xScale: xScale, yScale: yScale, left: left, right: right, top: top, bottom: bottom)
        // Reference lines under the curves, their labels over them (on a white halo).
        var referenceLabels = ""
        for reference in references {
            guard let y = yScale.position(reference.y) else { continue }
            svg += "<line x1=\"\(SVG.coordinate(left))\" y1=\"\(SVG.coordinate(y))\" x2=\"\(SVG.coordinate(right))\" y2=\"\(SVG.coordinate(y))\" stroke=\"#555\" stroke-dasharray=\"2 3\"/>"
            referenceLabels += "<text x=\"\(SVG.coordinate(right - 4))\" y=\"\(SVG.coordinate(y - 4))\" class=\"tick reference\" text-anchor=\"end\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">\(SVG.escape(reference.label))</text>"
        }
        svg += "<g>"
        var nonFiniteCount = 0, zeroCount = 0
        for item in series {
            if !item.band.isEmpty, item.band.contains(where: { $0.high > $0.low }) {
                let upper = item.band.compactMap { b in xScale.position(b.x).map { ($0, yScale.clampedPosition(b.high) ?? bottom) } }
                let lower = item.band.reversed().compactMap { b in xScale.position(b.x).map { ($0, yScale.clampedPosition(b.low) ?? bottom) } }
                let polygon = (upper + lower).map { "\(SVG.coordinate($0.0)),\(SVG.coordinate($0.1))" }.joined(separator: " ")
                svg += "<polygon points=\"\(polygon)\" fill=\"\(item.color)\" fill-opacity=\"0.15\" stroke=\"none\"/>"
            }
            var path = "", pendingMove = true, isolated: [(Double, Double)] = []
            for (index, point) in item.points.enumerated() {
                guard let y = point.y, let px = xScale.position(point.x), let py = yScale.clampedPosition(y) else {
                    if point.y == nil { nonFiniteCount += 1 } else if logarithmic, point.y == 0 { zeroCount += 1 }
                    pendingMove = true
                    continue
                }
                let nextDrawable = index + 1 < item.points.count && item.points[index + 1].y.flatMap { yScale.position($0) } != nil
                if pendingMove && !nextDrawable { isolated.append((px, py)) }
                path += (pendingMove ? "M" : "L") + "\(SVG.coordinate(px)) \(SVG.coordinate(py))"
                pendingMove = false
            }
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(item.color)\" stroke-width=\"1.6\" stroke-linejoin=\"round\"\(item.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>"
            let dots = item.markers ? item.points.compactMap { p in p.y.flatMap { y in xScale.position(p.x).flatMap { px in yScale.position(y).map { (px, $0) } } } } : isolated
            for (px, py) in dots {
                svg += "<circle cx=\"\(SVG.coordinate(px))\" cy=\"\(SVG.coordinate(py))\" r=\"\(item.markers ? 3 : 2)\" fill=\"\(item.color)\"/>"
            }
            for point in item.points {
                guard let px = xScale.position(point.x) else { continue }
                if point.y == nil {
                    svg += Self.triangle(x: px, y: top + 1, pointingDown: true, color: "#d00000")
                } else if logarithmic, let y = point.y, y <= 0 {
                    svg += Self.triangle(x: px, y: bottom - 1, pointingDown: false, color: "#777777")
                }
            }
            for x in item.nonFinite {
                guard let px = xScale.position(x) else { continue }
                nonFiniteCount += 1
                svg += Self.triangle(x: px, y: top + 1, pointingDown: true, color: "#d00000")
            }
        }
        svg += "</g>" + referenceLabels + "</svg>"
        var captions = notes
        if nonFiniteCount > 0 {
            captions.append("\(nonFiniteCount) point\(nonFiniteCount == 1 ? "" : "s") \(missingDescription), marked by red triangles on the top edge.")
        }
        if let outlierRange {
            let outside = series.reduce(0) { $0 + $1.points.filter { p in p.y.map { $0.isFinite && !outlierRange.contains($0) } ?? false }.count }
            captions.append("The axis fits the bulk of the values; \(outside) point\(outside == 1 ? " lies" : "s lie") beyond it (outliers, up to \(SVG.number(series.flatMap { $0.points.compactMap(\.y) }.filter(\.isFinite).max { abs($0) < abs($1) } ?? 0))) and \(outside == 1 ? "is" : "are") drawn on its edge.")
        }
        if zeroCount > 0 {
            captions.append("\(zeroCount) value\(zeroCount == 1 ? " was" : "s were") exactly 0, which a log scale cannot show; marked by grey triangles on the bottom edge.")
        }
        let caption = captions.isEmpty ? "" : "<figcaption>\(captions.map(SVG.escape).joined(separator: " "))</figcaption>"
        return "<figure class=\"chart\">\(svg)\(chartData(logarithmic: logarithmic))\(caption)</figure>"
    }

    /// Axis lines, ticks, grid and labels.
    func axes(xScale: AxisScale, yScale: AxisScale, left: Double, right: Double, top: Double, bottom: Double) -> String {
        var svg = "<rect x=\"\(SVG.coordinate(left))\" y=\"\(SVG.coordinate(top))\" width=\"\(SVG.coordinate(right - left))\" height=\"\(SVG.coordinate(bottom - top))\" class=\"frame\"/>"
        for tick in yScale.ticks() {
            guard let y = yScale.position(tick.value), y >= top - 0.5, y <= bottom + 0.5 else { continue }
            svg += "<line x1=\"\(SVG.coordinate(left))\" y1=\"\(SVG.coordinate(y))\" x2=\"\(SVG.coordinate(right))\" y2=\"\(SVG.coordinate(y))\" class=\"grid\"/>"
            svg += "<text x=\"\(SVG.coordinate(left - 6))\" y=\"\(SVG.coordinate(y + 4))\" class=\"tick\" text-anchor=\"end\">\(tick.label)</text>"
        }
        let wholeX = series.allSatisfy { $0.points.allSatisfy { $0.x == $0.x.rounded() } }
        for tick in xScale.ticks(integers: wholeX) {
            guard let x = xScale.position(tick.value), x >= left - 0.5, x <= right + 0.5 else { continue }
            svg += "<line x1=\"\(SVG.coordinate(x))\" y1=\"\(SVG.coordinate(bottom))\" x2=\"\(SVG.coordinate(x))\" y2=\"\(SVG.coordinate(bottom + 5))\" class=\"axis\"/>"
            svg += "<text x=\"\(SVG.coordinate(x))\" y=\"\(SVG.coordinate(bottom + 18))\" class=\"tick\" text-anchor=\"middle\">\(tick.label)</text>"
        }
        let yTitle = yLabel + (yScale.kind == .logarithmic ? " (log scale)" : "")
        svg += "<text x=\"\(SVG.coordinate((left + right) / 2))\" y=\"\(SVG.coordinate(height - 8))\" class=\"label\" text-anchor=\"middle\">\(SVG.escape(xLabel))</text>"
        svg += "<text transform=\"translate(14 \(SVG.coordinate((top + bottom) / 2))) rotate(-90)\" class=\"label\" text-anchor=\"middle\">\(SVG.escape(yTitle))</text>"
        return svg
    }

    static func triangle(x: Double, y: Double, pointingDown: Bool, color: String) -> String {
        let d = pointingDown ? 5.0 : -5.0
        return "<path d=\"M\(SVG.coordinate(x - 3.5)) \(SVG.coordinate(y))L\(SVG.coordinate(x + 3.5)) \(SVG.coordinate(y))L\(SVG.coordinate(x)) \(SVG.coordinate(y + d))Z\" fill=\"\(color)\"/>"
    }

    /// Legend entries laid out in rows: for each row, (series index, x offset).
    static func legendLayout(_ names: [String], width: Double) -> [[(Int, Double)]] {
        var rows: [[(Int, Double)]] = []
        var row: [(Int, Double)] = [], x = 0.0
        for (index, name) in names.enumerated() {
            let itemWidth = 30 + Double(name.count) * 6.3
            if x + itemWidth > width, !row.isEmpty { rows.append(row); row = []; x = 0 }
            row.append((index, x))
            x += itemWidth + 10
        }
        if !row.isEmpty { rows.append(row) }
        return rows
    }
}

extension LinePlot.Series {
    /// A metric series: bucket means as the line, the bucket range as the band, non-finite
    /// buckets as gaps with markers.
    init(_ metric: MetricSeries, name: String, color: String, dash: String? = nil) {
        self.init(name: name, color: color,
                  points: metric.points.map { ($0.step, $0.mean) },
                  band: metric.points.compactMap { p in
                      guard p.count > 1, let low = p.minimum, let high = p.maximum else { return nil }
                      return (p.step, low, high)
                  },
                  dash: dash,
                  nonFinite: metric.points.filter { $0.mean != nil && $0.nonFiniteCount > 0 }.map(\.step))
    }
}
