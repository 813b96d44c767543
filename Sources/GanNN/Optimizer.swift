import GanTensor

/// Updates parameters from their gradients. State (moments, momentum buffers, the step count)
/// is keyed by parameter path, so it can be exported into a checkpoint and restored exactly.
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    /// Applies one update. `gradients[i]` belongs to `parameters[i]`; a nil gradient leaves
    /// that parameter (and its state) untouched, as PyTorch does for `grad is None`.
    func step(_ parameters: [(path: String, tensor: Tensor)], gradients: [Tensor?])
    func exportState() -> OptimizerState
    func importState(_ state: OptimizerState) throws(OptimizerStateError)
}

/// An optimizer's complete state: buffers named `PATH/NAME` (e.g. `layers.0.weight/m`) and
/// the number of steps taken.
public struct OptimizerState: Codable, Equatable, Sendable {
    public var kind: String
    public var stepCount: Int
    public var buffers: [String: [Float]]

    public init(kind: String, stepCount: Int, buffers: [String: [Float]]) {
        self.kind = kind
        self.stepCount = stepCount
        self.buffers = buffers
    }
}

/// Restoring state that does not fit the optimizer.
public enum OptimizerStateError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongKind(expected: String, found: String)

    public var description: String {
        switch self {
        case .wrongKind(let expected, let found):
            return "optimizer state is for \(found), not \(expected)"
        }
    }
}

/// Per-parameter buffers shared by the optimizers, created zero-filled on first use. They are
/// tensors so their storage never moves while a kernel writes it.
final class BufferSet {
    private var buffers: [String: Tensor] = [:]

    /// The buffer `name` of `path` with `count` scalars, and whether it was just created.
    func buffer(_ path: String, _ name: String, count: Int) -> (tensor: Tensor, isNew: Bool) {
        let key = "\(path)/\(name)"
        if let existing = buffers[key] { return (existing, false) }
        let created = Tensor.zeros([count])
        buffers[key] = created
        return (created, true)
    }

    func export() -> [String: [Float]] {
        buffers.mapValues(\.scalars)
    }

    func replace(with exported: [String: [Float]]) {
        buffers = exported.mapValues { Tensor(shape: [$0.count], scalars: $0) }
    }
}
