import Foundation
import GanReport
import GanStore
import Hummingbird
import Logging
import NIOCore

/// `ganpipe serve`: the runs page, run pages and comparison pages over HTTP, read-only, redrawn
/// in the browser as runs train. Each page is the same HTML the static `report` and `compare`
/// write, plus one small script (`LiveScript`) that polls `/api/changes` and, when the
/// database changed, fetches the page again and swaps its body in place (no reload, the
/// scroll position kept), and lists new warning and error events at the top as they happen.
public struct LiveServer: Sendable {
    public var databasePath: String
    public var host: String
    public var port: Int
    /// How often a page asks whether anything changed (milliseconds).
    public var pollMilliseconds: Int

    public init(databasePath: String, host: String = "127.0.0.1", port: Int = 8080, pollMilliseconds: Int = 2000) {
        (self.databasePath, self.host, self.port, self.pollMilliseconds) = (databasePath, host, port, pollMilliseconds)
    }

    /// Serves until the process is stopped; `started` gets the address once the port is bound
    /// (with `port` 0, the one the system chose). The caller checks first that the file is a
    /// ganpipe database it can read (`ganpipe serve` does, with its one-line refusals).
    public func run(started: @escaping @Sendable (String) -> Void) async throws {
        let router = Router()
        let server = self
        router.get("/") { request, _ in try server.page { try server.runsPage(request.uri.queryParameters, database: $0) } }
        router.get("/runs/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            return try server.page { database in
                let run = try RunStore(database).find(id)
                return try RunReport(try RunData.load(String(run.id ?? 0), from: database)).html()
            }
        }
        router.get("/compare") { request, _ in try server.page { try server.comparisonPage(request.uri.queryParameters, database: $0) } }
        router.get("/api/changes") { _, _ in
            try server.json { database in
                let store = RunStore(database)
                return ["token": try store.changeToken(), "last_event": String(try store.lastEventId())]
            }
        }
        router.get("/api/events") { request, _ in
            let after = Int64(request.uri.queryParameters.get("after") ?? "") ?? 0
            return try server.json { database -> [[String: String]] in
                try RunStore(database).events(after: after).map { id, run, event in
                    ["id": String(id), "run": run, "step": event.step.map(String.init) ?? "", "severity": event.severity.rawValue,
                     "kind": event.kind, "message": event.message]
                }
            }
        }
        // Quiet: ganpipe prints the address itself; the library's notices only on trouble.
        var logger = Logger(label: "ganpipe.serve")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "ganpipe"),
                              onServerRunning: { channel in
            started("http://\(server.host):\(channel.localAddress?.port ?? server.port)/")
        }, logger: logger)
        try await app.runService()  // SIGTERM and SIGINT end it gracefully
    }

    func runsPage(_ query: Hummingbird.Parameters, database: GanDatabase) throws -> String {
        func value(_ name: String) -> String? { query.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        let filter = RunStore.Filter(status: value("status").flatMap(RunStatus.init(rawValue:)), objective: value("objective"),
                                     dataset: value("dataset"), pipeline: value("pipeline"), tags: value("tag").map { [$0] } ?? [],
                                     names: value("name").map { [$0] } ?? [], includeClassifiers: value("all") != nil)
        return try RunsPage(database: database, filter: filter, link: { "/runs/\($0)" }).html()
    }

    /// `/compare?run=A&run=B` or `?run=nightly/*`, with `&over-seeds` or `&group-by=objective,clip`.
    func comparisonPage(_ query: Hummingbird.Parameters, database: GanDatabase) throws -> String {
        let references = query.getAll("run").filter { !$0.isEmpty }
        let runs = try RunStore(database).select(references).map(\.name)
        guard runs.count >= 2 else {
            throw PageError(status: .badRequest, "a comparison needs at least two runs (got \(runs.count)); name them as ?run=A&run=B or ?run=nightly/*")
        }
        let data = try runs.map { try RunData.load($0, from: database) }
        if query.get("over-seeds") != nil { return try ComparisonPage(try RunComparison(data, grouping: .overSeeds)).html() }
        if let keys = query.get("group-by"), !keys.isEmpty {
            return try ComparisonPage(try RunComparison(data, grouping: .keys(keys.split(separator: ",").map(String.init)))).html()
        }
        return try ComparisonPage(try RunComparison(data)).html()
    }

    /// A page drawn from a read-only connection opened for this request, with the live script;
    /// a refusal (an unknown run) is a page with the one-line message and its status.
    func page(_ draw: (GanDatabase) throws -> String) throws -> Response {
        let html: String, status: HTTPResponse.Status
        do {
            let database = try GanDatabase.open(path: databasePath, access: .readOnly)
            defer { try? database.close() }
            (html, status) = (try draw(database), .ok)
        } catch let error as PageError {
            (html, status) = (LiveScript.errorPage(error.message), error.status)
        } catch let error as StoreError {
            (html, status) = (LiveScript.errorPage(error.description), .notFound)
        } catch {
            (html, status) = (LiveScript.errorPage("\(error)"), .internalServerError)
        }
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: LiveScript.inject(into: html, pollMilliseconds: pollMilliseconds))))
    }

    func json(_ body: (GanDatabase) throws -> some Encodable) throws -> Response {
        let database = try GanDatabase.open(path: databasePath, access: .readOnly)
        defer { try? database.close() }
        let data = try JSONEncoder().encode(try body(database))
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

struct PageError: Error {
    var status: HTTPResponse.Status
    var message: String
    init(status: HTTPResponse.Status, _ message: String) { (self.status, self.message) = (status, message) }
}
