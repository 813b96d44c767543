import Foundation

/// Small pieces shared by every figure: escaping, compact coordinates, number formatting and
/// the colours of the report. Everything produced here is well-formed XML, so a page can be
/// checked with an XML parser.
public enum SVG {
    /// Text safe inside an element or an attribute value.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }

    /// A coordinate with one decimal: enough for a screen, small in the file.
    static func coordinate(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.1f", rounded)
    }

    /// A value for people: four significant digits, scientific notation when very large or
    /// small, a true minus sign; non-finite values spelled out.
    static func number(_ value: Double?) -> String {
        guard let value else { return "non-finite" }
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "+inf" : "\u{2212}inf") }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e5 || magnitude < 1e-3 {
            var text = String(format: "%.2e", value)
            for (long, short) in [(".00e", "e"), ("0e", "e"), ("e+0", "e"), ("e-0", "e-"), ("e+", "e")] {
                text = text.replacingOccurrences(of: long, with: short)
            }
            return minus(text)
        }
        if magnitude >= 1e4 { return minus(String(format: "%.0f", value)) }
        return minus(String(format: "%.4g", value))
    }

    static func minus(_ text: String) -> String {
        text.hasPrefix("-") ? "\u{2212}" + text.dropFirst() : text
    }

    /// Distinct colours for series (colour-blind friendly, after Okabe & Ito).
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7F7F7F", "#000000", "#F0E442"]

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    /// The line style of series `index` beside its colour: solid for the first round of the
    /// palette, then dashed, dotted and dash-dotted, so 36 series stay apart.
    static func dash(_ index: Int) -> String? {
        [nil, "7 3", "2 3", "9 3 2 3"][(index / palette.count) % 4]
    }

    /// Viridis at `t` in [0, 1] (piecewise-linear through 9 anchors), as `#rrggbb`.
    static func viridis(_ t: Double) -> String {
        let anchors: [(Double, Double, Double)] = [
            (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
            (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
        ]
        return interpolate(anchors, t)
    }

    /// A diverging blue–white–red map at `t` in [0, 1] (0.5 is white).
    static func diverging(_ t: Double) -> String {
        let anchors: [(Double, Double, Double)] = [
            (33, 102, 172), (103, 169, 207), (209, 229, 240), (247, 247, 247), (253, 219, 199), (239, 138, 98), (178, 24, 43),
        ]
        return interpolate(anchors, t)
    }

    private static func interpolate(_ anchors: [(Double, Double, Double)], _ t: Double) -> String {
        let clamped = t.isFinite ? min(max(t, 0), 1) : 0
        let position = clamped * Double(anchors.count - 1)
        let index = min(Int(position), anchors.count - 2)
        let f = position - Double(index)
        let (a, b) = (anchors[index], anchors[index + 1])
        let channels = [a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f]
        return "#" + channels.map { String(format: "%02x", Int($0.rounded())) }.joined()
    }
}
