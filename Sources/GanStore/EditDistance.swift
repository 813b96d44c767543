/// Levenshtein distance between two names: what "did you mean" suggestions are ranked by.
public enum EditDistance {
    public static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Up to three of `names` that `reference` may have meant: those it begins (a name cut
    /// short, for references of three characters or more), else those within two edits, nearest first.
    public static func nearest(to reference: String, among names: [String]) -> [String] {
        guard !reference.isEmpty else { return [] }
        let extended = reference.count >= 3 ? names.filter { $0.hasPrefix(reference) && $0 != reference } : []
        if !extended.isEmpty { return Array(extended.prefix(3)) }
        return Array(names.map { ($0, between($0, reference)) }.filter { $0.1 <= 2 && $0.0 != reference }
            .sorted { $0.1 < $1.1 }.prefix(3).map(\.0))
    }
}
