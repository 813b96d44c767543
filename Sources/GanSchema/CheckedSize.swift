/// Sizes that come from outside — a file header, a flag, a pipeline, a stored shape —
/// multiplied with overflow checks, so that a crafted size is refused with a message instead
/// of trapping or wrapping.
public enum CheckedSize {
    /// The product of `factors`; nil where one is negative or the product overflows `Int`.
    public static func product<S: Sequence<Int>>(_ factors: S) -> Int? {
        var result = 1
        for factor in factors {
            guard factor >= 0 else { return nil }
            let (product, overflow) = result.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            result = product
        }
        return result
    }

    /// `factors` as a person writes a shape: `65536×65536×16384`.
    public static func describe<S: Sequence<Int>>(_ factors: S) -> String {
        factors.map(String.init).joined(separator: "×")
    }
}
