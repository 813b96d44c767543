import GanNN
import GanSchema

/// The convolutional networks users know, as descriptions. Images are `[C, H, W]`; data stay
/// flat between stages, so each network reshapes its input and the generator flattens its
/// output. `normalization` goes after every hidden weight layer except a critic's first (as
/// in DCGAN); `spectral` instead normalises every weight of the network.
public enum ConvolutionalArchitecture {
    /// What a network needs to know to be built.
    public struct Options: Sendable {
        public var image: [Int]
        public var noise: Int
        /// D, the base channel count.
        public var channels: Int
        /// Convolutions of the critic (more than the architecture's own add 3×3 stride-1
        /// convolutions at its last resolution: deep critics for the Figure 1b experiment).
        public var criticConvolutions: Int
        public var generatorNormalization: Normalization
        public var discriminatorNormalization: Normalization
        /// The generator's last nonlinearity, matching the data's range (sigmoid for [0, 1]).
        public var output: Activation

        public init(image: [Int], noise: Int, channels: Int, criticConvolutions: Int,
                    generatorNormalization: Normalization, discriminatorNormalization: Normalization, output: Activation) {
            (self.image, self.noise, self.channels, self.criticConvolutions) = (image, noise, channels, criticConvolutions)
            (self.generatorNormalization, self.discriminatorNormalization, self.output) = (generatorNormalization, discriminatorNormalization, output)
        }
    }

    /// The architecture's own number of critic convolutions.
    public static func criticConvolutions(_ architecture: Architecture) -> Int {
        switch architecture {
        case .mlp: 0
        case .dcgan: 2
        case .wganGPMNIST: 3
        }
    }

    /// Both networks, or why the data do not fit the architecture.
    public static func model(_ architecture: Architecture, _ options: Options) throws -> ModelDescription {
        let (c, h, w, d) = (options.image[0], options.image[1], options.image[2], options.channels)
        guard options.criticConvolutions >= criticConvolutions(architecture) else {
            throw ModelError.unusable("\(architecture.rawValue) has \(criticConvolutions(architecture)) critic convolutions; discriminator_depth \(options.criticConvolutions) cannot remove any")
        }
        var g = Stack(normalization: options.generatorNormalization)
        var critic = Stack(normalization: options.discriminatorNormalization)
        switch architecture {
        case .mlp:
            throw ModelError.unusable("mlp is not a convolutional architecture")
        case .dcgan:
            guard h % 4 == 0, w % 4 == 0, h >= 4, w >= 4 else {
                throw ModelError.unusable("dcgan needs images whose height and width divide by 4, but the dataset's samples are \(c)×\(h)×\(w); use another architecture")
            }
            let (h4, w4) = (h / 4, w / 4)
            g.weight(.linear(options.noise, 2 * d * h4 * w4))
            g.add(.reshape([2 * d, h4, w4]))
            g.normalize(2 * d)
            g.add(.activation(.relu))
            g.weight(.convTranspose(2 * d, d, kernel: 4, stride: 2, padding: 1))
            g.normalize(d)
            g.add(.activation(.relu))
            g.weight(.convTranspose(d, c, kernel: 4, stride: 2, padding: 1))
            critic.add(.reshape([c, h, w]))
            critic.weight(.conv(c, d, kernel: 4, stride: 2, padding: 1))
            critic.add(.activation(.leakyRelu(slope: 0.2)))
            critic.weight(.conv(d, 2 * d, kernel: 4, stride: 2, padding: 1))
            critic.normalize(2 * d)
            critic.add(.activation(.leakyRelu(slope: 0.2)))
            critic.deepen(options.criticConvolutions - 2, channels: 2 * d, activation: .leakyRelu(slope: 0.2))
            critic.add(.reshape([2 * d * h4 * w4]))
            critic.weight(.linear(2 * d * h4 * w4, 1))
        case .wganGPMNIST:
            guard h == 28, w == 28 else {
                throw ModelError.unusable("wgan-gp-mnist is sized for 28×28 images, but the dataset's samples are \(c)×\(h)×\(w); use dcgan or mlp")
            }
            g.weight(.linear(options.noise, 4 * 4 * 4 * d))
            g.normalize(4 * 4 * 4 * d)
            g.add(.activation(.relu))
            g.add(.reshape([4 * d, 4, 4]))
            g.weight(.convTranspose(4 * d, 2 * d, kernel: 5))
            g.normalize(2 * d)
            g.add(.activation(.relu))
            g.add(.crop(height: 7, width: 7))
            g.weight(.convTranspose(2 * d, d, kernel: 5))
            g.normalize(d)
            g.add(.activation(.relu))
            g.weight(.convTranspose(d, c, kernel: 8, stride: 2))
            critic.add(.reshape([c, 28, 28]))
            critic.weight(.conv(c, d, kernel: 5, stride: 2, padding: 2))
            critic.add(.activation(.relu))
            critic.weight(.conv(d, 2 * d, kernel: 5, stride: 2, padding: 2))
            critic.normalize(2 * d)
            critic.add(.activation(.relu))
            critic.weight(.conv(2 * d, 4 * d, kernel: 5, stride: 2, padding: 2))
            critic.normalize(4 * d)
            critic.add(.activation(.relu))
            critic.deepen(options.criticConvolutions - 3, channels: 4 * d, activation: .relu)
            critic.add(.reshape([4 * 4 * 4 * d]))
            critic.weight(.linear(4 * 4 * 4 * d, 1))
        }
        if options.output != .identity { g.add(.activation(options.output)) }
        g.add(.reshape([c * h * w]))
        var generator = NetworkDescription(inputs: options.noise, layers: g.layers)
        var discriminator = NetworkDescription(inputs: c * h * w, layers: critic.layers)
        if architecture == .dcgan {
            generator.initialisation = Initialisation.dcgan.rawValue
            discriminator.initialisation = Initialisation.dcgan.rawValue
        }
        for (name, network) in [("generator", generator), ("discriminator", discriminator)] {
            if let problem = network.problem { throw ModelError.unusable("the \(name) of \(architecture.rawValue) is not usable: \(problem)") }
        }
        return ModelDescription(generator: generator, discriminator: discriminator)
    }

    /// Layers in order, with the network's normalisation applied where the architecture puts it.
    struct Stack {
        var normalization: Normalization
        var layers: [NetworkDescription.Layer] = []

        mutating func add(_ layer: NetworkDescription.Layer) { layers.append(layer) }

        mutating func weight(_ layer: NetworkDescription.Layer) {
            var layer = layer
            if normalization == .spectral { layer.spectral = true }
            layers.append(layer)
        }

        /// Batch norm over `channels` (axis 1), or layer norm over the whole sample.
        mutating func normalize(_ channels: Int) {
            switch normalization {
            case .batch: layers.append(.batchNorm(channels))
            case .layer: layers.append(.layerNorm)
            case .none, .spectral: break
            }
        }

        /// `count` more 3×3 stride-1 convolutions keeping the image's size.
        mutating func deepen(_ count: Int, channels: Int, activation: Activation) {
            for _ in 0..<max(0, count) {
                weight(.conv(channels, channels, kernel: 3, stride: 1, padding: 1))
                normalize(channels)
                add(.activation(activation))
            }
        }
    }
}
