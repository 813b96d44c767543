import ArgumentParser
import Foundation
import GanPipeline
import GanStore

extension RunStatus: ExpressibleByArgument {}

/// `ganpipe runs`: the runs in the database, oldest first, filtered.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the runs in the database, oldest first; options and patterns filter them.",
        discussion: "Every filter given must hold. The evaluator's dataset classifiers are listed only with --all or --objective classifier.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("Only runs whose names match one of these names or shell patterns ('nightly/*').", valueName: "pattern"))
    var names: [String] = []
    @Option(help: "Only runs with this status.") var status: RunStatus?
    @Option(help: "Only runs with this objective.") var objective: String?
    @Option(help: "Only runs trained on this dataset.") var dataset: String?
    @Option(help: "Only runs of this pipeline.") var pipeline: String?
    @Option(help: "Only runs with this tag (repeat for runs with all of them).") var tag: [String] = []
    @Flag(help: "Also list the evaluator's dataset classifier runs.") var all = false
    @Flag(help: "Print one JSON array of runs.") var json = false

    func run() throws {
        let opened = try database.openForReading()
        let filter = RunStore.Filter(status: status, objective: objective, dataset: dataset, pipeline: pipeline,
                                     tags: tag, names: names, includeClassifiers: all)
        let runs = try RunStore(opened).list(filter)
        let cluster = try ClusterStatus(tasks: ClusterTaskStore(opened).all())
        try opened.close()
        if json {
            try printJSON(runs.map { listing in
                var view = RunView(listing)
                view.cluster = cluster.view(of: listing.run)
                return view
            })
            return
        }
        if runs.isEmpty {
            print("no runs\(filter == RunStore.Filter() ? "" : " match these filters") in \(opened.path)")
            return
        }
        let showsCluster = runs.contains { cluster.view(of: $0.run) != nil }
        var table = TextTable(columns: ["id", "name", "status", "objective", "dataset", "step", "seed", "tags", "created"] + (showsCluster ? ["cluster"] : []))
        for listing in runs {
            let run = listing.run
            let away = cluster.view(of: run)
            // While its task trains, a run's step is the one in its shard.
            let step = away?.shardStep.map { "\($0)/\(run.totalSteps) (shard)" } ?? "\(run.currentStep)/\(run.totalSteps)"
            table.rows.append([
                String(run.id ?? 0), run.name, run.status.rawValue, run.objective, listing.datasetName ?? "–",
                step, String(run.seed), listing.tags.joined(separator: ","), run.createdAt,
            ] + (showsCluster ? [away.map { "slurm \($0.task) \($0.state)" } ?? "–"] : []))
        }
        print(table.render())
    }
}

/// Where the runs sent to Slurm are: each task's state from `squeue` (`ENDED` once Slurm no
/// longer lists it, `unknown` when squeue cannot be asked) and, while it is away, the step its
/// shard has reached.
struct ClusterStatus {
    struct View: Encodable {
        var scheduler = "slurm"
        var task: String
        var state: String
        var shard: String
        var shardStep: Int?
        var mergedAt: String?
    }

    var tasks: [Int64: ClusterTaskStore.Task]
    var states: [String: String]?

    init(tasks: [ClusterTaskStore.Task]) {
        self.tasks = Dictionary(tasks.map { ($0.runId, $0) }, uniquingKeysWith: { $1 })
        states = tasks.isEmpty ? [:] : try? Slurm.states(jobIds: Set(tasks.map(\.jobId)))
    }

    func view(of run: RunRecord) -> View? {
        guard let id = run.id, let task = tasks[id] else { return nil }
        let state = states.map { $0[task.slurmId] ?? "ENDED" } ?? "unknown"
        let away = Slurm.isActive(state) || (state == "ENDED" && task.mergedAt == nil)
        return View(task: task.slurmId, state: state, shard: task.shard,
                    shardStep: away ? SlurmExecutor.step(in: task.shard, run: run.name) : nil, mergedAt: task.mergedAt)
    }
}

/// A run as scripts see it: the row, with the configuration as a JSON object, not a string.
struct RunView: Encodable {
    var run: RunRecord
    var tags: [String]?
    var note: String?
    /// Where a run sent to a cluster is (`ganpipe runs --json`).
    var cluster: ClusterStatus.View?

    init(_ run: RunRecord, tags: [String]? = nil, note: String? = nil) {
        (self.run, self.tags, self.note) = (run, tags, note)
    }

    init(_ listing: RunStore.Listing) {
        self.init(listing.run, tags: listing.tags, note: listing.note)
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, status, objective, datasetId, seed, config, configSha256, pipeline, totalSteps
        case currentStep, createdAt, startedAt, finishedAt, heartbeatAt, owner, error, machine, tags, note, cluster
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(run.id, forKey: .id)
        try container.encode(run.name, forKey: .name)
        try container.encode(run.status, forKey: .status)
        try container.encode(run.objective, forKey: .objective)
        try container.encode(run.datasetId, forKey: .datasetId)
        try container.encode(run.seed, forKey: .seed)
        try container.encode(JSONValue(parsing: run.configJson), forKey: .config)
        try container.encode(run.configSha256, forKey: .configSha256)
        try container.encode(run.pipeline, forKey: .pipeline)
        try container.encode(run.totalSteps, forKey: .totalSteps)
        try container.encode(run.currentStep, forKey: .currentStep)
        try container.encode(run.createdAt, forKey: .createdAt)
        try container.encode(run.startedAt, forKey: .startedAt)
        try container.encode(run.finishedAt, forKey: .finishedAt)
        try container.encode(run.heartbeatAt, forKey: .heartbeatAt)
        try container.encode(run.owner, forKey: .owner)
        try container.encode(run.error, forKey: .error)
        try container.encode(run.machineJson.map(JSONValue.init(parsing:)), forKey: .machine)
        if let tags { try container.encode(tags, forKey: .tags) }
        if let cluster { try container.encode(cluster, forKey: .cluster) }
        if tags != nil { try container.encode(note, forKey: .note) }
    }
}
