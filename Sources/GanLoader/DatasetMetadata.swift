import Foundation

/// What `datasets.metadata_json` holds, with stable snake_case keys for SQL users
/// (`json_extract(metadata_json, '$.mode_std')`). Every field is optional: synthetic datasets
/// fill the generator fields, imported ones the provenance fields.
public struct DatasetMetadata: Codable, Equatable, Sendable {
    /// The generator (`8gaussians`, …), for synthetic datasets.
    public var generator: String?
    /// The generator's parameters in the units of the stored samples (after any division).
    public var parameters: [String: Double]?
    /// Mode centres, `[modes][features]`, in the coordinates of the stored samples.
    public var modes: [[Double]]?
    /// The standard deviation of each mode along each axis, in stored coordinates.
    public var modeStd: Double?
    /// How the generator works, in one sentence (reference implementation).
    public var reference: String?
    /// The import format (`csv`, `npy`, `idx`).
    public var format: String?
    /// Every file read, with its size and SHA-256.
    public var files: [SourceFile]?
    /// The CSV header cells, if the file had a header.
    public var header: [String]?
    /// The 0-based CSV column the labels came from.
    public var labelColumn: Int?
    /// Class names, indexed by label value.
    public var labelNames: [String]?
    /// Shape of one sample, e.g. `[28, 28]` or `[2]`.
    public var sampleShape: [Int]?
    /// The seed of the shuffle applied to the rows before storing, if any.
    public var shuffleSeed: UInt64?
    /// How the split was made: `generated`, `fraction`, `files`.
    public var split: String?
    /// For a subset of another dataset (`ganpipe data subset`): which, and which classes.
    public var derivedFrom: Subset?

    /// The dataset a subset was taken from and the classes it kept.
    public struct Subset: Codable, Equatable, Sendable {
        public var dataset: String
        public var contentSha256: String
        /// The labels kept in the training split.
        public var classes: [Int]
        /// Whether the test split was kept whole (the one-class protocol: every class is tested).
        public var wholeTestSplit: Bool
        /// At most this many training samples of each class, chosen by the shuffle of `seed`.
        public var perClass: Int?
        public var seed: UInt64?

        public init(dataset: String, contentSha256: String, classes: [Int], wholeTestSplit: Bool, perClass: Int? = nil, seed: UInt64? = nil) {
            (self.dataset, self.contentSha256, self.classes, self.wholeTestSplit) = (dataset, contentSha256, classes, wholeTestSplit)
            (self.perClass, self.seed) = (perClass, seed)
        }

        enum CodingKeys: String, CodingKey {
            case dataset, contentSha256 = "content_sha256", classes, wholeTestSplit = "whole_test_split", perClass = "per_class", seed
        }
    }

    /// For samples of a trained generator (`ganpipe sample --into-dataset`): where they came from.
    public var generatedBy: Provenance?

    /// The run, checkpoint and noise seed(s) a generated dataset came from.
    public struct Provenance: Codable, Equatable, Sendable {
        public var run: String
        public var checkpoint: Int
        /// The noise seed, or for a latent interpolation the two seeds it goes between.
        public var seeds: [UInt64]
        public var interpolation: Bool
        /// A class-conditional run's `--class`; nil: class-balanced (or an unconditional run).
        public var label: Int?

        public init(run: String, checkpoint: Int, seeds: [UInt64], interpolation: Bool, label: Int? = nil) {
            (self.run, self.checkpoint, self.seeds, self.interpolation, self.label) = (run, checkpoint, seeds, interpolation, label)
        }

        enum CodingKeys: String, CodingKey {
            case run, checkpoint, seeds, interpolation, label = "class"
        }

        /// One line for `data show`.
        public var description: String {
            (interpolation ? "latent interpolation of run \(run) at step \(checkpoint) from seed \(seeds[0]) to seed \(seeds.last!)"
                : "samples of run \(run) at step \(checkpoint), noise seed \(seeds.first ?? 0)") + (label.map { ", class \($0)" } ?? "")
        }
    }

    public init() {}

    /// One file that went into a dataset.
    public struct SourceFile: Codable, Equatable, Sendable {
        /// `samples`, `labels`, `test-samples` or `test-labels`.
        public var role: String
        /// The absolute path when it was read.
        public var path: String
        public var bytes: Int64
        public var sha256: String
        public var gzip: Bool

        public init(role: String, path: String, bytes: Int64, sha256: String, gzip: Bool) {
            self.role = role
            self.path = path
            self.bytes = bytes
            self.sha256 = sha256
            self.gzip = gzip
        }
    }

    enum CodingKeys: String, CodingKey {
        case generator, parameters, modes, modeStd = "mode_std", reference, format, files, header
        case labelColumn = "label_column", labelNames = "label_names", sampleShape = "sample_shape"
        case shuffleSeed = "shuffle_seed", split, generatedBy = "generated_by", derivedFrom = "derived_from"
    }

    /// Compact JSON with sorted keys, as stored.
    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Decodes stored JSON; unknown keys are ignored, malformed text gives empty metadata.
    public static func decoded(from json: String) -> DatasetMetadata {
        (try? JSONDecoder().decode(DatasetMetadata.self, from: Data(json.utf8))) ?? DatasetMetadata()
    }
}
