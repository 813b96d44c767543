import Foundation

/// Reads the `datasets:` section: a mapping from dataset name to how to make it.
///
///     datasets:
///       8gaussians: {generate: 8gaussians, samples: 20000, seed: 1}
///       digits: {import: ../data/digits.csv.gz, labels_column: last, sample_shape: [8, 8], scale: 0.0625}
///       digit-3: {subset: digits, classes: [3]}
///       digits-20: {subset: digits, per_class: 20, seed: 1}
///
/// Import paths are relative to the pipeline file.
enum DatasetSection {
    static let generateKeys: Set<String> = ["generate", "samples", "seed", "test_fraction"]
    static let subsetKeys: Set<String> = ["subset", "classes", "same_test_classes", "per_class", "seed"]
    static let importKeys: Set<String> = ["import", "labels", "labels_column", "sample_shape", "scale", "test_fraction", "format",
                                          "test", "test_labels", "label_names"]

    static func parse(_ value: YAMLValue) throws -> [DatasetSpecification] {
        try value.mapping().map { name, entry in
            let fields = try entry.mapping()
            let values = Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            if let kind = values["generate"] {
                try entry.rejectUnknown(fields, allowed: generateKeys)
                let samples = try values["samples"]?.integer() ?? 20_000
                guard samples >= 2 else { throw values["samples"]!.error("must be at least 2, got \(samples)") }
                let seed = try values["seed"]?.integer() ?? 0
                guard seed >= 0 else { throw values["seed"]!.error("must be ≥ 0, got \(seed)") }
                let fraction = try values["test_fraction"]?.number() ?? 0.1
                guard fraction >= 0 && fraction < 1 else { throw values["test_fraction"]!.error("must be in [0, 1), got \(fraction)") }
                return DatasetSpecification(name: name, source: .generate(kind: try kind.string(), samples: samples, seed: UInt64(seed),
                                                                           testFraction: fraction), line: entry.line ?? 0)
            }
            if let source = values["subset"] {
                try entry.rejectUnknown(fields, allowed: subsetKeys)
                let classes = try values["classes"]?.sequence().map({ try $0.integer() })
                let perClass = try values["per_class"]?.integer()
                guard classes.map({ !$0.isEmpty }) ?? (perClass != nil) else {
                    throw entry.error("a subset needs 'classes: [LABEL, …]', the labels its training split keeps, or 'per_class: N' samples of every class")
                }
                if let perClass, perClass < 1 { throw values["per_class"]!.error("must be at least 1, got \(perClass)") }
                let seed = try values["seed"]?.integer() ?? 0
                guard seed >= 0 else { throw values["seed"]!.error("must be ≥ 0, got \(seed)") }
                return DatasetSpecification(name: name, source: .subset(of: try source.string(), classes: classes, perClass: perClass, seed: UInt64(seed),
                                                                         wholeTestSplit: !(try values["same_test_classes"]?.boolean() ?? false)),
                                            line: entry.line ?? 0)
            }
            guard let path = values["import"] else {
                throw entry.error("needs 'generate: KIND', 'import: PATH' or 'subset: DATASET'")
            }
            try entry.rejectUnknown(fields, allowed: importKeys)
            let folder = URL(fileURLWithPath: value.file).deletingLastPathComponent()
            func resolve(_ text: String) -> String {
                text.hasPrefix("/") ? text : folder.appendingPathComponent(text).standardized.path
            }
            let shape = try values["sample_shape"].map { try $0.sequence().map { try $0.integer() } }
            if let shape, shape.isEmpty || shape.contains(where: { $0 < 1 }) {
                throw values["sample_shape"]!.error("must list positive dimensions, e.g. [8, 8]")
            }
            let fraction = try values["test_fraction"]?.number()
            if let fraction, !(fraction >= 0 && fraction < 1) { throw values["test_fraction"]!.error("must be in [0, 1), got \(fraction)") }
            return DatasetSpecification(
                name: name,
                source: .importFile(path: resolve(try path.string()), labels: try values["labels"].map { resolve(try $0.string()) },
                                    labelsColumn: try values["labels_column"]?.string(), sampleShape: shape,
                                    scale: try values["scale"]?.number(), testFraction: fraction, format: try values["format"]?.string(),
                                    test: try values["test"].map { resolve(try $0.string()) },
                                    testLabels: try values["test_labels"].map { resolve(try $0.string()) },
                                    labelNames: try values["label_names"].map { try $0.sequence().map { try $0.string() } }),
                line: entry.line ?? 0)
        }
    }
}
