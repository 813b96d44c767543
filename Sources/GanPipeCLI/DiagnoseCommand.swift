import ArgumentParser
import Foundation
import GanReport
import GanStore

/// `ganpipe diagnose RUN [--json]`: a plain-language verdict per network and layer. Exit code
/// 0 when healthy, 3 when problems were found, 1 for errors.
struct DiagnoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Say in plain words where a run's gradients vanished or exploded, and what else went wrong.",
        discussion: """
        Looks at per-layer gradient norms (against the run's --vanishing-threshold and --exploding-threshold), \
        the growth of the discriminator's activation gradients across depth (WGAN-GP Figure 1b), discriminator \
        saturation, clipped weights at ±c, modes dropped (from `ganpipe eval`) and non-finite values. \
        Exit code: 0 healthy, 3 problems found, 1 error.
        """)

    static let problemsExitCode: Int32 = 3

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("The run's name or id.", valueName: "run")) var reference: String
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let opened = try database.openForReading()
        defer { try? opened.close() }
        let diagnosis = try Diagnosis.make(try RunData.load(reference, from: opened))
        if json {
            try printJSON(diagnosis)
        } else {
            print(Self.text(diagnosis))
        }
        if !diagnosis.healthy { throw ExitCode(Self.problemsExitCode) }
    }

    static func text(_ diagnosis: Diagnosis) -> String {
        var lines = ["run \(diagnosis.run) (\(diagnosis.objective), \(diagnosis.status) at step \(diagnosis.step))"]
        lines.append("verdict: \(diagnosis.summary)")
        for network in ["discriminator", "generator", nil] as [String?] {
            let findings = diagnosis.findings.filter { $0.network == network }
            lines.append("")
            lines.append(network.map { "\($0): \(diagnosis.verdict(for: $0))" } ?? "run:")
            if network == nil && findings.isEmpty { lines.append("  nothing else to report") }
            for finding in findings {
                let mark = ["problem": "PROBLEM", "warning": "warning", "info": "info"][finding.severity.rawValue] ?? ""
                lines.append("  \(mark.padding(toLength: 8, withPad: " ", startingAt: 0)) \(finding.message)")
            }
        }
        if !diagnosis.activationProfiles.isEmpty {
            lines.append("")
            lines.append("discriminator activation-gradient norm \u{2016}\u{2202}L_D/\u{2202}h\u{2016}\u{2082} by depth (log10; Figure 1b):")
            var table = TextTable(columns: ["depth", "layer"] + diagnosis.activationProfiles.map { "step \($0.step)" })
            for (index, layer) in diagnosis.activationProfiles[0].layers.enumerated() {
                table.rows.append(["\(layer.depth)", layer.path] + diagnosis.activationProfiles.map { profile in
                    guard index < profile.layers.count, let value = profile.layers[index].value else { return "non-finite" }
                    return value > 0 ? String(format: "%.2f", log10(value)) : "zero"
                })
            }
            table.rows.append(["fit", "per layer \u{2192} input"] + diagnosis.activationProfiles.map { profile in
                profile.growthTowardInput.map { "\u{d7}" + Self.format($0) } ?? "\u{2013}"
            })
            lines.append(indent(table.render()))
        }
        if !diagnosis.layers.isEmpty {
            lines.append("")
            lines.append("per-tensor gradient norms \u{2016}\u{2202}L/\u{2202}\u{3b8}\u{2016}\u{2082} over the run (shares of recorded steps out of range):")
            let clipped = diagnosis.layers.contains { $0.clippedShare != nil }
            var table = TextTable(columns: ["network", "tensor", "median", "min", "max", "last", "<\(format(diagnosis.vanishingThreshold))", ">\(format(diagnosis.explodingThreshold))"] + (clipped ? ["at \u{b1}c"] : []) + ["verdict"])
            for layer in diagnosis.layers {
                table.rows.append([layer.network, layer.layer, format(layer.median), format(layer.minimum), format(layer.maximum), format(layer.last),
                                   percent(layer.vanishingShare), percent(layer.explodingShare)]
                                  + (clipped ? [layer.clippedShare.map(percent) ?? ""] : []) + [layer.verdict])
            }
            lines.append(indent(table.render()))
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double?) -> String {
        guard let value else { return "non-finite" }
        if value == 0 { return "0" }
        return abs(value) >= 1e4 || abs(value) < 1e-2 ? String(format: "%.2e", value) : String(format: "%.3g", value)
    }

    static func percent(_ share: Double) -> String { share == 0 ? "0" : String(format: "%.0f%%", 100 * share) }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}
