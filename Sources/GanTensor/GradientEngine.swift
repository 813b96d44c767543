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
        let order = topologicalOrder(from: output)
        let targetIDs = targets.map { Set($0.map(ObjectIdentifier.init)) }
        func isTarget(_ t: Tensor) -> Bool {
            if let targetIDs { return targetIDs.contains(ObjectIdentifier(t)) }
            return t.isLeaf && t.requiresGradient
        }
        var needed: [ObjectIdentifier: Bool] = [:]
        needed.reserveCapacity(order.count)
        for t in order {
            needed[ObjectIdentifier(t)] = isTarget(t)
                || (t.node?.inputs.contains { needed[ObjectIdentifier($0)] == true } ?? false)
        }
        var gradients: [ObjectIdentifier: Tensor] = [ObjectIdentifier(output): seed]
        for t in order.reversed() {
            let id = ObjectIdentifier(t)
            guard let node = t.node, needed[id] == true else { continue }
            guard let gradient = isTarget(t) ? gradients[id] : gradients.removeValue(forKey: id) else { continue }
            let mask = node.inputs.map { $0.requiresGradient && needed[ObjectIdentifier($0)] == true }
            guard mask.contains(true) else { continue }
            let shares = node.rule(GradientContext(gradient: gradient, inputs: node.inputs,
                                                   output: t, needsGradient: mask))
            checkPrecondition(shares.count == node.inputs.count, "gradient rule of \(node.operation) returned \(shares.count) gradients for \(node.inputs.count) inputs")
            for (i, input) in node.inputs.enumerated() where mask[i] {
                guard let share = shares[i] else { continue }
                checkPrecondition(share.shape == input.shape,
                             "gradient rule of \(node.operation): gradient shape \(share.shape) for input \(input.shape)")
                let key = ObjectIdentifier(input)
                if let existing = gradients[key] {
                    gradients[key] = existing + share
                } else {
                    gradients[key] = share
                }
            }
        }
        return order.compactMap { t in
            guard isTarget(t), let gradient = gradients[ObjectIdentifier(t)] else { return nil }
            return (t, gradient)
        }
    }

    /// Tensors reachable from `output` through recorded nodes, each input before its results.
    static func topologicalOrder(from output: Tensor) -> [Tensor] {
        var order: [Tensor] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(output)]
        var stack: [(tensor: Tensor, nextInput: Int)] = [(output, 0)]
        while let (tensor, nextInput) = stack.last {
            let inputs = tensor.node?.inputs ?? []
            if nextInput < inputs.count {
                stack[stack.count - 1].nextInput += 1
                let input = inputs[nextInput]
                if visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                order.append(tensor)
                stack.removeLast()
            }
        }
        return order
    }
}
