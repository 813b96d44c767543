import Foundation

/// A heat map as inline SVG: one row per layer, one column per step bucket, the colour the
/// log₁₀ of the bucket's mean value (viridis), with a labelled colour bar. Cells that a log
/// scale cannot colour are shown as such: exact zeros in light grey, non-finite values in red,
/// steps without a value left white — and the legend says so.
struct HeatMap {
    struct Row {
        var label: String
        var series: MetricSeries
    }

    var title: String
    var rows: [Row]
    var width = 900.0
    /// At most this many columns: neighbouring buckets are merged beyond it.
    var maximumColumns = 220

    func render() -> String {
        let labelWidth = 150.0, colorbarWidth = 90.0
        let rowHeight = max(9.0, min(22.0, 300.0 / Double(max(1, rows.count))))
        let top = 30.0, left = labelWidth, right = width - colorbarWidth
        let bottom = top + rowHeight * Double(rows.count)
        let height = bottom + 62
        let firstStep = rows.compactMap { $0.series.firstStep }.min() ?? 0
        let lastStep = max(firstStep + 1, rows.compactMap { $0.series.lastStep }.max() ?? 1)
        let positive = rows.flatMap { $0.series.points.compactMap(\.mean) }.filter { $0 > 0 && $0.isFinite }
        let low = floor(log10(positive.min() ?? 1e-3)), high = max(low + 1, ceil(log10(positive.max() ?? 1)))
        let xScale = AxisScale(kind: .linear, lower: Double(firstStep), upper: Double(lastStep), pixels: (left, right))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" viewBox=\"0 0 \(SVG.coordinate(width)) \(SVG.coordinate(height))\" width=\"\(SVG.coordinate(width))\" height=\"\(SVG.coordinate(height))\" role=\"img\">"
        svg += "<title>\(SVG.escape(title))</title>"
        svg += "<text x=\"\(SVG.coordinate((left + right) / 2))\" y=\"18\" class=\"title\" text-anchor=\"middle\">\(SVG.escape(title))</text>"
        var sawZero = false, sawNonFinite = false
        for (rowIndex, row) in rows.enumerated() {
            let y = top + Double(rowIndex) * rowHeight
            svg += "<text x=\"\(SVG.coordinate(left - 6))\" y=\"\(SVG.coordinate(y + rowHeight / 2 + 4))\" class=\"tick\" text-anchor=\"end\">\(SVG.escape(row.label))</text>"
            let cells = Self.merge(row.series.points, columns: maximumColumns)
            for (cell, (x0, x1)) in zip(cells, Self.extents(cells, scale: xScale)) {
                let color: String
                if cell.nonFinite { color = "#d00000"; sawNonFinite = true }
                else if cell.value <= 0 { color = "#dddddd"; sawZero = true }
                else { color = SVG.viridis((log10(cell.value) - low) / (high - low)) }
                svg += "<rect x=\"\(SVG.coordinate(x0))\" y=\"\(SVG.coordinate(y))\" width=\"\(SVG.coordinate(x1 - x0 + 0.4))\" height=\"\(SVG.coordinate(rowHeight))\" fill=\"\(color)\"/>"
            }
        }
        svg += "<rect x=\"\(SVG.coordinate(left))\" y=\"\(SVG.coordinate(top))\" width=\"\(SVG.coordinate(right - left))\" height=\"\(SVG.coordinate(bottom - top))\" class=\"frame\"/>"
        for tick in xScale.ticks(target: 8) {
            guard let x = xScale.position(tick.value) else { continue }
            svg += "<line x1=\"\(SVG.coordinate(x))\" y1=\"\(SVG.coordinate(bottom))\" x2=\"\(SVG.coordinate(x))\" y2=\"\(SVG.coordinate(bottom + 5))\" class=\"axis\"/>"
            svg += "<text x=\"\(SVG.coordinate(x))\" y=\"\(SVG.coordinate(bottom + 18))\" class=\"tick\" text-anchor=\"middle\">\(tick.label)</text>"
        }
        svg += "<text x=\"\(SVG.coordinate((left + right) / 2))\" y=\"\(SVG.coordinate(bottom + 36))\" class=\"label\" text-anchor=\"middle\">generator step</text>"
        svg += colorbar(x: right + 18, top: top, height: max(60, bottom - top), low: low, high: high)
        var legend: [String] = []
        if sawZero { legend.append("<rect x=\"0\" y=\"-9\" width=\"10\" height=\"10\" fill=\"#dddddd\"/><text x=\"14\" y=\"0\" class=\"legend\">exactly 0 (log undefined)</text>") }
        if sawNonFinite { legend.append("<rect x=\"0\" y=\"-9\" width=\"10\" height=\"10\" fill=\"#d00000\"/><text x=\"14\" y=\"0\" class=\"legend\">not finite</text>") }
        for (index, item) in legend.enumerated() {
            svg += "<g transform=\"translate(\(SVG.coordinate(left + Double(index) * 200)) \(SVG.coordinate(bottom + 54)))\">\(item)</g>"
        }
        svg += "</svg>"
        return "<figure>\(svg)</figure>"
    }

    /// A vertical colour bar from 10^low to 10^high with a tick per decade (or fewer).
    func colorbar(x: Double, top: Double, height: Double, low: Double, high: Double) -> String {
        var svg = ""
        let steps = 40
        for index in 0..<steps {
            let t = Double(index) / Double(steps - 1)
            let y = top + height * (1 - Double(index + 1) / Double(steps))
            svg += "<rect x=\"\(SVG.coordinate(x))\" y=\"\(SVG.coordinate(y))\" width=\"14\" height=\"\(SVG.coordinate(height / Double(steps) + 0.6))\" fill=\"\(SVG.viridis(t))\"/>"
        }
        svg += "<rect x=\"\(SVG.coordinate(x))\" y=\"\(SVG.coordinate(top))\" width=\"14\" height=\"\(SVG.coordinate(height))\" class=\"frame\"/>"
        let decades = Int(high - low)
        let every = max(1, Int((Double(decades) / 6).rounded(.up)))
        for exponent in stride(from: Int(low), through: Int(high), by: every) {
            let y = top + height * (1 - (Double(exponent) - low) / (high - low))
            svg += "<text x=\"\(SVG.coordinate(x + 18))\" y=\"\(SVG.coordinate(y + 4))\" class=\"tick\">\(AxisScale.powerOfTen(exponent))</text>"
        }
        svg += "<text transform=\"translate(\(SVG.coordinate(x + 62)) \(SVG.coordinate(top + height / 2))) rotate(90)\" class=\"label\" text-anchor=\"middle\">\u{2016}\u{2202}loss/\u{2202}\u{3b8}\u{2016}\u{2082} (log)</text>"
        return svg
    }

    struct Cell {
        var step: Double
        var value: Double
        var nonFinite: Bool
    }

    /// Consecutive buckets merged in groups so that at most `columns` cells remain: the mean of
    /// the finite values; non-finite when any value was.
    static func merge(_ points: [MetricSeries.Point], columns: Int) -> [Cell] {
        let group = max(1, Int((Double(points.count) / Double(max(1, columns))).rounded(.up)))
        return stride(from: 0, to: points.count, by: group).map { start in
            let slice = points[start..<min(points.count, start + group)]
            var sum = 0.0, count = 0, nonFinite = false
            for point in slice {
                if point.nonFiniteCount > 0 { nonFinite = true }
                let finite = point.count - point.nonFiniteCount
                if let mean = point.mean, finite > 0 { sum += mean * Double(finite); count += finite }
            }
            let step = (Double(slice.first!.firstStep) + Double(slice.last!.lastStep)) / 2
            return Cell(step: step, value: count > 0 ? sum / Double(count) : 0, nonFinite: nonFinite || count == 0)
        }
    }

    /// Left and right pixel of each cell: halfway to its neighbours, the outer ones to the frame.
    static func extents(_ cells: [Cell], scale: AxisScale) -> [(Double, Double)] {
        let centres = cells.map { scale.position($0.step) ?? scale.pixelLower }
        return centres.indices.map { index in
            let left = index == 0 ? scale.pixelLower : (centres[index - 1] + centres[index]) / 2
            let right = index == centres.count - 1 ? scale.pixelUpper : (centres[index] + centres[index + 1]) / 2
            return (left, right)
        }
    }
}
