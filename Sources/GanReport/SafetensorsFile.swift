import Foundation
import GanSchema
import GanStore

/// A checkpoint's weights in the safetensors format (https://huggingface.co/docs/safetensors):
/// an 8-byte little-endian header length N, N bytes of JSON header (padded with spaces to a
/// multiple of 8), then the raw tensor bytes. The header maps each tensor name to
/// `{"dtype":"F32","shape":[…],"data_offsets":[begin,end]}` (offsets into the byte buffer after
/// the header) and holds `__metadata__` with string values. Names are sorted and the tensors
/// laid out in that order, back to back.
///
/// Names follow PyTorch: `generator.layers.0.weight` (`[out, in]`, the `nn.Linear` layout;
/// convolutions `[out, in, k, k]`, transposed `[in, out, k, k]`), `generator.layers.0.bias`,
/// saved state (`running_mean`, `running_var`, `weight_u`, `weight_v`), …, `discriminator.…` —
/// exactly the tensors the checkpoint's description names. `TorchModuleFile` writes the
/// PyTorch module that rebuilds the networks and loads them.
public struct SafetensorsFile {
    public struct Entry: Equatable {
        public var name: String
        public var shape: [Int]
        /// Little-endian float32 bytes.
        public var bytes: Data
    }

    public var entries: [Entry]
    public var metadata: [String: String]
    /// The networks the tensors belong to, from the checkpoint (nil for one written before
    /// descriptions were stored).
    public var model: ModelDescription?

    public init(entries: [Entry], metadata: [String: String], model: ModelDescription? = nil) {
        self.entries = entries.sorted { $0.name < $1.name }
        self.metadata = metadata
        self.model = model
    }

    /// The generator and discriminator weights of `run`'s checkpoint at `step` (default: the
    /// latest complete one), checksums verified by the store.
    public static func export(run reference: String, step: Int?, from database: GanDatabase) throws -> SafetensorsFile {
        let run = try RunStore(database).find(reference)
        let store = CheckpointStore(database)
        let available = try store.completeSteps(runId: run.id ?? -1)
        let checkpoint: CheckpointRecord
        if let step {
            guard let found = try store.checkpoint(runId: run.id ?? -1, step: step) else {
                throw ReportError("run '\(run.name)' has no complete checkpoint at step \(step); its checkpoints are at steps \(Self.describe(available))")
            }
            checkpoint = found
        } else {
            guard let latest = try store.latestComplete(runId: run.id ?? -1) else {
                throw ReportError("run '\(run.name)' has no complete checkpoint yet; train it with `ganpipe train` or continue it with `ganpipe resume \(run.name)`")
            }
            checkpoint = latest
        }
        let blobs = try store.blobs(of: checkpoint)
        // The networks the checkpoint describes name the tensors to export; an older checkpoint
        // without a description: every weight blob of both networks.
        let model = try blobs[ModelDescription.blobName].map { blob in
            do { return try ModelDescription.decode(blob.data) } catch {
                throw ReportError("the checkpoint at step \(checkpoint.step) has a model description this ganpipe cannot read (written by a newer one?)")
            }
        }
        let names = model.map { model in
            Set(["generator", "discriminator"].flatMap { network -> [String] in
                let description = model.network(network)!
                return (description.parameters + description.buffers).map { "\(network)/\($0.path)" }
            })
        }
        var entries: [Entry] = []
        for (name, blob) in blobs where names?.contains(name) ?? (name.hasPrefix("generator/") || name.hasPrefix("discriminator/")) {
            guard blob.elementType == "float32", blob.data.count == 4 * blob.shape.reduce(1, *) else {
                throw ReportError("checkpoint blob '\(name)' at step \(checkpoint.step) is not a float32 tensor of shape \(blob.shape); the checkpoint cannot be exported")
            }
            entries.append(Entry(name: name.replacingOccurrences(of: "/", with: "."), shape: blob.shape, bytes: blob.data))
        }
        if let names, entries.count != names.count {
            throw ReportError("the checkpoint at step \(checkpoint.step) lacks \(names.count - entries.count) of the tensors its model description names; it cannot be exported")
        }
        guard !entries.isEmpty else { throw ReportError("the checkpoint at step \(checkpoint.step) holds no network weights") }
        let configuration = RunConfiguration(json: run.configJson)
        var metadata = ["format": "pt", "ganpipe_run": run.name, "step": String(checkpoint.step), "objective": run.objective,
                        "activation": configuration.activation, "noise": "standard normal N(0, 1), noise_dimension values per sample",
                        "layout": "torch.nn.Sequential in the order of ganpipe_model's layers (nn.Linear weight [out, in], nn.Conv2d [out, in, k, k], nn.ConvTranspose2d [in, out, k, k]); the module file `ganpipe export --torch-module` writes rebuilds it"]
        let datasets = DatasetStore(database)
        if let dataset = try datasets.dataset(id: run.datasetId ?? -1), let shape = try datasets.sampleShape(of: dataset) {
            metadata["sample_shape"] = "[" + shape.map(String.init).joined(separator: ",") + "]"
        }
        if let dataset = try datasets.dataset(id: run.datasetId ?? -1), let encoding = try datasets.sampleEncoding(of: dataset) {
            // G(z) is in the units ganpipe trained on: the dataset's stored elements e read as
            // e × scale + offset. For integer pixels, the way back.
            metadata["sample_units"] = encoding.elementType == "float32" || encoding.elementType == "float64"
                ? "the values of dataset \(dataset.name) as stored (\(encoding.elementType))"
                : "dataset \(dataset.name) stores \(encoding.elementType) elements e as e × pixel_scale + pixel_offset; "
                  + "a sample x of G is the element round((x − pixel_offset) / pixel_scale), clipped to the type's range"
            metadata["pixel_scale"] = "\(encoding.scale)"
            metadata["pixel_offset"] = "\(encoding.offset)"
        }
        let keys: [ConfigurationKey] = [.noiseDimension, .leakySlope, .generatorDepth, .generatorWidth, .discriminatorDepth, .discriminatorWidth,
                                        .dataset, .seed, .architecture, .channels]
        for key in keys {
            if let value = configuration.text(key.rawValue) { metadata[key.rawValue] = value }
        }
        if let model { metadata["ganpipe_model"] = String(decoding: model.json(), as: UTF8.self) }
        return SafetensorsFile(entries: entries, metadata: metadata, model: model)
    }

    /// The file's bytes.
    public func encoded() -> Data {
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            parts.append("\"__metadata__\":{" + metadata.sorted { $0.key < $1.key }.map { "\(JSONText.quote($0.key)):\(JSONText.quote($0.value))" }.joined(separator: ",") + "}")
        }
        var offset = 0
        for entry in entries {
            let end = offset + entry.bytes.count
            parts.append("\(JSONText.quote(entry.name)):{\"dtype\":\"F32\",\"shape\":[\(entry.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Data(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var file = Data(capacity: 8 + headerBytes.count + offset)
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
        file.append(headerBytes)
        for entry in entries { file.append(entry.bytes) }
        return file
    }

    static func describe(_ steps: [Int]) -> String {
        guard !steps.isEmpty else { return "none" }
        return steps.count <= 12 ? steps.map(String.init).joined(separator: ", ")
            : steps.prefix(6).map(String.init).joined(separator: ", ") + ", …, " + steps.suffix(3).map(String.init).joined(separator: ", ")
    }
}
