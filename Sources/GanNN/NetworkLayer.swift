import GanTensor

/// Whether a forward pass trains (batch statistics, which also update running statistics) or
/// infers (running statistics), as PyTorch's `train()`/`eval()`.
public enum ForwardMode: Sendable {
    case training, inference
}

/// One layer of a `Sequential` network. Trainable tensors and saved state (running statistics,
/// a power-iteration vector) are named relative to the layer, as in PyTorch's `state_dict`
/// (`weight`, `bias`, `running_mean`, `weight_u`).
public protocol NetworkLayer: AnyObject {
    var namedParameters: [(path: String, tensor: Tensor)] { get }
    /// State that is not trained by gradients but must be saved to resume exactly.
    var namedBuffers: [(path: String, tensor: Tensor)] { get }
    func forward(_ x: Tensor, mode: ForwardMode) -> Tensor
}

extension NetworkLayer {
    public var namedParameters: [(path: String, tensor: Tensor)] { [] }
    public var namedBuffers: [(path: String, tensor: Tensor)] { [] }
}

/// An elementwise nonlinearity as a layer.
public final class ActivationLayer: NetworkLayer {
    public let activation: Activation
    public init(_ activation: Activation) { self.activation = activation }
    public func forward(_ x: Tensor, mode: ForwardMode) -> Tensor { activation(x) }
}

/// Views each sample with another shape (`[N, 784] → [N, 1, 28, 28]`, or back to flat):
/// PyTorch's `view(-1, …)`, sharing storage.
public final class Reshape: NetworkLayer {
    /// The shape of one sample after the layer.
    public let sampleShape: [Int]
    public init(_ sampleShape: [Int]) { self.sampleShape = sampleShape }
    public func forward(_ x: Tensor, mode: ForwardMode) -> Tensor { x.reshaped([x.shape[0]] + sampleShape) }
}

/// Keeps the top-left `height × width` of every image `[N, C, H, W]`: `x[:, :, :height, :width]`
/// (the WGAN-GP MNIST generator crops 8×8 to 7×7).
public final class Crop: NetworkLayer {
    public let height: Int, width: Int
    public init(height: Int, width: Int) { (self.height, self.width) = (height, width) }
    public func forward(_ x: Tensor, mode: ForwardMode) -> Tensor {
        x.slice(alongAxis: 2, 0..<height).slice(alongAxis: 3, 0..<width)
    }
}
