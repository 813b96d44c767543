import Foundation
import GanTrainer
import Yams

/// Reads a pipeline file into a `PipelineSpecification`, refusing unknown keys, wrong types
/// and impossible values with the file, line and key — before anything runs.
public enum PipelineParser {
    static let topLevelKeys: Set<String> = ["pipeline", "datasets", "train", "matrix", "evaluate", "gates", "retries", "reports", "augment", "score"]

    /// The training keys a pipeline may set: those of `runs.config_json` (optional ones set, so
    /// that they appear).
    static let trainingKeys = Set(TrainingSpecification.Key.allCases.map(\.rawValue))

    public static func parse(file path: String) throws -> PipelineSpecification {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw PipelineError(file: path, line: nil, key: nil, message: "no such pipeline file; pass the path of a .yaml file such as pipelines/quickstart.yaml")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw PipelineError(file: path, line: nil, key: nil, message: "cannot read the file as UTF-8 text")
        }
        return try parse(text: text, file: path)
    }

    public static func parse(text: String, file: String) throws -> PipelineSpecification {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PipelineError(file: file, line: nil, key: nil, message: "the file is empty; see pipelines/README.md for the format")
            }
            root = node
        } catch let error as YamlError {
            throw PipelineError(file: file, line: Self.line(of: error), key: nil, message: "not valid YAML: \(Self.problem(of: error))")
        }
        let top = YAMLValue(node: root, key: "", file: file)
        let entries = try top.mapping()
        try top.rejectUnknown(entries, allowed: topLevelKeys)
        let values = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })

        guard let nameValue = values["pipeline"] else { throw top.error("missing the key 'pipeline' (the pipeline's name, used in run names)") }
        let name = try nameValue.string()
        guard name.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", options: .regularExpression) != nil else {
            throw nameValue.error("'\(name)' is not a usable name; use letters, digits, '.', '_' and '-'")
        }
        let datasets = try values["datasets"].map(DatasetSection.parse) ?? []
        let train = try values["train"].map(parseTrain) ?? [:]
        guard let matrixValue = values["matrix"] else { throw top.error("missing the key 'matrix' (at least dataset and objective)") }
        let matrix = try parseMatrix(matrixValue, train: train)
        let evaluation = try values["evaluate"].map(parseEvaluation) ?? EvaluationSpecification()
        let gates = try values["gates"].map(GateSection.parse) ?? []
        let retries = try values["retries"].map { value -> Int in
            let count = try value.integer()
            guard (0...10).contains(count) else { throw value.error("must be between 0 and 10, got \(count)") }
            return count
        } ?? 1
        let reports = try values["reports"].map { try $0.string() }
        var specification = PipelineSpecification(name: name, file: file, datasets: datasets, train: train, matrix: matrix,
                                                  evaluation: evaluation, gates: gates, retries: retries, reportsFolder: reports)
        specification.augmentations = try values["augment"].map(AugmentSection.parse) ?? []
        specification.scores = try values["score"].map(ScoreSection.parse) ?? []
        for (key, value) in try values["train"]?.mapping() ?? [] { specification.lines[key] = value.line }
        let products = matrixValue.node.isSequence ? try matrixValue.sequence() : [matrixValue]
        for product in products {
            for (key, value) in try product.mapping() where specification.lines[key] == nil { specification.lines[key] = value.line }
        }
        return specification
    }

    static func parseTrain(_ value: YAMLValue) throws -> [String: Setting] {
        var settings: [String: Setting] = [:]
        for (key, entry) in try value.mapping() {
            try checkTrainingKey(key, entry)
            settings[key] = try entry.setting()
        }
        return settings
    }

    /// Refuses keys that are not training settings.
    static func checkTrainingKey(_ key: String, _ value: YAMLValue) throws {
        guard trainingKeys.contains(key) else {
            let known = trainingKeys.sorted().joined(separator: ", ")
            throw value.error("unknown training setting; use one of \(known)")
        }
    }

    /// A mapping of axes (one product), or a list of such mappings (a union of products).
    static func parseMatrix(_ value: YAMLValue, train: [String: Setting]) throws -> [[(key: String, values: [Setting])]] {
        if case .sequence = value.node {
            let products = try value.sequence().map { try parseProduct($0, train: train) }
            guard !products.isEmpty else { throw value.error("needs at least one entry") }
            return products
        }
        return [try parseProduct(value, train: train)]
    }

    static func parseProduct(_ value: YAMLValue, train: [String: Setting]) throws -> [(key: String, values: [Setting])] {
        var axes: [(key: String, values: [Setting])] = []
        for (key, entry) in try value.mapping() {
            try checkTrainingKey(key, entry)
            if train[key] != nil { throw entry.error("is set both under 'train' and in the matrix; keep one") }
            let values = try entry.settings()
            guard !values.isEmpty else { throw entry.error("needs at least one value") }
            guard Set(values).count == values.count else { throw entry.error("lists a value twice") }
            axes.append((key, values))
        }
        for required in ["dataset", "objective"] where !axes.contains(where: { $0.key == required }) && train[required] == nil {
            throw value.error("needs '\(required)' (in the matrix or under 'train')")
        }
        return axes
    }

    static func parseEvaluation(_ value: YAMLValue) throws -> EvaluationSpecification {
        var evaluation = EvaluationSpecification()
        let entries = try value.mapping()
        try value.rejectUnknown(entries, allowed: ["every", "samples", "seed", "enabled"])
        for (key, entry) in entries {
            switch key {
            case "every":
                let every = try entry.integer()
                guard every >= 1 else { throw entry.error("must be at least 1, got \(every)") }
                evaluation.every = every
            case "samples":
                let samples = try entry.integer()
                guard (10...1_000_000).contains(samples) else { throw entry.error("must be between 10 and 1000000, got \(samples)") }
                evaluation.samples = samples
            case "seed":
                let seed = try entry.integer()
                guard seed >= 0 else { throw entry.error("must be ≥ 0, got \(seed)") }
                evaluation.seed = UInt64(seed)
            default:
                evaluation.enabled = try entry.boolean()
            }
        }
        return evaluation
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _): return problem
        default: return "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
        }
    }
}
