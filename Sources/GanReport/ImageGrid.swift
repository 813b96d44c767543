import Foundation

/// A grid of image samples (generated or real) as one greyscale PNG embedded in the page:
/// `columns` tiles per row with a one-pixel gap, each sample mapped from the data range
/// `[low, high]` to 0–255 (values outside clipped), drawn enlarged with crisp pixels.
struct ImageGrid {
    var title: String
    /// Each sample `height · width` values, row-major (the first channel of a multi-channel sample).
    var samples: [[Double]]
    var height: Int
    var width: Int
    var low: Double
    var high: Double
    var columns = 8
    var scale = 2

    func render() -> String {
        let rows = max(1, (samples.count + columns - 1) / columns)
        let gap = 1
        let (pixelWidth, pixelHeight) = (columns * (width + gap) + gap, rows * (height + gap) + gap)
        var pixels = [UInt8](repeating: 255, count: pixelWidth * pixelHeight)
        let span = max(high - low, 1e-12)
        for (index, sample) in samples.enumerated() {
            let (tileRow, tileColumn) = (index / columns, index % columns)
            let (y0, x0) = (gap + tileRow * (height + gap), gap + tileColumn * (width + gap))
            for y in 0..<height {
                for x in 0..<width where y * width + x < sample.count {
                    let value = sample[y * width + x]
                    let t = value.isFinite ? min(max((value - low) / span, 0), 1) : 0
                    pixels[(y0 + y) * pixelWidth + x0 + x] = UInt8((t * 255).rounded())
                }
            }
        }
        let image = PNGImage(width: pixelWidth, height: pixelHeight, color: .grey, pixels: pixels)
        let caption = "\(SVG.escape(title)): \(samples.count) samples of \(height)\u{d7}\(width), grey level from \(SVG.number(low)) (black) to \(SVG.number(high)) (white)."
        return "<figure><img class=\"pixels\" width=\"\(pixelWidth * scale)\" height=\"\(pixelHeight * scale)\" alt=\"\(SVG.escape(title))\" src=\"\(image.dataURI)\"/><figcaption>\(caption)</figcaption></figure>"
    }
}
