/// A per-layer metric key taken apart: `grad_norm/discriminator/layers.4.weight` is network
/// `discriminator`, module index 4, parameter `weight`; `activation_grad_norm/discriminator/layers.3`
/// is module index 3 with no parameter. Module indices follow PyTorch's `nn.Sequential` layout:
/// linear layers at even indices, activations at odd ones.
public struct LayerKey: Sendable, Hashable, Comparable {
    public enum Quantity: String, Sendable { case parameterGradient = "grad_norm", activationGradient = "activation_grad_norm" }

    public var quantity: Quantity
    public var network: String
    public var moduleIndex: Int
    /// `weight` or `bias`; nil for activation gradients.
    public var parameter: String?

    /// Parses `key`; nil for keys that are not per-layer.
    public init?(_ key: String) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let quantity = Quantity(rawValue: String(parts[0])) else { return nil }
        let path = parts[2].split(separator: ".")
        guard path.count >= 2, path[0] == "layers", let index = Int(path[1]) else { return nil }
        self.quantity = quantity
        self.network = String(parts[1])
        self.moduleIndex = index
        self.parameter = path.count >= 3 ? path[2...].joined(separator: ".") : nil
        if quantity == .parameterGradient && parameter == nil { return nil }
    }

    /// `layers.4.weight` or `layers.3`.
    public var path: String { "layers.\(moduleIndex)" + (parameter.map { ".\($0)" } ?? "") }

    /// The 1-based position among linear layers (`layers.0` → 1) or hidden outputs
    /// (`layers.1` → 1): depth counted from the input.
    public var depth: Int { moduleIndex / 2 + 1 }

    public var key: String { "\(quantity.rawValue)/\(network)/\(path)" }

    public static func < (lhs: LayerKey, rhs: LayerKey) -> Bool {
        (lhs.network, lhs.moduleIndex, lhs.parameter ?? "") < (rhs.network, rhs.moduleIndex, rhs.parameter ?? "")
    }
}
