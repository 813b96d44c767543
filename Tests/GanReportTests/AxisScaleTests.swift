import GanReport
import GanSchema
import Testing

/// Tick labels name the tick they stand at: every step of the 1-2-2.5-5 ladder, narrow ranges
/// far from zero, large and tiny magnitudes.
@Suite struct AxisScaleTests {
    static func labels(_ lower: Double, _ upper: Double) -> [String] {
        AxisScale(kind: .linear, lower: lower, upper: upper, pixels: (0, 100)).ticks().map(\.label)
    }

    /// The label read back as a number (U+2212 minus, scientific "e").
    static func value(_ label: String) -> Double? {
        Double(label.replacingOccurrences(of: "\u{2212}", with: "-"))
    }

    @Test func aStepOfTwoAndAHalfGetsTheDecimalItNeeds() {
        #expect(Self.labels(-3, 11) == ["\u{2212}2.5", "0", "2.5", "5.0", "7.5", "10.0"])
        #expect(Self.labels(0, 0.9) == ["0", "0.2", "0.4", "0.6", "0.8"])
        #expect(Self.labels(0, 1.4) == ["0", "0.25", "0.50", "0.75", "1.00", "1.25"])
        #expect(Self.labels(0, 1_400_000) == ["0", "2.5e5", "5.0e5", "7.5e5", "1.00e6", "1.25e6"])
    }

    /// Layer depths and steps are whole numbers: their axes never tick 1.5.
    @Test func wholeNumberAxesTickWholeNumbers() {
        func labels(_ lower: Double, _ upper: Double) -> [String] {
            AxisScale(kind: .linear, lower: lower, upper: upper, pixels: (0, 100)).ticks(integers: true).map(\.label)
        }
        #expect(labels(0.97, 3.03) == ["1", "2", "3"])
        #expect(labels(0.9, 12.1) == ["2", "4", "6", "8", "10", "12"])
        #expect(labels(-0.5, 14) == ["0", "5", "10"])
        #expect(labels(0, 1400) == ["0", "250", "500", "750", "1000", "1250"])
        #expect(AxisScale(kind: .linear, lower: 0.97, upper: 3.03, pixels: (0, 100)).ticks().map(\.label).contains("1.5"))
    }

    @Test func everyLabelReadsAsItsOwnTickAndNoTwoAlike() {
        let ranges: [(Double, Double)] = [
            (-0.0091375, -0.0091365), (0.92128, 0.92136), (-3, 9), (-3, 11), (0, 0.9), (0, 1.4), (1e-7, 9e-7), (123_456, 123_789),
            (0.5, 100.5), (-1e-4, 3e-4), (1e5, 1.0000001e5), (2.0000004, 2.0000011), (0, 1_400_000),
        ]
        for (lower, upper) in ranges {
            let ticks = AxisScale(kind: .linear, lower: lower, upper: upper, pixels: (0, 100)).ticks()
            #expect(ticks.count >= 2, "\(lower)…\(upper)")
            #expect(Set(ticks.map(\.label)).count == ticks.count, "\(lower)…\(upper): \(ticks.map(\.label))")
            let step = ticks.count >= 2 ? ticks[1].value - ticks[0].value : 1
            for tick in ticks {
                let read = Self.value(tick.label)
                #expect(read != nil && abs(read! - tick.value) < 0.01 * step, "\(lower)…\(upper): \(tick.label) at \(tick.value)")
            }
        }
    }
}

/// Layer names in the order of their numbers, not of their text.
@Suite struct NaturalOrderTests {
    @Test func digitRunsCompareAsNumbers() {
        let names = ["layers.11.weight", "layers.3.bias", "layers.1.weight", "layers.3.weight", "layers.10", "layers.2", "layers.02x", "layer", "b"]
        #expect(names.sorted(by: NaturalOrder.precedes) == ["b", "layer", "layers.1.weight", "layers.2", "layers.02x", "layers.3.bias",
                                                             "layers.3.weight", "layers.10", "layers.11.weight"])
        #expect(!NaturalOrder.precedes("a1", "a1") && NaturalOrder.precedes("a", "a1") && !NaturalOrder.precedes("a1", "a"))
    }
}
