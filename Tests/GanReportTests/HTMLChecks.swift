import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Checks a page as a strict reader would: it parses as XML (so every SVG is well-formed),
/// and it references nothing outside itself.
enum HTMLChecks {
    /// The parser's error, or nil when `html` is well-formed XML. Also collects element names.
    static func parse(_ html: String) -> (error: String?, elements: [String: Int], ids: [String]) {
        let delegate = Collector()
        let parser = XMLParser(data: Data(html.utf8))
        parser.delegate = delegate
        let ok = parser.parse()
        return (ok ? nil : "\(parser.parserError.map { "\($0)" } ?? "unknown") at line \(parser.lineNumber)", delegate.elements, delegate.ids)
    }

    /// Every reference that would leave the file: remote or file URLs in src/href, scripts
    /// loaded from elsewhere, style imports, CSS url(…) to anything but data:.
    static func externalReferences(_ html: String) -> [String] {
        let patterns = [#"(src|href)\s*=\s*"(?!#|data:)[^"]*""#, #"<script[^>]*\ssrc"#, #"@import"#, #"url\((?!#|data:)"#, #"<link"#, #"<iframe"#]
        return patterns.flatMap { pattern -> [String] in
            let regex = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
            return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { String(html[Range($0.range, in: html)!]) }
        }
    }

    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String: Int] = [:]
        var ids: [String] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements[elementName, default: 0] += 1
            if elementName == "section", let id = attributes["id"] { ids.append(id) }
        }
    }
}
