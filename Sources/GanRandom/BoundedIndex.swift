extension RandomNumberGenerator {
    /// Uniform integer in `0..<upperBound` without modulo bias: Lemire's multiply-shift with
    /// rejection ("Fast random integer generation in an interval", 2019). ganpipe's own, not the
    /// standard library's `next(upperBound:)`, so that the streams stored datasets and runs
    /// depend on cannot change with a toolchain. Used by every generator (Philox, xoshiro256**).
    @inlinable
    public mutating func nextIndex(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "nextIndex(below:): upper bound must be positive, got \(upperBound)")
        let bound = UInt64(upperBound)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return Int(product.high)
    }
}
