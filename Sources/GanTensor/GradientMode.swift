/// Whether operations record the autodiff graph, per task (or per thread outside tasks).
///
/// A `@TaskLocal`, so it is safe under Swift 6 strict concurrency: no global mutable state, and
/// a scope set in one task never leaks into another. Inside `withGradientsDisabled` operations
/// compute values only (the optimizer step, evaluation, the `createGraph: false` backward pass).
///
///     let samples = GradientMode.withGradientsDisabled { generator(noise) }   // no graph
public enum GradientMode {
    /// True (the default) when operations record their inputs and backward rules.
    @TaskLocal public static var isEnabled: Bool = true

    /// Runs `body` with gradient tracking off (PyTorch's `torch.no_grad()`).
    public static func withGradientsDisabled<R>(_ body: () throws -> R) rethrows -> R {
        try $isEnabled.withValue(false, operation: body)
    }

    /// Runs `body` with gradient tracking set to `enabled`.
    public static func withGradients<R>(enabled: Bool, _ body: () throws -> R) rethrows -> R {
        try $isEnabled.withValue(enabled, operation: body)
    }

    /// Async form of `withGradientsDisabled`.
    public static func withGradientsDisabled<R>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R
    ) async rethrows -> R {
        try await $isEnabled.withValue(false, operation: body)
    }
}

/// Maps the gradient of an operation's result to the gradients of its inputs.
///
/// Rules are written in tensor operations. Under `createGraph: true` they run with tracking on,
/// so their results are themselves differentiable; otherwise they run inside
/// `withGradientsDisabled` and build nothing. A rule returns `nil` for an input whose gradient
/// is not needed (`needsGradient[i] == false`) or is identically zero.
typealias GradientRule = (_ context: GradientContext) -> [Tensor?]

/// What a backward rule sees: the incoming gradient (shape of the output), the inputs, the
/// output itself (so `exp`, `tanh`, `sigmoid`, `sqrt` reuse it, and since the output keeps its
/// own node, the rule stays differentiable), and which inputs need a gradient.
struct GradientContext {
    let gradient: Tensor
    let inputs: [Tensor]
    let output: Tensor
    let needsGradient: InputMask
}

/// Which inputs of an operation need a gradient: bits for the first 64 inputs (every operation
/// but a concat of many tensors), so the gradient walk builds no array per operation.
struct InputMask {
    private var low: UInt64 = 0
    private var high: [Bool] = []  // inputs from the 65th on

    init(count: Int, _ isNeeded: (Int) -> Bool) {
        for i in 0..<count {
            if i < 64 {
                if isNeeded(i) { low |= 1 << UInt64(i) }
            } else {
                high.append(isNeeded(i))
            }
        }
    }

    subscript(input: Int) -> Bool {
        input < 64 ? low >> UInt64(input) & 1 == 1 : high[input - 64]
    }

    /// True when no input needs a gradient.
    var isEmpty: Bool { low == 0 && !high.contains(true) }
}

/// One recorded operation: its inputs (held strongly) and its backward rule.
///
/// Ownership runs one way only — result → node → inputs — and a rule receives the result as an
/// argument instead of capturing it, so the graph has no cycles: it is freed by ARC as soon as
/// the last tensor that reaches it (usually the loss) is released.
final class GradientNode {
    let operation: StaticString
    let inputs: [Tensor]
    let rule: GradientRule

    init(operation: StaticString, inputs: [Tensor], rule: @escaping GradientRule) {
        self.operation = operation
        self.inputs = inputs
        self.rule = rule
    }
}
