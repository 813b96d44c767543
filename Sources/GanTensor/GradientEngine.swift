/// Reverse-mode differentiation over the recorded graph (see AUTODIFF.md).
///
/// 1. Collect every tensor reachable from the output through recorded nodes, in topological
///    order (inputs before results), with an explicit stack (deep graphs do not recurse).
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
        // Everything below is indexed by position in `order`: one hash per edge, here, and none
        // in the walk (the small configuration spends a fifth of its step in graph bookkeeping).
        let (order, inputPositions) = topologicalOrder(from: output)
        let targetIDs = targets.map { Set($0.map(ObjectIdentifier.init)) }
        let isTarget = order.map { t in
            targetIDs.map { $0.contains(ObjectIdentifier(t)) } ?? (t.isLeaf && t.requiresGradient)
        }
        var needed = isTarget
        for index in order.indices where !needed[index] {
            needed[index] = inputPositions[index].contains { needed[$0] }
        }
        var gradients = [Tensor?](repeating: nil, count: order.count)
        gradients[order.count - 1] = seed
        for index in order.indices.reversed() {
            let t = order[index]
            guard let node = t.node, needed[index], let gradient = gradients[index] else { continue }
            if !isTarget[index] { gradients[index] = nil }
            let positions = inputPositions[index]
            let mask = zip(node.inputs, positions).map { input, position in input.requiresGradient && needed[position] }
            guard mask.contains(true) else { continue }
            let shares = node.rule(GradientContext(gradient: gradient, inputs: node.inputs,
                                                   output: t, needsGradient: mask))
            checkPrecondition(shares.count == node.inputs.count, "gradient rule of \(node.operation) returned \(shares.count) gradients for \(node.inputs.count) inputs")
            for (i, input) in node.inputs.enumerated() where mask[i] {
                guard let share = shares[i] else { continue }
                checkPrecondition(share.shape == input.shape,
                             "gradient rule of \(node.operation): gradient shape \(share.shape) for input \(input.shape)")
                let position = positions[i]
                gradients[position] = gradients[position].map { $0 + share } ?? share
            }
        }
        return order.indices.compactMap { index in
            guard isTarget[index], let gradient = gradients[index] else { return nil }
            return (order[index], gradient)
        }
    }

    /// Tensors reachable from `output` through recorded nodes, each input before its results
    /// (`output` last), and for each the positions of its node's inputs in that order.
    static func topologicalOrder(from output: Tensor) -> (order: [Tensor], inputPositions: [[Int]]) {
        var order: [Tensor] = []
        var position: [ObjectIdentifier: Int] = [ObjectIdentifier(output): -1]  // −1: on the stack
        var stack: [(tensor: Tensor, nextInput: Int)] = [(output, 0)]
        while let (tensor, nextInput) = stack.last {
            let inputs = tensor.node?.inputs ?? []
            if nextInput < inputs.count {
                stack[stack.count - 1].nextInput += 1
                let input = inputs[nextInput]
                if position[ObjectIdentifier(input)] == nil {
                    position[ObjectIdentifier(input)] = -1
                    stack.append((input, 0))
                }
            } else {
                position[ObjectIdentifier(tensor)] = order.count
                order.append(tensor)
                stack.removeLast()
            }
        }
        let inputPositions = order.map { t in (t.node?.inputs ?? []).map { position[ObjectIdentifier($0)]! } }
        return (order, inputPositions)
    }
}
