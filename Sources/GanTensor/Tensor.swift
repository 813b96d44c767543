/// An n-dimensional array of Float32 in row-major order, and a node of the autodiff graph.
///
/// A tensor is a reference type: a leaf created with `requiresGradient = true` is the thing
/// `backward()` accumulates into (`gradient`), like a PyTorch parameter. Every operation returns
/// a new tensor; when gradient tracking is on (see `GradientMode`) and an input requires a
/// gradient, the result remembers its inputs and a backward rule written in tensor operations,
/// so gradients can be differentiated again (the WGAN-GP penalty, arXiv 1704.00028).
///
/// Shapes are `[Int]`, outermost first; `[]` is a scalar. Binary operations broadcast as numpy
/// does (align trailing dimensions; a dimension of 1 stretches). A shape mismatch in an
/// operation is a programmer mistake and stops with a precondition naming both shapes.
public final class Tensor {
    /// Dimensions, outermost first. `[]` for a scalar.
    public let shape: [Int]
    /// The scalars, row-major. Shared (not copied) by `reshaped` and `detached()`.
    public let storage: TensorStorage
    /// The operation that produced this tensor, when it was recorded for differentiation.
    let node: GradientNode?
    private var leafRequiresGradient: Bool
    /// Accumulated by `backward()` on leaves that require a gradient; `nil` until then.
    /// Set it to `nil` (or call `zeroGradient()`) between optimizer steps.
    public var gradient: Tensor?
    /// This tensor's position in the order of the gradient walk under way (`GradientEngine`),
    /// `onStack` while the walk is collecting it, `notVisited` outside a walk. A tensor is not
    /// `Sendable`, so no two threads' walks can meet here.
    var engineSlot = Tensor.notVisited
    static let notVisited = -1
    static let onStack = -2

    /// Wraps `storage` (whose count must match `shape`) as a leaf tensor.
    public init(shape: [Int], storage: TensorStorage, requiresGradient: Bool = false) {
        checkPrecondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        checkPrecondition(Tensor.elementCount(shape) == storage.count,
                     "Tensor: shape \(shape) needs \(Tensor.elementCount(shape)) scalars, storage has \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.node = nil
        self.leafRequiresGradient = requiresGradient
    }

    /// The result of a recorded operation (internal: built by `Tensor.record`).
    init(shape: [Int], storage: TensorStorage, node: GradientNode?) {
        self.shape = shape
        self.storage = storage
        self.node = node
        self.leafRequiresGradient = false
    }

    /// Whether gradients flow to this tensor. Settable on leaves only (tensors not produced by a
    /// recorded operation); a recorded result requires a gradient because an input does.
    public var requiresGradient: Bool {
        get { node != nil || leafRequiresGradient }
        set {
            checkPrecondition(node == nil, "requiresGradient can only be set on a leaf tensor")
            leafRequiresGradient = newValue
        }
    }

    /// True when this tensor was not produced by a recorded operation.
    public var isLeaf: Bool { node == nil }

    /// Number of scalars (product of the shape; 1 for a scalar).
    @inlinable public var count: Int { storage.count }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// A copy of the scalars, row-major.
    public var scalars: [Float] { Array(storage.buffer) }

    /// The single scalar of a one-element tensor.
    public var scalar: Float {
        checkPrecondition(count == 1, "Tensor.scalar needs exactly one element, shape is \(shape)")
        return storage.pointer[0]
    }

    /// The same scalars (shared storage) as a leaf that is cut from the graph and requires no
    /// gradient: `y.detached()` stops gradients, like PyTorch's `detach()`.
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage, requiresGradient: false)
    }

    /// A deep copy of the scalars as a new leaf (no graph, no gradient).
    public func copied() -> Tensor {
        Tensor(shape: shape, storage: storage.copy())
    }

    /// Resets the accumulated gradient.
    public func zeroGradient() {
        gradient = nil
    }

    /// Product of the dimensions of `shape`.
    @inlinable
    public static func elementCount(_ shape: [Int]) -> Int {
        shape.reduce(1, *)
    }

    /// Read access to the scalars for code outside the module (codecs, metrics).
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) { try body(storage.buffer) }
    }

    /// Records `storage` as the result of an operation on its inputs. The node is attached only
    /// when some input requires a gradient and gradient tracking is enabled; `rule` maps the
    /// gradient of the result to the gradients of the inputs, in tensor operations.
    ///
    /// The inputs come one by one and the rule as an autoclosure, so an operation that records
    /// nothing (tracking off, as in a `createGraph: false` backward pass or the optimizer, or no
    /// input requiring a gradient) allocates neither the inputs array nor the rule's context:
    /// that was two of the five or six objects of every such operation.
    @inline(__always)
    static func record(_ operation: StaticString, shape: [Int], storage: TensorStorage,
                       inputs a: Tensor, rule: @autoclosure () -> GradientRule) -> Tensor {
        guard a.requiresGradient && GradientMode.isEnabled else { return Tensor(shape: shape, storage: storage, node: nil) }
        return Tensor(shape: shape, storage: storage, node: GradientNode(operation: operation, inputs: [a], rule: rule()))
    }

    @inline(__always)
    static func record(_ operation: StaticString, shape: [Int], storage: TensorStorage,
                       inputs a: Tensor, _ b: Tensor, rule: @autoclosure () -> GradientRule) -> Tensor {
        guard (a.requiresGradient || b.requiresGradient) && GradientMode.isEnabled else {
            return Tensor(shape: shape, storage: storage, node: nil)
        }
        return Tensor(shape: shape, storage: storage, node: GradientNode(operation: operation, inputs: [a, b], rule: rule()))
    }

    @inline(__always)
    static func record(_ operation: StaticString, shape: [Int], storage: TensorStorage,
                       inputs a: Tensor, _ b: Tensor, _ c: Tensor, rule: @autoclosure () -> GradientRule) -> Tensor {
        guard (a.requiresGradient || b.requiresGradient || c.requiresGradient) && GradientMode.isEnabled else {
            return Tensor(shape: shape, storage: storage, node: nil)
        }
        return Tensor(shape: shape, storage: storage, node: GradientNode(operation: operation, inputs: [a, b, c], rule: rule()))
    }

    /// The same for an operation with any number of inputs (concat).
    @inline(__always)
    static func record(_ operation: StaticString, shape: [Int], storage: TensorStorage,
                       inputs: [Tensor], rule: @autoclosure () -> GradientRule) -> Tensor {
        guard inputs.contains(where: { $0.requiresGradient }) && GradientMode.isEnabled else {
            return Tensor(shape: shape, storage: storage, node: nil)
        }
        return Tensor(shape: shape, storage: storage, node: GradientNode(operation: operation, inputs: inputs, rule: rule()))
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        let more = count > 8 ? ", … (\(count) scalars)" : ""
        let grad = requiresGradient ? ", requiresGradient" : ""
        return "Tensor(shape: \(shape), [\(shown)\(more)]\(grad))"
    }
}
