import Foundation

/// A row of `datasets`: one generated or imported dataset. Its arrays live in
/// `dataset_arrays`, their bytes in `dataset_parts`.
public struct DatasetRecord: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case synthetic, imported }

    public var id: Int64?
    public var name: String
    public var kind: Kind
    /// The generator (`8gaussians`) or the imported file's path.
    public var source: String
    public var sourceBytes: Int64?
    public var contentSha256: String
    public var sampleCount: Int
    public var trainCount: Int
    public var testCount: Int
    public var seed: Int64?
    public var metadataJson: String
    public var createdAt: String

    public init(name: String, kind: Kind, source: String, sourceBytes: Int64? = nil, contentSha256: String,
                sampleCount: Int, trainCount: Int, testCount: Int, seed: Int64? = nil,
                metadataJson: String = "{}", createdAt: String = Timestamp.now()) {
        self.name = name
        self.kind = kind
        self.source = source
        self.sourceBytes = sourceBytes
        self.contentSha256 = contentSha256
        self.sampleCount = sampleCount
        self.trainCount = trainCount
        self.testCount = testCount
        self.seed = seed
        self.metadataJson = metadataJson
        self.createdAt = createdAt
    }
}

/// A row of `dataset_arrays`: one named array of a dataset (`samples`, `labels`).
/// A stored element `e` stands for the value `e * scale + offset`.
extension DatasetRecord {
    /// The shape of one sample from `metadata_json` (`sample_shape`, e.g. `[28, 28]`), if recorded.
    public var sampleShape: [Int]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(metadataJson.utf8)) as? [String: Any] else { return nil }
        return (object["sample_shape"] as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue }
    }
}

public struct DatasetArrayRecord: Codable, Equatable, Sendable {
    public var id: Int64?
    public var datasetId: Int64
    public var name: String
    public var elementType: String
    public var shapeJson: String
    public var scale: Double
    public var offset: Double
    public var byteCount: Int64
    public var sha256: String

    public init(datasetId: Int64, name: String, elementType: String, shapeJson: String, scale: Double, offset: Double,
                byteCount: Int64, sha256: String) {
        self.datasetId = datasetId
        self.name = name
        self.elementType = elementType
        self.shapeJson = shapeJson
        self.scale = scale
        self.offset = offset
        self.byteCount = byteCount
        self.sha256 = sha256
    }
}

/// A row of `dataset_parts`: one chunk of an array's bytes with its checksum.
public struct DatasetPartRecord: Codable, Equatable, Sendable {
    public var arrayId: Int64
    public var partIndex: Int
    public var data: Data
    public var sha256: String

    /// A part of `data`, its checksum computed here.
    public init(arrayId: Int64, partIndex: Int, data: Data) {
        self.arrayId = arrayId
        self.partIndex = partIndex
        self.data = data
        self.sha256 = SHA256.hex(data)
    }
}

extension DatasetRecord: IdentifiedRecord {
    static let databaseTableName = "datasets"
}

extension DatasetArrayRecord: IdentifiedRecord {
    static let databaseTableName = "dataset_arrays"
}

extension DatasetPartRecord: StoredRecord {
    static let databaseTableName = "dataset_parts"
}
