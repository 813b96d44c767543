/// The order people read names with numbers in: runs of digits compare as numbers, so
/// `layers.2` comes before `layers.11` (text order puts `layers.11` first).
public enum NaturalOrder {
    public static func precedes(_ a: String, _ b: String) -> Bool {
        var i = a.unicodeScalars.makeIterator(), j = b.unicodeScalars.makeIterator()
        var x = i.next(), y = j.next()
        while let p = x, let q = y {
            if p.properties.numericType != nil, q.properties.numericType != nil, p.isASCII, q.isASCII {
                var left = "", right = ""
                while let d = x, d.isASCII, ("0"..."9").contains(d) { left.unicodeScalars.append(d); x = i.next() }
                while let d = y, d.isASCII, ("0"..."9").contains(d) { right.unicodeScalars.append(d); y = j.next() }
                let (l, r) = (left.drop { $0 == "0" }, right.drop { $0 == "0" })
                if l.count != r.count { return l.count < r.count }
                if l != r { return l < r }
                continue
            }
            if p != q { return p.value < q.value }
            x = i.next(); y = j.next()
        }
        return x == nil && y != nil
    }
}
