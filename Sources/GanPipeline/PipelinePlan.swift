import Foundation
import GanTrainer

/// One run of the matrix: its stable name, its full configuration and the matrix values that
/// made it.
public struct PlannedRun: Sendable, Equatable {
    public var name: String
    public var specification: TrainingSpecification
    public var cell: [String: Setting]
}

extension PipelineSpecification {
    /// Every combination of the matrix, in file order (the last axis varies fastest; products
    /// of a list one after another), as a fully resolved training configuration. Names are `PIPELINE/DATASET/OBJECTIVE` followed by
    /// `/key=value` for the other matrix axes, so they stay the same when the file is run again.
    public func plannedRuns() throws -> [PlannedRun] {
        var cells: [[(key: String, value: Setting)]] = []
        for product in matrix {
            var productCells: [[(key: String, value: Setting)]] = [[]]
            for (key, values) in product {
                productCells = productCells.flatMap { cell in values.map { cell + [(key, $0)] } }
            }
            cells += productCells
        }
        var runs: [PlannedRun] = []
        for cell in cells {
            let values = train.merging(cell.map { ($0.key, $0.value) }, uniquingKeysWith: { _, new in new })
            let specification = try resolve(values)
            var name = "\(self.name)/\(specification.dataset)/\(specification.objective.rawValue)"
            for (key, value) in cell where key != "dataset" && key != "objective" { name += "/\(key)=\(value)" }
            guard !runs.contains(where: { $0.name == name }) else {
                throw PipelineError(file: file, line: nil, key: "matrix", message: "two entries make the same run '\(name)'; remove one")
            }
            runs.append(PlannedRun(name: name, specification: specification,
                                   cell: Dictionary(cell.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })))
        }
        return runs
    }

    /// The configuration for `values`: the objective's defaults, then `values` on top.
    func resolve(_ values: [String: Setting]) throws -> TrainingSpecification {
        guard case .text(let objectiveName)? = values["objective"], let objective = Objective(rawValue: objectiveName) else {
            throw problem("objective", "'\(values["objective"]?.description ?? "")' is not an objective; use one of \(Objective.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard case .text(let dataset)? = values["dataset"] else {
            throw problem("dataset", "must name a dataset, got '\(values["dataset"]?.description ?? "")'")
        }
        let base = TrainingSpecification(dataset: dataset, objective: objective, steps: 1000, seed: 0).canonicalJSON()
        let defaults = (try JSONSerialization.jsonObject(with: Data(base.utf8)) as? [String: Any]) ?? [:]
        var merged = defaults
        for (key, value) in values { merged[key] = value.json }
        let specification: TrainingSpecification
        do {
            let data = try JSONSerialization.data(withJSONObject: merged, options: [.sortedKeys])
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
                    guard let data = try? JSONSerialization.data(withJSONObject: single, options: [.sortedKeys]) else { return true }
                    return (try? TrainingSpecification.decode(canonicalJSON: String(decoding: data, as: UTF8.self))) == nil
                } ?? "?"
            let expected = (merged[key] as? NSNumber).map { _ in key == "seed" ? "; expected a whole number from 0 to 2⁶⁴ − 1" : "; expected a whole number" } ?? ""
            throw problem(key, "'\(values[key]?.description ?? "?")' is not a valid value\(expected)")
        }
        if let first = specification.problems().first {
            // Problems name command-line options (`--batch-size …`); name the file's key instead.
            let flag = first.split(separator: " ").first.map(String.init) ?? ""
            let key = flag == "--noise-dim" ? "noise_dimension" : flag.replacingOccurrences(of: "--", with: "").replacingOccurrences(of: "-", with: "_")
            throw problem(key, first)
        }
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
