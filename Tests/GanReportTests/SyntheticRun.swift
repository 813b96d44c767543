import Foundation
import GanSchema
import GanStore
import GanTestSupport
import GRDB

/// A run written into a database with a shape chosen by the test: metrics filled by
/// one recursive-CTE insert per key (fast enough for 100,000 steps), activation-gradient norms
/// that grow or shrink across depth by a chosen factor, checkpoints with MLP weights (optionally
/// at ±c), events and evaluations. Values carry a small deterministic wobble.
struct SyntheticRun {
    var name = "synthetic"
    var objective = "wgan-gp"
    var steps = 200
    var metricsEvery = 1
    var discriminatorDepth = 4
    var generatorDepth = 2
    var width = 8
    var clip = 0.0
    var activation = "relu"
    /// ‖∂L_D/∂h‖ at the deepest hidden layer; each layer closer to the input multiplies it by
    /// `activationGrowthTowardInput`.
    var activationBase = 0.5
    var activationGrowthTowardInput = 1.0
    var weightGradient = 0.1
    var generatorWeightGradient = 0.05
    var extra: [String: Double] = ["loss/discriminator": -1.5, "loss/generator": 0.4, "wasserstein_estimate": 1.2, "penalty": 0.02,
                                   "score/real": 0.6, "score/fake": -0.6, "input_grad_norm/real": 0.9, "input_grad_norm/fake": 1.1,
                                   "input_grad_norm/interpolates": 1.0, "generator/sample_grad_norm": 0.3]
    /// Keys whose value moves geometrically from the first to the second number over the run.
    var ramps: [String: (Double, Double)] = [:]
    /// Keys with NULL (non-finite) values at these steps.
    var nonFinite: [String: [Int]] = [:]
    /// Keys with one value replaced at one step (a spike).
    var spikes: [String: (step: Int, value: Double)] = [:]
    var checkpointSteps = [0, 100, 200]
    /// Checkpoints with stored views (`checkpoint_views`, as the evaluator writes them); nil: all.
    var evaluatedSteps: [Int]? = nil
    /// Share of discriminator weights set to exactly ±clip in the checkpoints.
    var clippedShare = 0.0
    var evaluations: [(step: Int, metric: String, value: Double?)] = []
    var events: [(step: Int, kind: String, message: String)] = []
    var status = "completed"
    var discriminatorSteps = 5
    var seed = 7
    /// The stored views: generated samples on a circle of this radius, D(x) = x₁ − x₂ + offset.
    var sampleRadius = 1.4
    var fieldOffset = 0.0

    var metricKeys: [String] {
        var keys = Set(extra.keys).union(ramps.keys)
        for l in 1...discriminatorDepth { keys.insert("activation_grad_norm/discriminator/layers.\(2 * l - 1)") }
        for (network, depth) in [("discriminator", discriminatorDepth), ("generator", generatorDepth)] {
            for layer in 0...depth { keys.formUnion(["grad_norm/\(network)/layers.\(2 * layer).weight", "grad_norm/\(network)/layers.\(2 * layer).bias"]) }
        }
        return keys.sorted()
    }

    func base(of key: String) -> Double {
        if let value = extra[key] { return value }
        if let ramp = ramps[key] { return ramp.0 }
        if key.hasPrefix("activation_grad_norm/"), let index = Int(key.split(separator: ".").last!) {
            let depth = (index + 1) / 2
            return activationBase * pow(activationGrowthTowardInput, Double(discriminatorDepth - depth))
        }
        return key.contains("/generator/") ? generatorWeightGradient : weightGradient
    }

    var configuration: String {
        """
        {"activation":"\(activation)","batch_size":64,"beta1":0.5,"beta2":0.9,"checkpoint_every":100,"clip":\(clip),"dataset":"8gaussians",\
        "discriminator_depth":\(discriminatorDepth),"discriminator_steps":\(discriminatorSteps),"discriminator_width":\(width),"exploding_threshold":1000,\
        "generator_depth":\(generatorDepth),"generator_width":\(width),"gradient_penalty_weight":\(objective == "wgan-gp" ? 10 : 0),\
        "health_window":10,"leaky_slope":0.2,"learning_rate":0.0001,"metrics_every":\(metricsEvery),"noise_dimension":2,"objective":"\(objective)",\
        "optimizer":"adam","seed":\(seed),"steps":\(steps),"threads":1,"vanishing_threshold":1e-07}
        """
    }

    /// Writes the run (and the 8gaussians dataset with its modes, if absent); returns the run id.
    /// Metrics by SQL, everything else through the stores.
    @discardableResult
    func insert(into database: GanDatabase) throws -> Int64 {
        let dataset = try (try? DatasetStore(database).find("8gaussians")) ?? Self.insertDataset(into: database)
        var run = RunRecord(name: name, objective: objective, datasetId: dataset.id, seed: Int64(seed), configJson: configuration, totalSteps: steps,
                            status: RunStatus(rawValue: status) ?? .completed)
        run.currentStep = steps
        let id = try RunStore(database).insert(run).id!
        try RawDatabase(database).write { db in
            for key in metricKeys {
                if let (start, end) = ramps[key] {
                    let statement = try db.makeStatement(sql: "INSERT INTO metrics(run_id, key, step, value) VALUES (?, ?, ?, ?)")
                    for step in stride(from: metricsEvery, through: steps, by: metricsEvery) {
                        try statement.execute(arguments: [id, key, step, start * pow(end / start, Double(step) / Double(steps))])
                    }
                } else {
                    // Accuracies stay flat (a wobble would push them above 1).
                    let wobble = key.contains("accuracy") ? 0.0 : 0.05
                    try db.execute(sql: """
                        WITH RECURSIVE s(step) AS (SELECT ? UNION ALL SELECT step + ? FROM s WHERE step + ? <= ?)
                        INSERT INTO metrics(run_id, key, step, value)
                        SELECT ?, ?, step, ? * (1.0 + ? * ((step * 7919) % 13) / 13.0) FROM s
                        """, arguments: [metricsEvery, metricsEvery, metricsEvery, steps, id, key, base(of: key), wobble])
                }
                if let spike = spikes[key] {
                    try db.execute(sql: "UPDATE metrics SET value = ? WHERE run_id = ? AND key = ? AND step = ?", arguments: [spike.value, id, key, spike.step])
                }
                for step in nonFinite[key] ?? [] {
                    try db.execute(sql: "UPDATE metrics SET value = NULL WHERE run_id = ? AND key = ? AND step = ?", arguments: [id, key, step])
                }
            }
        }
        for step in checkpointSteps {
            try CheckpointStore(database).write(blobs(step: step), runId: id, step: step)
        }
        if !events.isEmpty {
            try RunJournal(database, runId: id).commit(metrics: [], events: events.map {
                RunJournal.Event(step: $0.step, kind: $0.kind, severity: $0.kind == "non_finite" ? .error : .warning, message: $0.message)
            }, currentStep: steps)
        }
        try EvaluationRecordStore(database).write(
            evaluations.map { EvaluationRecord(runId: id, step: $0.step, metric: $0.metric, value: $0.value, sampleCount: 1000, seed: 0) },
            views: (evaluatedSteps ?? checkpointSteps).flatMap { views(runId: id, step: $0) })
        return id
    }

    /// Generated samples on a circle of radius `sampleRadius` and a field D(x) = x₁ − x₂ +
    /// `fieldOffset` over [−3, 3]².
    func views(runId: Int64, step: Int) -> [CheckpointView] {
        let samples = (0..<256).flatMap { k -> [Float] in
            let angle = Double(k) * 0.7 + Double(step)
            return [Float(sampleRadius * cos(angle)), Float(sampleRadius * sin(angle))]
        }
        let field = (0..<400).map { index -> Float in
            Float(-3 + Double(index % 20) * 6 / 19) - Float(-3 + Double(index / 20) * 6 / 19) + Float(fieldOffset)
        }
        return [CheckpointView(runId: runId, step: step, name: .samples, shape: [256, 2], meta: CheckpointViewMeta(seed: 0), values: samples),
                CheckpointView(runId: runId, step: step, name: .criticField, shape: [20, 20],
                               meta: CheckpointViewMeta(window: [-3, 3, -3, 3], output: objective.hasPrefix("wgan") ? "critic" : "logit"), values: field)]
    }

    /// Weights of both MLPs (PyTorch layout), deterministic; a share of the discriminator's at ±clip.
    func blobs(step: Int) -> [CheckpointBlob] {
        var blobs: [CheckpointBlob] = []
        var state = UInt64(step + 1) &* 0x9E37_79B9_7F4A_7C15
        func uniform() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) * 0x1p-24 * 2 - 1
        }
        for (network, depth, inputs, outputs) in [("generator", generatorDepth, 2, 2), ("discriminator", discriminatorDepth, 2, 1)] {
            let sizes = [inputs] + Array(repeating: width, count: depth) + [outputs]
            for layer in 0..<(sizes.count - 1) {
                for (parameter, shape) in [("weight", [sizes[layer + 1], sizes[layer]]), ("bias", [sizes[layer + 1]])] {
                    let values = (0..<shape.reduce(1, *)).map { index -> Float in
                        let value = uniform() * 0.5
                        if network == "discriminator", clip > 0 {
                            if Double(index % 100) < clippedShare * 100 { return value < 0 ? -Float(clip) : Float(clip) }
                            return max(-Float(clip), min(Float(clip), value * Float(clip)))
                        }
                        return value
                    }
                    blobs.append(CheckpointBlob(name: "\(network)/layers.\(2 * layer).\(parameter)", elementType: "float32", shape: shape,
                                                data: values.withUnsafeBufferPointer { Data(buffer: $0) }))
                }
            }
        }
        blobs.append(CheckpointBlob(name: "state", elementType: "json", shape: [], data: Data("{\"step\":\(step)}".utf8)))
        return blobs
    }

    static func insertDataset(into database: GanDatabase) throws -> DatasetRecord {
        let modes = (0..<8).map { k -> String in
            let angle = Double(k) * Double.pi / 4
            return "[\(2 * cos(angle) / 1.414),\(2 * sin(angle) / 1.414)]"
        }
        return try TestDatasets.insertEightGaussians(
            into: database, count: 1024, testCount: 128,
            metadataJson: "{\"generator\":\"8gaussians\",\"mode_std\":\(0.02 / 1.414),\"modes\":[\(modes.joined(separator: ","))],\"sample_shape\":[2]}")
    }

    /// A fresh database file in `folder` holding this run.
    static func database(in folder: TemporaryDirectory, runs: [SyntheticRun]) throws -> (GanDatabase, String) {
        let path = folder.file("report.sqlite")
        let database = try GanDatabase.open(path: path)
        for run in runs { try run.insert(into: database) }
        return (database, path)
    }
}
