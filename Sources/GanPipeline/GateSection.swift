/// Reads the `gates:` section: conditions on the results, checked after every run.
///
///     gates:
///       - name: wgan-gp covers every mode
///         where: {objective: wgan-gp, dataset: 8gaussians}
///         evaluation: modes_covered        # or  metric: loss/discriminator
///         min: 8                           # and/or max
enum GateSection {
    static let keys: Set<String> = ["name", "where", "evaluation", "metric", "min", "max"]

    static func parse(_ value: YAMLValue) throws -> [GateSpecification] {
        try value.sequence().map { entry in
            let fields = try entry.mapping()
            try entry.rejectUnknown(fields, allowed: keys)
            let values = Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            let source: GateSpecification.Source
            let key: String
            switch (values["evaluation"], values["metric"]) {
            case (let evaluation?, nil): (source, key) = (.evaluation, try evaluation.string())
            case (nil, let metric?): (source, key) = (.metric, try metric.string())
            default: throw entry.error("needs exactly one of 'evaluation: METRIC' or 'metric: KEY'")
            }
            let minimum = try values["min"]?.number()
            let maximum = try values["max"]?.number()
            guard minimum != nil || maximum != nil else { throw entry.error("needs 'min', 'max' or both") }
            if let minimum, let maximum, minimum > maximum { throw entry.error("has min \(minimum) above max \(maximum)") }
            var filter: [String: Setting] = [:]
            if let whereValue = values["where"] {
                for (name, setting) in try whereValue.mapping() {
                    try PipelineParser.checkTrainingKey(name, setting)
                    filter[name] = try setting.setting()
                }
            }
            let name = try values["name"]?.string() ?? "\(key) \(minimum.map { "≥ \($0)" } ?? "")\(maximum.map { " ≤ \($0)" } ?? "")"
            return GateSpecification(name: name, filter: filter, source: source, key: key, minimum: minimum, maximum: maximum,
                                     line: entry.line ?? 0)
        }
    }
}
