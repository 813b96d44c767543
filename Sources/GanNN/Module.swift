import GanTensor

/// A network or a part of one, whose trainable tensors are named by dotted path
/// (`layers.2.weight`), as in PyTorch's `state_dict`. Optimizer state, checkpoints and per-layer
/// gradient metrics are all keyed by these paths.
public protocol Module: AnyObject {
    /// Every trainable tensor with its path, in a stable order.
    var namedParameters: [(path: String, tensor: Tensor)] { get }
}

extension Module {
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// The parameter at `path`, if the module has one.
    public func parameter(at path: String) -> Tensor? {
        namedParameters.first { $0.path == path }?.tensor
    }

    /// Drops every parameter's accumulated gradient.
    public func zeroGradients() {
        for (_, tensor) in namedParameters { tensor.gradient = nil }
    }

    /// Turns gradient tracking of every parameter on or off. Off is how a frozen network (the
    /// generator during discriminator steps) runs without recording weight gradients.
    public func setRequiresGradient(_ flag: Bool) {
        for (_, tensor) in namedParameters { tensor.requiresGradient = flag }
    }

    /// Number of trainable scalars.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.tensor.count } }
}
