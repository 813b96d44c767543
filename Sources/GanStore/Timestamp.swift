import Foundation

/// ganpipe's one time format: ISO-8601 UTC with milliseconds, e.g. `2026-11-29T16:42:00.123Z`.
/// Text sorts chronologically and SQLite's date functions read it.
public enum Timestamp {
    public static func now() -> String {
        format(Date())
    }

    public static func format(_ date: Date) -> String {
        var time = timespec(tv_sec: Int(date.timeIntervalSince1970), tv_nsec: 0)
        let milliseconds = Int((date.timeIntervalSince1970 - Double(time.tv_sec)) * 1000)
        var parts = tm()
        gmtime_r(&time.tv_sec, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), milliseconds)
    }
}

extension Timestamp {
    /// Seconds between `text` (a ganpipe timestamp) and now; nil if `text` is not one.
    public static func age(of text: String) -> Double? {
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = parser.date(from: text) else { return nil }
        return Date().timeIntervalSince(date)
    }
}
