import ArgumentParser
import Foundation
import GanReport
import GanStore

/// `ganpipe export RUN [--step S] --to FILE.safetensors`: a checkpoint's generator and
/// discriminator weights in the safetensors format with PyTorch names
/// (`generator.layers.0.weight`, `[out, in]` as `nn.Linear` stores it).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a checkpoint's weights as safetensors with PyTorch names and layouts, and optionally a PyTorch module file that loads them.",
        discussion: """
        Tensors are named generator.layers.N.weight/bias and discriminator.layers.N.weight/bias (float32; nn.Linear [out, in], \
        nn.Conv2d [out, in, k, k], nn.ConvTranspose2d [in, out, k, k]), with saved state (running_mean, running_var, weight_u, weight_v). \
        --torch-module FILE.py writes the nn.Sequential networks and load(FILE.safetensors) → (G, D) in eval mode. \
        In PyTorch: tensors = safetensors.torch.load_file(FILE); then for a module whose `layers` is the nn.Sequential, \
        G.load_state_dict({k.removeprefix("generator."): v for k, v in tensors.items() if k.startswith("generator.")}); \
        for a bare nn.Sequential strip "generator.layers." instead. The header's __metadata__ records the run, step, \
        objective, activation, sizes, the noise (standard normal), the sample shape and, for datasets stored as integers, pixel_scale and pixel_offset (an element e reads as e × pixel_scale + pixel_offset).
        """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("The run's name or id.", valueName: "run")) var reference: String
    @Option(help: ArgumentHelp("The checkpoint's step (default: the latest complete checkpoint).", valueName: "step")) var step: Int?
    @Option(name: .customLong("to"), help: ArgumentHelp("The file to write.", valueName: "file.safetensors")) var destination: String
    @Option(help: ArgumentHelp("Also write a PyTorch module file that rebuilds both networks and loads the weights (load(FILE.safetensors) → (G, D)).",
                               valueName: "file.py")) var torchModule: String?
    @Flag(help: "Replace files that exist.") var force = false
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard destination.lowercased().hasSuffix(".safetensors") else {
            throw ValidationError("--to must name a .safetensors file (got \(destination)); ganpipe exports safetensors, which PyTorch, JAX and ONNX converters read")
        }
        if let torchModule, !torchModule.hasSuffix(".py") {
            throw ValidationError("--torch-module must name a .py file (got \(torchModule))")
        }
    }

    func run() throws {
        for (path, option) in [(destination, "--to"), (torchModule, "--torch-module")] {
            if let path, !force, FileManager.default.fileExists(atPath: path) {
                throw CommandError("\(path) exists; pass --force to replace it, or another \(option) path")
            }
        }
        let opened = try database.openForReading()
        defer { try? opened.close() }
        let file = try SafetensorsFile.export(run: reference, step: step, from: opened)
        let bytes = file.encoded()
        var module: Data?
        if torchModule != nil {
            guard let model = file.model else {
                throw CommandError("the checkpoint was written before network descriptions were stored, so no module file can be made for it; export without --torch-module")
            }
            module = Data(TorchModuleFile.source(model: model, run: file.metadata["ganpipe_run"] ?? reference,
                                                 step: Int(file.metadata["step"] ?? "") ?? 0).utf8)
        }
        try writeOutput(bytes, to: destination, option: "--to")
        if let torchModule, let module { try writeOutput(module, to: torchModule, option: "--torch-module") }
        if json {
            try printJSON(["path": destination, "bytes": bytes.count, "step": Int(file.metadata["step"] ?? "") ?? 0,
                           "tensors": file.entries.map { ["name": $0.name, "shape": $0.shape] as [String: any Sendable] }])
        } else {
            print("wrote \(destination): \(file.entries.count) tensors from the checkpoint at step \(file.metadata["step"] ?? "?"), \(bytes.count) bytes"
                  + (torchModule.map { "; and the PyTorch module \($0)" } ?? ""))
        }
    }
}
