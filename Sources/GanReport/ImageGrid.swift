import Foundation

/// A grid of image samples (generated or real) as one greyscale PNG embedded in the page:
/// `columns` tiles per row with a one-pixel gap, each sample mapped from the data range
/// `[low, high]` to 0–255 (values outside clipped), drawn enlarged with crisp pixels. The same
/// grid is what `ganpipe sample --to FILE.png` writes.
public struct ImageGrid {
    var title: String
    /// Each sample `height · width` values, row-major (the first channel of a multi-channel sample).
    var samples: [[Double]]
    var height: Int
    var width: Int
    var low: Double
    var high: Double
    var columns = 8
    var scale = 2

    /// The grid as a PNG file's bytes: what `ganpipe sample --to FILE.png` writes.
    public static func png(samples: [[Double]], height: Int, width: Int, low: Double, high: Double, columns: Int) -> Data {
        ImageGrid(title: "", samples: samples, height: height, width: width, low: low, high: high, columns: columns).image().encoded()
    }

    func render() -> String {
        let image = image()
        let caption = "\(SVG.escape(title)): \(samples.count) samples of \(height)\u{d7}\(width), grey level from \(SVG.number(low)) (black) to \(SVG.number(high)) (white)."
        return "<figure><img class=\"pixels\" width=\"\(image.width * scale)\" height=\"\(image.height * scale)\" alt=\"\(SVG.escape(title))\" src=\"\(image.dataURI)\"/><figcaption>\(caption)</figcaption></figure>"
    }

    func image() -> PNGImage {
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
        return PNGImage(width: pixelWidth, height: pixelHeight, color: .grey, pixels: pixels)
    }
}
