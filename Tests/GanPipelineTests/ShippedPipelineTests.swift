import Foundation
import GanPipeline
import Testing

/// Every pipeline shipped in pipelines/ parses and expands, so a format change that breaks one
/// fails here rather than at night.
@Suite struct ShippedPipelineTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../pipelines").standardized

    @Test(arguments: ["quickstart.yaml", "nightly.yaml", "wgan-gp-figure1.yaml", "vanishing-minimax.yaml", "fashion-mnist.yaml", "anomaly-fashion-mnist.yaml", "augmentation.yaml"])
    func shippedPipelineExpands(file: String) throws {
        let pipeline = try PipelineParser.parse(file: Self.folder.appendingPathComponent(file).path)
        let runs = try pipeline.plannedRuns()
        #expect(!runs.isEmpty)
        #expect(Set(runs.map(\.name)).count == runs.count)
        for run in runs {
            #expect(pipeline.datasets.contains { $0.name == run.specification.dataset }, "\(run.name) trains on a dataset the file does not make")
        }
    }

    @Test func theFigure1PipelineComparesClippingWithThePenalty() throws {
        let pipeline = try PipelineParser.parse(file: Self.folder.appendingPathComponent("wgan-gp-figure1.yaml").path)
        let runs = try pipeline.plannedRuns()
        #expect(runs.filter { $0.specification.objective.rawValue == "wgan" }.map(\.specification.clip).sorted() == [0.001, 0.01, 0.1])
        #expect(runs.allSatisfy { $0.specification.discriminatorDepth == 11 && $0.specification.activation == "relu" })
        #expect(runs.contains { $0.specification.objective.rawValue == "wgan-gp" && $0.specification.clip == 0 })
    }
}
