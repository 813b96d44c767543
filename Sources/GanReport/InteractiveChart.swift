import Foundation

/// The data of a line chart for the page's interactive layer (dygraphs, see `HTMLPage`), as a
/// JSON block beside the chart's SVG: `<script type="application/json" class="chart-data">`.
/// Without script the SVG is the chart; with it, the same series are drawn by dygraphs with
/// hover values, series toggles, log/linear, zoom on steps, smoothing and outlier-ignoring
/// scales. Rows are dygraphs' custom-bars format, compacted: `[x, cell, …]` where a cell is
/// `[low, value, high]` (a bucket's range), a plain value (no range), null where the series has
/// no point at that x, or "gap" where its value was not finite.
extension LinePlot {
    func chartData(logarithmic: Bool) -> String {
        let xs = Set(series.flatMap { $0.points.map(\.x) }).sorted()
        let rowIndex = Dictionary(uniqueKeysWithValues: xs.enumerated().map { ($1, $0) })
        var cells = Array(repeating: Array(repeating: "null", count: series.count), count: xs.count)
        for (column, item) in series.enumerated() {
            let bands = Dictionary(item.band.map { ($0.x, ($0.low, $0.high)) }, uniquingKeysWith: { first, _ in first })
            for point in item.points {
                guard let row = rowIndex[point.x] else { continue }
                guard let y = point.y, y.isFinite else { cells[row][column] = "\"gap\""; continue }
                if let band = bands[point.x], band.0.isFinite, band.1.isFinite, band.0 < band.1 {
                    cells[row][column] = "[\(Self.json(min(band.0, y))),\(Self.json(y)),\(Self.json(max(band.1, y)))]"
                } else {
                    cells[row][column] = Self.json(y)
                }
            }
        }
        let rows = xs.enumerated().map { index, x in "[\(Self.json(x, digits: 12))," + cells[index].joined(separator: ",") + "]" }
        let seriesJSON = series.map { item in
            "{\"name\":\(JSONText.quote(item.name)),\"color\":\(JSONText.quote(item.color)),\"dash\":\(item.dash.map { "[" + $0.split(separator: " ").joined(separator: ",") + "]" } ?? "null"),\"markers\":\(item.markers)}"
        }
        let nonFinite = series.enumerated().flatMap { column, item in item.nonFinite.map { "[\(column),\(Self.json($0))]" } }
        var json = "{\"title\":\(JSONText.quote(title)),\"width\":\(Self.json(width)),\"height\":\(Self.json(height)),\"x\":\(JSONText.quote(xLabel)),\"y\":\(JSONText.quote(yLabel)),\"log\":\(logarithmic),\"bulk\":\(ignoresOutliers),"
        json += "\"series\":[" + seriesJSON.joined(separator: ",") + "],"
        json += "\"references\":[" + references.map { "[\(Self.json($0.y)),\(JSONText.quote($0.label))]" }.joined(separator: ",") + "],"
        json += "\"nonFinite\":[" + nonFinite.joined(separator: ",") + "],"
        json += "\"rows\":[" + rows.joined(separator: ",") + "]}"
        return "<script type=\"application/json\" class=\"chart-data\">" + json + "</script>"
    }

    /// Five significant digits by default: more than the legend shows, small in the file (x
    /// values, steps, get all of theirs).
    static func json(_ value: Double, digits: Int = 5) -> String {
        value.isFinite ? String(format: "%.\(digits)g", value) : "null"
    }
}

/// JSON string literals for what ganpipe writes (chart data, safetensors headers): also safe as
/// XML text and inside an HTML script element, since `<`, `>` and `&` are escaped.
enum JSONText {
    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "<", ">", "&": result += String(format: "\\u%04x", scalar.value)
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
