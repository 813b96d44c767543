import Foundation
import GanStore

/// The loader's catalogue of datasets: validates names, stores a `DatasetContent` in one
/// immediate transaction (so a failure leaves no partial dataset), lists, finds and deletes
/// datasets, and loads them back with every checksum verified (`DatasetCatalog+Loading.swift`).
/// The tables belong to GanStore's `DatasetStore`; this turns its refusals into `LoaderError`s.
public struct DatasetCatalog: Sendable {
    public let database: GanDatabase

    /// Bytes per row of `dataset_parts` (4 MiB): far below SQLite's blob limit, few rows.
    public static let partSize = 4 << 20

    public init(_ database: GanDatabase) {
        self.database = database
    }

    /// Refuses names SQL users and shells would trip over: empty, longer than 200 characters,
    /// with control characters or leading/trailing spaces, starting with `-`, or all digits
    /// (which would read as an id).
    public static func validate(name: String) throws {
        let problem: String?
        if name.isEmpty { problem = "is empty" }
        else if name.count > 200 { problem = "is longer than 200 characters" }
        else if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { problem = "contains control characters" }
        else if name.first!.isWhitespace || name.last!.isWhitespace { problem = "starts or ends with a space" }
        else if name.hasPrefix("-") { problem = "starts with '-'" }
        else if name.allSatisfy(\.isNumber) { problem = "is all digits (it would read as an id)" }
        else { problem = nil }
        if let problem { throw LoaderError.invalidArgument("the dataset name '\(name)' \(problem); pass another --name") }
    }

    /// Throws `nameExists` if `name` is taken (a read, for checking before slow work; `save`
    /// checks again inside its transaction).
    public func requireFreeName(_ name: String) throws {
        try Self.validate(name: name)
        if try store.nameExists(name) { throw LoaderError.nameExists(name: name) }
    }

    /// Stores `content` as `name` in one transaction and returns the new row. Refuses a taken
    /// name, and (unless `allowDuplicate`) content equal to an existing dataset's.
    @discardableResult
    public func save(_ content: DatasetContent, name: String, allowDuplicate: Bool = false,
                     progress: ((String, Double) -> Void)? = nil) throws -> DatasetRecord {
        try save(try PreparedDataset(content, name: name), allowDuplicate: allowDuplicate, progress: progress)
    }

    /// Throws what `save` would refuse (a taken name, duplicate content) using reads only, so a
    /// caller can refuse before opening the database for writing.
    public func checkCanSave(_ prepared: PreparedDataset, allowDuplicate: Bool) throws {
        if let refusal = try store.refusal(toInsert: prepared.record, allowDuplicate: allowDuplicate) { throw Self.error(for: refusal) }
    }

    /// Stores a prepared dataset in one immediate transaction (checksums were computed before,
    /// so the write lock is held only to insert). The checks of `checkCanSave` run again inside.
    @discardableResult
    public func save(_ prepared: PreparedDataset, allowDuplicate: Bool = false,
                     progress: ((String, Double) -> Void)? = nil) throws -> DatasetRecord {
        progress?("writing", 0)
        return try refusing {
            try store.insert(prepared.record, arrays: prepared.arrays, allowDuplicate: allowDuplicate,
                             progress: progress.map { report in { report("writing", $0) } })
        }
    }

    /// Throws `datasetInUse` if runs use the dataset `reference` and not `force` (reads only).
    public func checkCanDelete(_ reference: String, force: Bool) throws {
        let dataset = try find(reference)
        let users = try runs(using: dataset)
        if !users.isEmpty && !force { throw LoaderError.datasetInUse(name: dataset.name, runs: users) }
    }

    /// Every dataset, oldest first.
    public func list() throws -> [DatasetRecord] {
        try store.list()
    }

    /// The dataset named `reference`, or else numbered `reference`.
    public func find(_ reference: String) throws -> DatasetRecord {
        guard let found = try store.lookup(reference) else { throw LoaderError.unknownDataset(reference) }
        return found
    }

    /// The arrays of `dataset` (without their bytes), by name.
    public func arrays(of dataset: DatasetRecord) throws -> [DatasetArrayRecord] {
        try store.arrays(of: dataset)
    }

    /// The names of the runs that use `dataset`.
    public func runs(using dataset: DatasetRecord) throws -> [String] {
        try store.runNames(using: dataset)
    }

    /// Deletes the dataset `reference` with its arrays and parts. Refused while runs use it
    /// unless `force`, which leaves those runs with `dataset_id` NULL. Returns the deleted row
    /// and the runs that were detached.
    public func delete(_ reference: String, force: Bool) throws -> (dataset: DatasetRecord, detachedRuns: [String]) {
        try refusing { try store.delete(reference, force: force) }
    }

    var store: DatasetStore { DatasetStore(database) }

    /// `body`, with a `DatasetRefusal` thrown as the `LoaderError` that words it.
    private func refusing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let refusal as DatasetRefusal {
            throw Self.error(for: refusal)
        }
    }

    static func error(for refusal: DatasetRefusal) -> LoaderError {
        switch refusal {
        case .nameTaken(let name): return .nameExists(name: name)
        case .sameContent(let name, let existing): return .duplicateContent(name: name, existing: existing)
        case .unknown(let reference): return .unknownDataset(reference)
        case .inUse(let name, let runs): return .datasetInUse(name: name, runs: runs)
        }
    }
}
