import Foundation
import GanModels
import GanSchema
import GanNN
import GanStore
import GanTensor

/// The training state ↔ checkpoint blobs codec: the one place where the trainer's tensors
/// become bytes. Blob names:
/// - `generator/PATH`, `discriminator/PATH`: weights and saved state (running statistics,
///   spectral-norm vectors), float32 little-endian, PyTorch names and layouts;
/// - `optimizer/generator/PATH/BUFFER`, `optimizer/discriminator/PATH/BUFFER`: moments;
/// - `state`: JSON with the step, optimizer step counts, random streams, data cursor and
///   gradient-health counters;
/// - `model`: JSON, the networks' description (`ModelDescription`), which names the rest.
extension TrainingSession {
    struct SavedState: Codable, Equatable {
        var step: Int
        var generatorOptimizer: OptimizerHeader
        var discriminatorOptimizer: OptimizerHeader
        var noiseStream: PhiloxGenerator
        var interpolationStream: PhiloxGenerator
        var cursor: DataSampler.Cursor
        var health: GradientHealth
    }

    struct OptimizerHeader: Codable, Equatable {
        var kind: String
        var stepCount: Int
    }

    /// Every blob of the current state.
    public func checkpoint() -> [CheckpointBlob] {
        var blobs: [CheckpointBlob] = []
        for (network, module) in [("generator", generator), ("discriminator", discriminator)] {
            for (path, tensor) in module.namedParameters + module.namedBuffers {
                blobs.append(CheckpointBlob.float32("\(network)/\(path)", shape: tensor.shape, values: tensor.scalars))
            }
        }
        let generatorState = generatorOptimizer.exportState()
        let discriminatorState = discriminatorOptimizer.exportState()
        for (network, state) in [("generator", generatorState), ("discriminator", discriminatorState)] {
            for (name, values) in state.buffers.sorted(by: { $0.key < $1.key }) {
                blobs.append(CheckpointBlob.float32("optimizer/\(network)/\(name)", shape: [values.count], values: values))
            }
        }
        let saved = SavedState(
            step: step,
            generatorOptimizer: OptimizerHeader(kind: generatorState.kind, stepCount: generatorState.stepCount),
            discriminatorOptimizer: OptimizerHeader(kind: discriminatorState.kind, stepCount: discriminatorState.stepCount),
            noiseStream: noiseStream, interpolationStream: interpolationStream, cursor: sampler.cursor, health: health)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        blobs.append(CheckpointBlob(name: "state", elementType: "json", shape: [], data: try! encoder.encode(saved)))
        blobs.append(CheckpointBlob(name: ModelDescription.blobName, elementType: "json", shape: [], data: model.json()))
        return blobs
    }

    /// Restores the state saved by `checkpoint()`. Throws, changing nothing it has not
    /// checked, when a blob is missing or does not fit this run's networks.
    public func restore(from blobs: [String: CheckpointBlob]) throws {
        guard let stateBlob = blobs["state"],
              let saved = try? JSONDecoder().decode(SavedState.self, from: stateBlob.data) else {
            throw TrainerError.checkpointMismatch("its state record is missing or unreadable")
        }
        // Checkpoints written before descriptions were stored have none: their networks are
        // the ones the configuration describes.
        if let stored = blobs[ModelDescription.blobName] {
            guard let description = try? ModelDescription.decode(stored.data), description == model else {
                throw TrainerError.checkpointMismatch("its model description differs from the run's networks (\(model.generator.summary); \(model.discriminator.summary))")
            }
        }
        var assignments: [(Tensor, [Float])] = []
        for (network, module) in [("generator", generator), ("discriminator", discriminator)] {
            for (path, tensor) in module.namedParameters + module.namedBuffers {
                let name = "\(network)/\(path)"
                guard let blob = blobs[name], blob.shape == tensor.shape, let values = blob.floats, values.count == tensor.count else {
                    throw TrainerError.checkpointMismatch("\(name) is missing or has another shape than \(tensor.shape)")
                }
                assignments.append((tensor, values))
            }
        }
        var optimizerStates: [OptimizerState] = []
        for (network, header) in [("generator", saved.generatorOptimizer), ("discriminator", saved.discriminatorOptimizer)] {
            let prefix = "optimizer/\(network)/"
            var buffers: [String: [Float]] = [:]
            for (name, blob) in blobs where name.hasPrefix(prefix) {
                guard let values = blob.floats else { throw TrainerError.checkpointMismatch("\(name) is not float32") }
                buffers[String(name.dropFirst(prefix.count))] = values
            }
            optimizerStates.append(OptimizerState(kind: header.kind, stepCount: header.stepCount, buffers: buffers))
        }
        do {
            try generatorOptimizer.importState(optimizerStates[0])
            try discriminatorOptimizer.importState(optimizerStates[1])
        } catch {
            throw TrainerError.checkpointMismatch("\(error)")
        }
        for (tensor, values) in assignments { try! tensor.assign(scalars: values) }
        step = saved.step
        noiseStream = saved.noiseStream
        interpolationStream = saved.interpolationStream
        sampler = DataSampler(samples: sampler.samples, count: sampler.count, features: sampler.features,
                              generator: Self.dataOrderGenerator(specification), cursor: saved.cursor)
        health = saved.health
    }
}
