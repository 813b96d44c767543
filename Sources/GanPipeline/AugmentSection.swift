import Foundation

/// Reads the `augment:` section: data-augmentation experiments run after training, each a
/// classifier trained on a dataset's training split without and with a class-conditional
/// run's samples, seed by seed (`ganpipe augment`).
///
///     augment:
///       - dataset: fashion-100
///         generator: augmentation/fashion-100/nsgan   # a run's full name
///         per_class: 500                              # default 500
///         seeds: [1, 2, 3]                            # default [1, 2, 3]
///         checkpoint: 4000                            # default: the latest
enum AugmentSection {
    static let keys: Set<String> = ["dataset", "generator", "per_class", "seeds", "checkpoint"]

    static func parse(_ value: YAMLValue) throws -> [AugmentationSpecification] {
        try value.sequence().map { entry in
            let fields = try entry.mapping()
            try entry.rejectUnknown(fields, allowed: keys)
            let values = Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            guard let dataset = values["dataset"], let generator = values["generator"] else {
                throw entry.error("needs 'dataset: NAME' (the small labelled set) and 'generator: RUN' (a conditional run trained on it)")
            }
            let perClass = try values["per_class"]?.integer() ?? 500
            guard (1...100_000).contains(perClass) else { throw values["per_class"]!.error("must be between 1 and 100000, got \(perClass)") }
            let seeds = try values["seeds"].map { try $0.sequence().map { try $0.integer() } } ?? [1, 2, 3]
            guard !seeds.isEmpty, seeds.allSatisfy({ $0 >= 0 }), Set(seeds).count == seeds.count else {
                throw (values["seeds"] ?? entry).error("must list seeds ≥ 0, each once")
            }
            let checkpoint = try values["checkpoint"].map { value -> Int? in
                if case .text("latest")? = try? value.setting() { return nil }
                let step = try value.integer()
                guard step >= 0 else { throw value.error("must be latest or a step ≥ 0, got \(step)") }
                return step
            } ?? nil
            return AugmentationSpecification(dataset: try dataset.string(), generator: try generator.string(), perClass: perClass,
                                             seeds: seeds.map(UInt64.init), checkpoint: checkpoint, line: entry.line ?? 0)
        }
    }
}
