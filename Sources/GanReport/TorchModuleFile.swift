import Foundation
import GanSchema

/// A small Python file that rebuilds a run's networks in PyTorch from their description and
/// loads an exported safetensors file into them (no package beyond torch: the file reads the
/// safetensors header itself). `nn.Sequential` index i is ganpipe's `layers.i`, so every tensor
/// loads under its exported name; a spectrally normalised layer is wrapped in
/// `torch.nn.utils.spectral_norm`, whose `weight_orig` is ganpipe's `weight` and whose
/// `weight_u`/`weight_v` are the saved estimate (used as is in eval mode, as ganpipe does).
public enum TorchModuleFile {
    /// The module file for `model`, naming `run` and `step` in its docstring.
    public static func source(model: ModelDescription, run: String, step: Int) -> String {
        var text = #"""
        """PyTorch networks of ganpipe run \#(literal(run)) at step \#(step), written by `ganpipe export`.

            import ganpipe_model
            G, D = ganpipe_model.load("FILE.safetensors")   # both in eval mode
            z = torch.randn(16, G.noise_dimension)
            samples = G(z)                                   # [16, features], flat like ganpipe's
            # a class-conditional run: G(z, y) and D(x, y) with y a LongTensor of classes
        """
        import json
        import struct

        import torch
        from torch import nn


        class View(nn.Module):
            """Each sample viewed with another shape (ganpipe's reshape layer)."""

            def __init__(self, *shape):
                super().__init__()
                self.shape = shape

            def forward(self, x):
                return x.reshape(x.shape[0], *self.shape)


        class Crop(nn.Module):
            """The top-left height × width of each image (ganpipe's crop layer)."""

            def __init__(self, height, width):
                super().__init__()
                self.height, self.width = height, width

            def forward(self, x):
                return x[:, :, :self.height, :self.width]


        class Network(nn.Module):
            """ganpipe's layers; a class-conditional network also has class_embedding, used as the
            generator's label input (E[y] appended to z) or the discriminator's projection
            (D(x, y) = last(φ(x)) + <E[y], φ(x)>, φ(x) the last layer's input)."""

            def __init__(self, noise_dimension, layers, spectral, conditioning=None):
                super().__init__()
                self.noise_dimension = noise_dimension
                self.layers = nn.Sequential(*layers)
                self.spectral = spectral  # indices of spectrally normalised layers
                self.conditioning = conditioning and conditioning["kind"]
                if conditioning:
                    embedding = nn.Embedding(conditioning["classes"], conditioning["features"])
                    self.class_embedding = spectral_norm(embedding) if conditioning["spectral"] else embedding
                    self.embedding_spectral = conditioning["spectral"]
                    self.classes = conditioning["classes"]

            def forward(self, x, y=None):
                if self.conditioning is None:
                    return self.layers(x)
                if self.conditioning == "embedding":
                    return self.layers(torch.cat([x, self.class_embedding(y)], dim=1))
                features = self.layers[:-1](x)
                return self.layers[-1](features) + (self.class_embedding(y) * features.flatten(1)).sum(1, keepdim=True)


        def spectral_norm(module, dim=0):
            return nn.utils.spectral_norm(module, dim=dim)



        """#
        for (name, network) in [("generator", model.generator), ("discriminator", model.discriminator)] {
            text += "def \(name)():\n    return Network(\(network.inputs), [\n"
            let shapes = (try? network.sampleShapes().get()) ?? []
            for (index, layer) in network.layers.enumerated() {
                let input = index == 0 ? [network.inputs] : (index - 1 < shapes.count ? shapes[index - 1] : [])
                text += "        \(module(layer, input: input)),  # layers.\(index)\n"
            }
            let spectral = network.layers.indices.filter { network.layers[$0].spectral == true }
            let conditioning = network.conditioning.map { c in
                ", conditioning={\"kind\": \"\(c.kind.rawValue)\", \"classes\": \(c.classes), \"features\": \(c.features), \"spectral\": \(c.spectral == true ? "True" : "False")}"
            } ?? ""
            text += "    ], spectral=\(spectral)\(conditioning))\n\n\n"
        }
        text += #"""
        def read_safetensors(path):
            """The tensors of a safetensors file (float32 only, as ganpipe writes them)."""
            with open(path, "rb") as file:
                length, = struct.unpack("<Q", file.read(8))
                header = json.loads(file.read(length))
                data = file.read()
            tensors = {}
            for name, entry in header.items():
                if name == "__metadata__":
                    continue
                begin, end = entry["data_offsets"]
                tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).reshape(entry["shape"])
            return tensors


        def load(path):
            """(generator, discriminator) with the file's weights, in eval mode."""
            tensors = read_safetensors(path)
            networks = []
            for name, build in (("generator", generator), ("discriminator", discriminator)):
                network = build()
                state = {key[len(name) + 1:]: value for key, value in tensors.items() if key.startswith(name + ".")}
                for index in network.spectral:
                    state[f"layers.{index}.weight_orig"] = state.pop(f"layers.{index}.weight")
                if getattr(network, "embedding_spectral", False):
                    state["class_embedding.weight_orig"] = state.pop("class_embedding.weight")
                network.load_state_dict(state)
                networks.append(network.eval())
            return tuple(networks)

        """#
        return text
    }

    /// The PyTorch module of one layer, given the shape of one input sample.
    static func module(_ layer: NetworkDescription.Layer, input: [Int]) -> String {
        let made: String
        switch layer.kind {
        case .linear: made = "nn.Linear(\(layer.inputs ?? 0), \(layer.outputs ?? 0))"
        case .conv:
            made = "nn.Conv2d(\(layer.inputs ?? 0), \(layer.outputs ?? 0), \(layer.kernel ?? 1), stride=\(layer.stride ?? 1), padding=\(layer.padding ?? 0))"
        case .convTranspose:
            made = "nn.ConvTranspose2d(\(layer.inputs ?? 0), \(layer.outputs ?? 0), \(layer.kernel ?? 1), stride=\(layer.stride ?? 1), "
                + "padding=\(layer.padding ?? 0), output_padding=\(layer.outputPadding ?? 0))"
        case .batchNorm: made = "nn.BatchNorm\(input.count == 1 ? 1 : 2)d(\(layer.channels ?? 0))"
        case .layerNorm: made = "nn.LayerNorm(\(python(input)))"
        case .reshape: made = "View(\((layer.shape ?? []).map(String.init).joined(separator: ", ")))"
        case .crop: made = "Crop(\(layer.height ?? 0), \(layer.width ?? 0))"
        case .relu: made = "nn.ReLU()"
        case .leakyRelu: made = "nn.LeakyReLU(\(layer.slope ?? 0.2))"
        case .tanh: made = "nn.Tanh()"
        case .sigmoid: made = "nn.Sigmoid()"
        case .identity: made = "nn.Identity()"
        }
        guard layer.spectral == true else { return made }
        return layer.kind == .convTranspose ? "spectral_norm(\(made), dim=1)" : "spectral_norm(\(made))"
    }

    static func python(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    /// A Python string literal.
    static func literal(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
