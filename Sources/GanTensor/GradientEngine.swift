/// Reverse-mode differentiation over the recorded graph (see AUTODIFF.md).
///
/// 1. Collect every tensor reachable from the output through recorded nodes, in topological
///    order (inputs before results), with an explicit stack (deep graphs do not recurse). Each
///    tensor notes its position in its own `engineSlot` for the walk, so the bookkeeping below
///    is arrays indexed by position rather than dictionaries keyed by identity (hashing was
///    3–5% of a small step); the slots are reset when the walk ends.
/// 2. Mark the tensors from which a target is reachable; only those get gradients, and a rule
///    is told which of its inputs need one (a matmul skips the weight product when only ∂x is
///    wanted, as in the first half of the gradient penalty).
/// 3. Walk the order backwards: take the result's accumulated gradient, run the node's rule,
///    add each input's share into that input's entry (fan-out accumulates), and drop the
///    result's entry as soon as it is consumed unless it is a target.
///
/// With `createGraph: false` all of this runs with tracking disabled, so no node is created
/// and the rules' temporaries are freed as the walk goes. With `createGraph: true` the rules
/// run with tracking on: the returned gradients carry their own graph, which reaches back
/// into the forward graph through the saved inputs and outputs, and can be differentiated.
enum GradientEngine {
    /// Gradients of `output` (seeded with `seed`, ones for a scalar by default) for `targets`
    /// (by identity), or for every leaf that requires a gradient when `targets` is nil.
    static func run(output: Tensor, seed: Tensor?, targets: [Tensor]?,
                    createGraph: Bool) -> [(tensor: Tensor, gradient: Tensor)] {
        guard output.requiresGradient else { return [] }
        let seed = seed ?? {
            checkPrecondition(output.count == 1,
                         "gradients: output of shape \(output.shape) is not a scalar; pass a seed of that shape")
            return Tensor.ones(output.shape)
        }()
        checkPrecondition(seed.shape == output.shape,
                     "gradients: seed shape \(seed.shape) differs from output shape \(output.shape)")
        return GradientMode.withGradients(enabled: createGraph) {
            propagate(output: output, seed: seed, targets: targets)
        }
    }

    private static func propagate(output: Tensor, seed: Tensor,
                                  targets: [Tensor]?) -> [(tensor: Tensor, gradient: Tensor)] {
        let order = topologicalOrder(from: output)
        defer { for tensor in order { tensor.engineSlot = Tensor.notVisited } }
        // Everything below is indexed by position in `order` (`engineSlot`), not hashed.
        var isTarget = [Bool](repeating: false, count: order.count)
        if let targets {
            for target in targets where target.engineSlot >= 0 { isTarget[target.engineSlot] = true }
        } else {
            for (position, tensor) in order.enumerated() { isTarget[position] = tensor.isLeaf && tensor.requiresGradient }
        }
        var needed = isTarget
        for (position, tensor) in order.enumerated() where !needed[position] {
            needed[position] = tensor.node?.inputs.contains { needed[$0.engineSlot] } ?? false
        }
        var gradients = [Tensor?](repeating: nil, count: order.count)
        gradients[order.count - 1] = seed  // the output comes last in the order
        for position in order.indices.reversed() {
            guard let node = order[position].node, needed[position], let gradient = gradients[position] else { continue }
            if !isTarget[position] { gradients[position] = nil }
            let inputs = node.inputs
            let mask = InputMask(count: inputs.count) { inputs[$0].requiresGradient && needed[inputs[$0].engineSlot] }
            guard !mask.isEmpty else { continue }
            let shares = node.rule(GradientContext(gradient: gradient, inputs: inputs,
                                                   output: order[position], needsGradient: mask))
            checkPrecondition(shares.count == inputs.count, "gradient rule of \(node.operation) returned \(shares.count) gradients for \(inputs.count) inputs")
            for (i, input) in inputs.enumerated() where mask[i] {
                guard let share = shares[i] else { continue }
                checkPrecondition(share.shape == input.shape,
                             "gradient rule of \(node.operation): gradient shape \(share.shape) for input \(input.shape)")
                let slot = input.engineSlot
                gradients[slot] = gradients[slot].map { $0 + share } ?? share
            }
        }
        return order.indices.compactMap { position in
            guard isTarget[position], let gradient = gradients[position] else { return nil }
            return (order[position], gradient)
        }
    }

    /// Tensors reachable from `output` through recorded nodes, each input before its results.
    /// Sets each one's `engineSlot` to its position; the caller resets them to `notVisited`.
    private static func topologicalOrder(from output: Tensor) -> [Tensor] {
        var order: [Tensor] = []
        output.engineSlot = Tensor.onStack
        var stack: [(tensor: Tensor, nextInput: Int)] = [(output, 0)]
        while let (tensor, nextInput) = stack.last {
            let inputs = tensor.node?.inputs ?? []
            if nextInput < inputs.count {
                stack[stack.count - 1].nextInput += 1
                let input = inputs[nextInput]
                if input.engineSlot == Tensor.notVisited {
                    input.engineSlot = Tensor.onStack
                    stack.append((input, 0))
                }
            } else {
                tensor.engineSlot = order.count
                order.append(tensor)
                stack.removeLast()
            }
        }
        return order
    }
}
