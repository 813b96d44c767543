import Foundation
import GanSchema
import GanTrainer

/// One run of the matrix: its stable name, its full configuration and the matrix values that
/// made it.
public struct PlannedRun: Sendable, Equatable {
    public var name: String
    public var specification: TrainingSpecification
    public var cell: [String: Setting]
}

extension PipelineSpecification {
    /// How many runs `plannedRuns` makes unless told otherwise (`ganpipe run --max-runs`): a
    /// mistyped matrix fails at once instead of filling the database and the memory.
    public static let defaultRunLimit = 1000

    /// How many runs the matrix makes (before duplicates are refused), or nil when the number
    /// does not fit in an Int.
    public var runCount: Int? {
        var total = 0
        for product in matrix {
            var count = 1
            for axis in product {
                let (next, overflow) = count.multipliedReportingOverflow(by: axis.values.count)
                if overflow { return nil }
                count = next
            }
            let (sum, overflow) = total.addingReportingOverflow(count)
            if overflow { return nil }
            total = sum
        }
        return total
    }

    /// Every combination of the matrix, in file order (the last axis varies fastest; products
    /// of a list one after another), as a fully resolved training configuration. Names are `PIPELINE/DATASET/OBJECTIVE` followed by
    /// `/key=value` for the other matrix axes, so they stay the same when the file is run again.
    /// A matrix of more than `limit` runs is refused before any is made; time and memory are
    /// linear in the number of runs.
    public func plannedRuns(limit: Int = defaultRunLimit) throws -> [PlannedRun] {
        let count = runCount
        guard let count, count <= limit else {
            let size = count.map { "\($0) runs" } ?? "more than \(Int.max) runs"
            throw PipelineError(file: file, line: nil, key: "matrix", message:
                "makes \(size), more than the limit of \(limit); split the sweep into several files, or raise the limit with --max-runs")
        }
        var runs: [PlannedRun] = []
        runs.reserveCapacity(count)
        var names = Set<String>()
        var defaults: [String: [String: Any]] = [:]
        for product in matrix {
            // The combinations of one product, odometer-wise: the last axis varies fastest.
            var digits = [Int](repeating: 0, count: product.count)
            repeat {
                let cell = product.indices.map { (key: product[$0].key, value: product[$0].values[digits[$0]]) }
                let values = train.merging(cell.map { ($0.key, $0.value) }, uniquingKeysWith: { _, new in new })
                let specification = try resolve(values, defaults: &defaults)
                var name = "\(self.name)/\(specification.dataset)/\(specification.objective.rawValue)"
                for (key, value) in cell where key != "dataset" && key != "objective" { name += "/\(key)=\(value)" }
                guard names.insert(name).inserted else {
                    throw PipelineError(file: file, line: nil, key: "matrix", message: "two entries make the same run '\(name)'; remove one")
                }
                runs.append(PlannedRun(name: name, specification: specification,
                                       cell: Dictionary(cell.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })))
            } while Self.advance(&digits, sizes: product.map(\.values.count))
        }
        return runs
    }

    /// The next combination after `digits` (the last position fastest); false after the last.
    static func advance(_ digits: inout [Int], sizes: [Int]) -> Bool {
        for position in digits.indices.reversed() {
            digits[position] += 1
            if digits[position] < sizes[position] { return true }
            digits[position] = 0
        }
        return false
    }

    /// The configuration for `values`: the objective's defaults (computed once per objective
    /// into `defaults`), then `values` on top.
    func resolve(_ values: [String: Setting], defaults cache: inout [String: [String: Any]]) throws -> TrainingSpecification {
        guard case .text(let objectiveName)? = values["objective"], let objective = Objective(rawValue: objectiveName) else {
            throw problem("objective", "'\(values["objective"]?.description ?? "")' is not an objective; use one of \(Objective.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard case .text(let dataset)? = values["dataset"] else {
            throw problem("dataset", "must name a dataset, got '\(values["dataset"]?.description ?? "")'")
        }
        var architecture = Architecture.mlp
        if let setting = values[ConfigurationKey.architecture.rawValue] {
            guard case .text(let name) = setting, let named = Architecture(rawValue: name) else {
                throw problem(ConfigurationKey.architecture.rawValue, "'\(setting.description)' is not an architecture; use one of \(Architecture.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            architecture = named
        }
        let defaults = cache["\(objective.rawValue)/\(architecture.rawValue)"] ?? {
            let base = TrainingSpecification(dataset: dataset, objective: objective, steps: 1000, seed: 0, architecture: architecture).canonicalJSON()
            let parsed = (try? JSONSerialization.jsonObject(with: Data(base.utf8)) as? [String: Any]) ?? [:]
            cache["\(objective.rawValue)/\(architecture.rawValue)"] = parsed
            return parsed
        }()
        var merged = defaults
        for (key, value) in values { merged[key] = value.json }
        let specification: TrainingSpecification
        do {
            let data = try JSONSerialization.data(withJSONObject: merged)
            specification = try TrainingSpecification.decode(canonicalJSON: String(decoding: data, as: UTF8.self))
        } catch let DecodingError.typeMismatch(type, context), let DecodingError.valueNotFound(type, context) {
            let key = context.codingPath.last.map { Self.snakeCase($0.stringValue) } ?? "?"
            throw problem(key, "has the wrong type: expected \(Self.describe(type)), got '\(values[key]?.description ?? "?")'")
        } catch let DecodingError.dataCorrupted(context) {
            // A number that does not fit its field (`seed: -1`, `steps: 1.5`) comes without a
            // coding path: find the key by decoding the defaults with one value at a time.
            let key = context.codingPath.last.map { Self.snakeCase($0.stringValue) }
                ?? values.keys.sorted().first { key in
                    var single = defaults
                    single[key] = values[key]?.json
                    guard let data = try? JSONSerialization.data(withJSONObject: single) else { return true }
                    return (try? TrainingSpecification.decode(canonicalJSON: String(decoding: data, as: UTF8.self))) == nil
                } ?? "?"
            let expected = (merged[key] as? NSNumber).map { _ in key == "seed" ? "; expected a whole number from 0 to 2⁶⁴ − 1" : "; expected a whole number" } ?? ""
            throw problem(key, "'\(values[key]?.description ?? "?")' is not a valid value\(expected)")
        }
        if let first = specification.problems().first { throw problem(first.key.rawValue, first.message) }
        return specification
    }

    func problem(_ key: String, _ message: String) -> PipelineError {
        let section = matrix.contains(where: { $0.contains(where: { $0.key == key }) }) ? "matrix" : "train"
        return PipelineError(file: file, line: lines[key], key: "\(section).\(key)", message: message)
    }

    static func snakeCase(_ name: String) -> String {
        name.reduce(into: "") { result, character in
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "a whole number"
        case is Float.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        default: return "text"
        }
    }
}
