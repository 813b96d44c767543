import ArgumentParser
import Foundation
import GanStore

extension RunStatus: ExpressibleByArgument {}

/// `ganpipe runs`: the runs in the database, oldest first.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the runs in the database.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Only runs with this status.") var status: RunStatus?
    @Flag(help: "Print one JSON array of runs.") var json = false

    func run() throws {
        let opened = try database.openForReading()
        let runs = try RunStore(opened).list(status: status)
        try opened.close()
        if json {
            try printJSON(runs.map(RunView.init))
            return
        }
        if runs.isEmpty {
            print("no runs\(status.map { " with status \($0.rawValue)" } ?? "") in \(opened.path)")
            return
        }
        var table = TextTable(columns: ["id", "name", "status", "objective", "step", "seed", "created"])
        for run in runs {
            table.rows.append([
                String(run.id ?? 0), run.name, run.status.rawValue, run.objective,
                "\(run.currentStep)/\(run.totalSteps)", String(run.seed), run.createdAt,
            ])
        }
        print(table.render())
    }
}

/// A run as scripts see it: the row, with the configuration as a JSON object, not a string.
struct RunView: Encodable {
    var run: RunRecord

    init(_ run: RunRecord) {
        self.run = run
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, status, objective, datasetId, seed, config, configSha256, pipeline, totalSteps
        case currentStep, createdAt, startedAt, finishedAt, heartbeatAt, owner, error, machine
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
    }
}
