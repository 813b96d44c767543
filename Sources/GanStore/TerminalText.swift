/// Text from the database or the user (run names, errors, configuration) made safe to print on
/// a terminal: control and format characters — escape sequences, carriage returns, bidirectional
/// overrides — are shown as `\u{1B}` instead of acting on the terminal.
public enum TerminalText {
    public static func safe(_ text: String, keepingNewlines: Bool = false) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            let category = scalar.properties.generalCategory
            if (category == .control || category == .format) && !(keepingNewlines && scalar == "\n") {
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
