/// Networks written by hand as text, one layer per comma-separated item, in the words `summary`
/// prints: `conv 64 k5 s2 p2, leaky-relu 0.2, conv 128 k5 s2 p2 sn, layer-norm, relu, linear 1`.
///
/// - `linear N`; `conv N kK [sS] [pP]`; `conv-transpose N kK [sS] [pP] [opQ]` — N output
///   features or channels; a trailing `sn` normalises the weight spectrally;
/// - `batch-norm`, `layer-norm`; `reshape 1x28x28` (or `1×28×28`); `crop 7x7`;
/// - `relu`, `leaky-relu [slope]` (also `leaky-relu(0.2)`), `tanh`, `sigmoid`, `identity`.
///
/// Input sizes come from the layer before, so only outputs are written. An image network's
/// reshapes at the ends may be left out: `layers(parsing:inputs:image:)` views a flat input as
/// the data's image before a first convolution, and flattens an image output.
extension NetworkDescription {
    /// The text's layers for a network whose input is `inputs` values (`image`, the data's
    /// `[C, H, W]`, when the network takes or makes images). Throws `ShapeProblem` naming the
    /// item that cannot be read or does not fit.
    public static func parsing(_ text: String, inputs: Int, image: [Int]?, outputs: Int? = nil) throws -> NetworkDescription {
        let items = try syntax(text)
        var layers: [Layer] = []
        var shape = [inputs]
        if let first = items.first, first.kind == .conv || first.kind == .convTranspose, let image, CheckedSize.product(image) == inputs {
            layers.append(.reshape(image))
            shape = image
        }
        for item in items {
            var layer = item
            switch layer.kind {
            case .linear:
                guard shape.count == 1 else { throw ShapeProblem("'\(item.token)' follows an image of \(describe(shape)); flatten it first with reshape \(CheckedSize.product(shape) ?? 0)") }
                layer.inputs = shape[0]
            case .conv, .convTranspose:
                guard shape.count == 3 else { throw ShapeProblem("'\(item.token)' needs an image but gets \(describe(shape)); add a reshape such as reshape 1x28x28 before it") }
                layer.inputs = shape[0]
            case .batchNorm: layer.channels = shape[0]
            default: break
            }
            layers.append(layer)
            let partial = NetworkDescription(inputs: inputs, layers: layers)
            switch partial.sampleShapes() {
            case .success(let shapes): shape = shapes.last ?? shape
            case .failure(let problem): throw problem
            }
        }
        if let outputs, shape.count > 1, CheckedSize.product(shape) == outputs { layers.append(.reshape([outputs])) }
        return NetworkDescription(inputs: inputs, layers: layers)
    }

    /// The layers of `text` with their own fields only (no input sizes): for checking the
    /// words before any data is known.
    public static func syntax(_ text: String) throws -> [Layer] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard items.contains(where: { !$0.isEmpty }) else { throw ShapeProblem("lists no layers; write them as 'conv 64 k5 s2 p2, relu, …'") }
        guard items.allSatisfy({ !$0.isEmpty }) else { throw ShapeProblem("has an empty item between commas; write one layer per item") }
        return try items.map(layer(from:))
    }

    static func layer(from item: String) throws -> Layer {
        var words = item.replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " ")
            .split(separator: " ").map(String.init)
        let name = words.removeFirst().lowercased()
        let spectral = words.last?.lowercased() == "sn"
        if spectral { words.removeLast() }
        func fail(_ why: String) -> ShapeProblem { ShapeProblem("'\(item)' \(why)") }
        func size(_ word: String) throws -> Int {
            guard let value = Int(word), value >= 1, value <= largestSize else { throw fail("has '\(word)' where a size from 1 to \(largestSize) belongs") }
            return value
        }
        func dimensions(_ word: String) throws -> [Int] {
            try word.replacingOccurrences(of: "×", with: "x").split(separator: "x").map { try size(String($0)) }
        }
        var layer: Layer
        switch name {
        case "linear", "conv", "conv-transpose":
            guard let count = words.first else { throw fail("needs its output size, e.g. '\(name) 64'") }
            let outputs = try size(count)
            if name == "linear" {
                guard words.count == 1 else { throw fail("takes only its output size") }
                layer = .linear(0, outputs)
            } else {
                var options: [String: Int] = [:]
                for word in words.dropFirst() {
                    let key = word.prefix { $0.isLetter }.lowercased()
                    guard ["k", "s", "p", "op"].contains(key), options[key] == nil, let value = Int(word.dropFirst(key.count)),
                          value >= (key == "k" || key == "s" ? 1 : 0), value <= largestSize else {
                        throw fail("has '\(word)'; write kK, sS, pP and (transposed) opQ, e.g. k5 s2 p2")
                    }
                    options[key] = value
                }
                guard let kernel = options["k"] else { throw fail("needs a kernel size, e.g. k5") }
                layer = name == "conv"
                    ? .conv(0, outputs, kernel: kernel, stride: options["s"] ?? 1, padding: options["p"] ?? 0)
                    : .convTranspose(0, outputs, kernel: kernel, stride: options["s"] ?? 1, padding: options["p"] ?? 0, outputPadding: options["op"] ?? 0)
                if name == "conv", options["op"] != nil { throw fail("has an output padding, which only conv-transpose takes") }
            }
            if spectral { layer.spectral = true }
            return layer
        case "reshape", "crop":
            guard words.count == 1 else { throw fail(name == "crop" ? "needs one size such as 7x7" : "needs one shape such as 1x28x28") }
            let shape = try dimensions(words[0])
            if name == "reshape" { layer = .reshape(shape) } else {
                guard shape.count == 2 else { throw fail("needs a height and a width such as 7x7") }
                layer = .crop(height: shape[0], width: shape[1])
            }
        case "batch-norm": layer = .batchNorm(0)
        case "layer-norm": layer = .layerNorm
        case "leaky-relu":
            guard words.count <= 1, let slope = words.isEmpty ? 0.2 : Float(words[0]), slope >= 0, slope < 1 else {
                throw fail("takes one slope in [0, 1), e.g. leaky-relu 0.2")
            }
            layer = Layer(kind: .leakyRelu, slope: slope)
        default:
            guard let kind = Layer.Kind(rawValue: name), Layer(kind: kind).isActivation else {
                throw fail("is not a layer; use linear, conv, conv-transpose, batch-norm, layer-norm, reshape, crop, relu, leaky-relu, tanh, sigmoid or identity")
            }
            layer = Layer(kind: kind)
        }
        guard !spectral else { throw fail("cannot be spectrally normalised; only linear and convolution layers have weights") }
        if layer.kind != .leakyRelu, layer.isActivation || layer.kind == .batchNorm || layer.kind == .layerNorm, !words.isEmpty {
            throw fail("takes no sizes")
        }
        return layer
    }
}
