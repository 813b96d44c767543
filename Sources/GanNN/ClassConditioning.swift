import GanTensor

/// How a class-conditional network takes its labels: a class embedding `E` (`[classes,
/// features]`, PyTorch's `nn.Embedding` layout, path `class_embedding.weight`) used either as
/// the generator's label input (`E[y]` appended to z) or as the projection discriminator's
/// (D(x, y) = ψ(φ(x)) + ⟨E[y], φ(x)⟩, Miyato & Koyama 2018). Labels come in as one-hot rows
/// `[batch, classes]`, so E[y] = onehot · E is a matrix product whose gradients (of every
/// order, for the gradient penalty) are the ones the tensor library already has.
public final class ClassConditioning {
    public enum Kind: Sendable {
        case embedding, projection
    }

    public let kind: Kind
    public let embedding: Tensor
    /// Set when the embedding is spectrally normalised (SN-GAN's projection discriminators).
    public var spectral: SpectralNormalization?

    public var classes: Int { embedding.shape[0] }

    public init(kind: Kind, embedding: Tensor) {
        precondition(embedding.rank == 2, "ClassConditioning: embedding must be [classes, features], got \(embedding.shape)")
        self.kind = kind
        self.embedding = embedding
    }

    /// The rows E[y] for one-hot `labels` `[batch, classes]`: `[batch, features]`.
    public func rows(_ labels: Tensor) -> Tensor {
        precondition(labels.rank == 2 && labels.shape[1] == classes, "ClassConditioning: labels \(labels.shape) are not one-hot rows of \(classes) classes")
        return Tensor.matmul(labels, spectral.map { $0.normalize(embedding) } ?? embedding)
    }

    /// One-hot rows `[count, classes]` for class numbers `labels` (each in 0..<classes).
    public static func oneHot(_ labels: [Int], classes: Int) -> Tensor {
        var values = [Float](repeating: 0, count: labels.count * classes)
        for (row, label) in labels.enumerated() {
            precondition((0..<classes).contains(label), "ClassConditioning: label \(label) is not one of \(classes) classes")
            values[row * classes + label] = 1
        }
        return Tensor(shape: [labels.count, classes], scalars: values)
    }
}
