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
        abstract: "Export a checkpoint's weights as safetensors with PyTorch nn.Linear names and layouts.",
        discussion: """
        Tensors are named generator.layers.N.weight/bias and discriminator.layers.N.weight/bias (float32, weight [out, in]). \
        In PyTorch: tensors = safetensors.torch.load_file(FILE); then for a module whose `layers` is the nn.Sequential, \
        G.load_state_dict({k.removeprefix("generator."): v for k, v in tensors.items() if k.startswith("generator.")}); \
        for a bare nn.Sequential strip "generator.layers." instead. The header's __metadata__ records the run, step, \
        objective, activation and sizes.
        """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("The run's name or id.", valueName: "run")) var reference: String
    @Option(help: ArgumentHelp("The checkpoint's step (default: the latest complete checkpoint).", valueName: "step")) var step: Int?
    @Option(name: .customLong("to"), help: ArgumentHelp("The file to write.", valueName: "file.safetensors")) var destination: String
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let opened = try database.openForReading()
        defer { try? opened.close() }
        let file = try SafetensorsFile.export(run: reference, step: step, from: opened)
        let bytes = file.encoded()
        try writeOutput(bytes, to: destination, option: "--to")
        if json {
            try printJSON(["path": destination, "bytes": bytes.count, "step": Int(file.metadata["step"] ?? "") ?? 0,
                           "tensors": file.entries.map { ["name": $0.name, "shape": $0.shape] as [String: any Sendable] }])
        } else {
            print("wrote \(destination): \(file.entries.count) tensors from the checkpoint at step \(file.metadata["step"] ?? "?"), \(bytes.count) bytes")
        }
    }
}
