import Yams

extension Node {
    var isSequence: Bool {
        if case .sequence = self { return true }
        return false
    }
}

/// A node of the pipeline file with its dotted key path, for typed reads whose errors name the
/// file, the line and the key.
struct YAMLValue {
    let node: Node
    let key: String
    let file: String

    var line: Int? { node.mark?.line }

    func error(_ message: String, key child: String? = nil) -> PipelineError {
        let path = [key, child ?? ""].filter { !$0.isEmpty }.joined(separator: ".")
        return PipelineError(file: file, line: line, key: path, message: message)
    }

    /// The entries of a mapping in file order, keys as text; refuses repeated keys.
    func mapping() throws -> [(key: String, value: YAMLValue)] {
        guard case .mapping(let mapping) = node else { throw error("must be a mapping of keys to values") }
        var seen = Set<String>()
        var entries: [(key: String, value: YAMLValue)] = []
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.string else { throw error("has a key that is not text") }
            let child = YAMLValue(node: valueNode, key: key.isEmpty ? name : "\(key).\(name)", file: file)
            guard seen.insert(name).inserted else { throw child.error("appears twice") }
            entries.append((name, child))
        }
        return entries
    }

    func rejectUnknown(_ entries: [(key: String, value: YAMLValue)], allowed: Set<String>) throws {
        for (name, value) in entries where !allowed.contains(name) {
            throw value.error("unknown key; expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }

    func sequence() throws -> [YAMLValue] {
        guard case .sequence(let sequence) = node else { throw error("must be a list") }
        return sequence.enumerated().map { YAMLValue(node: $1, key: "\(key)[\($0)]", file: file) }
    }

    func string() throws -> String {
        guard case .scalar(let scalar) = node else { throw error("must be a single value, not a list or mapping") }
        return scalar.string
    }

    func integer() throws -> Int {
        guard case .scalar = node, let value = node.int else { throw error("must be a whole number, got '\((try? string()) ?? "a list or mapping")'") }
        return value
    }

    func number() throws -> Double {
        guard case .scalar = node, let value = node.float, value.isFinite else { throw error("must be a finite number, got '\((try? string()) ?? "a list or mapping")'") }
        return value
    }

    func boolean() throws -> Bool {
        guard case .scalar = node, let value = node.bool else { throw error("must be true or false, got '\((try? string()) ?? "a list or mapping")'") }
        return value
    }

    /// A scalar as the most specific `Setting`: integer, number, boolean, else text.
    func setting() throws -> Setting {
        let text = try string()
        if case .scalar(let scalar) = node, scalar.style == .plain {
            if let value = node.int { return .integer(value) }
            if let value = node.float, value.isFinite { return .number(value) }
            if let value = node.bool { return .flag(value) }
        }
        return .text(text)
    }

    /// A list of scalars, or one scalar as a list of one.
    func settings() throws -> [Setting] {
        if case .sequence = node { return try sequence().map { try $0.setting() } }
        return [try setting()]
    }
}
