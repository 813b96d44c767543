import Foundation
import GanSchema
import GanStore

/// Every run of a database as one table (`ganpipe serve`'s first page): filters by pipeline,
/// objective, dataset, status, tag and name pattern; per run its dataset, progress, training time, the
/// latest losses and the last evaluation's key results, each name linking to the run's page.
public struct RunsPage {
    public var database: GanDatabase
    public var filter: RunStore.Filter
    /// Where a run's page is, from its id (`/runs/ID`).
    public var link: (Int64) -> String

    public init(database: GanDatabase, filter: RunStore.Filter, link: @escaping (Int64) -> String) {
        (self.database, self.filter, self.link) = (database, filter, link)
    }

    /// Evaluation results shown as columns when any listed run has them.
    static let resultColumns = [EvaluationMetric.modesCovered, EvaluationMetric.classesCovered, EvaluationMetric.frechetDistance]

    public func html() throws -> String {
        let store = RunStore(database)
        let everything = try store.list(RunStore.Filter(includeClassifiers: filter.includeClassifiers))
        let runs = try store.list(filter)
        var page = HTMLPage(title: "ganpipe: runs in \(URL(fileURLWithPath: database.path).lastPathComponent)")
        page.section("filters", "Filters", form(everything))
        var rows: [[String]] = [], results: [String: [Int: String]] = [:]
        for (index, listing) in runs.enumerated() {
            let run = listing.run, id = run.id ?? 0
            let summary = try store.summary(of: run)
            for metric in Self.resultColumns {
                if let (step, value) = try store.latestEvaluation(runId: id, metric: metric) {
                    results[metric, default: [:]][index] = "\(SVG.number(value)) (step \(step))"
                }
            }
            let losses = [MetricKey.discriminatorLoss, MetricKey.generatorLoss].map { key in
                summary.latestMetrics[key].map { SVG.number($0) } ?? "\u{2013}"
            }
            rows.append([
                "<a href=\"\(SVG.escape(link(id)))\">\(SVG.escape(run.name))</a>", SVG.escape(run.status.rawValue), SVG.escape(run.objective),
                SVG.escape(listing.datasetName ?? "\u{2013}"), "\(run.currentStep)/\(run.totalSteps)",
                summary.trainingSeconds.map { SVG.escape(RunReport.duration($0)) } ?? "\u{2013}",
                losses.joined(separator: " / "), SVG.escape(listing.tags.joined(separator: ", ")),
            ])
        }
        let resultNames = Self.resultColumns.filter { results[$0] != nil }
        var table = "<div class=\"wide\"><table id=\"run-table\"><thead><tr>"
        table += (["run", "status", "objective", "dataset", "step", "trained", "latest D / G loss", "tags"] + resultNames)
            .map { "<th>\(SVG.escape($0.replacingOccurrences(of: "_", with: " ")))</th>" }.joined()
        table += "</tr></thead><tbody>"
        for (index, row) in rows.enumerated() {
            let cells = row + resultNames.map { SVG.escape(results[$0]?[index] ?? "\u{2013}") }
            table += "<tr>" + cells.enumerated().map { column, cell in "<td\(column == 4 || column >= 6 ? " class=\"num\"" : "")>\(cell)</td>" }.joined() + "</tr>"
        }
        table += "</tbody></table></div>"
        page.section("runs", "Runs", runs.isEmpty ? "<p class=\"note\">No run matches these filters.</p>" : table,
                     lead: "\(runs.count) of \(everything.count) runs, oldest first.")
        let header = "<header><h1>Runs</h1><p class=\"meta\">\(SVG.escape(database.path))</p></header>\n"
        return page.render(header: header)
    }

    /// A GET form: one select per field with the values present, and a name pattern.
    func form(_ runs: [RunStore.Listing]) -> String {
        func select(_ name: String, _ values: [String], _ chosen: String?) -> String {
            let options = (["": "all"] as KeyValuePairs<String, String>).map { ($0.key, $0.value) } + values.map { ($0, $0) }
            return "<label>\(name) <select name=\"\(name)\">" + options.map { value, text in
                "<option value=\"\(SVG.escape(value))\"\(value == (chosen ?? "") ? " selected=\"selected\"" : "")>\(SVG.escape(text))</option>"
            }.joined() + "</select></label> "
        }
        let distinct = { (values: [String]) in Array(Set(values)).sorted() }
        var html = "<form method=\"get\" action=\"\">"
        html += select("pipeline", distinct(runs.compactMap(\.run.pipeline)), filter.pipeline)
        html += select("objective", distinct(runs.map(\.run.objective)), filter.objective)
        html += select("dataset", distinct(runs.compactMap(\.datasetName)), filter.dataset)
        html += select("status", distinct(runs.map(\.run.status.rawValue)), filter.status?.rawValue)
        html += select("tag", distinct(runs.flatMap(\.tags)), filter.tags.first)
        html += "<label>name <input type=\"text\" name=\"name\" value=\"\(SVG.escape(filter.names.first ?? ""))\" placeholder=\"nightly/*\"/></label> "
        return html + "<button type=\"submit\">show</button></form>"
    }
}
