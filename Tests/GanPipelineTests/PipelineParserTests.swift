import Foundation
import GanSchema
import GanPipeline
import GanTrainer
import Testing

@Suite struct PipelineParserTests {
    static let valid = """
        pipeline: demo
        datasets:
          toy: {generate: 8gaussians, samples: 4000, seed: 3}
        train:
          steps: 40
          batch_size: 32
          generator_width: 16
          discriminator_width: 16
        matrix:
          dataset: [toy]
          objective: [gan, wgan-gp]
          seed: [1, 2]
        evaluate: {every: 20, samples: 500}
        gates:
          - name: penalty run covers modes
            where: {objective: wgan-gp}
            evaluation: modes_covered
            min: 1
        retries: 2
        """

    @Test func expandsTheMatrixIntoStableNamedRuns() throws {
        let pipeline = try PipelineParser.parse(text: Self.valid, file: "demo.yaml")
        let runs = try pipeline.plannedRuns()
        #expect(runs.map(\.name) == ["demo/toy/gan/seed=1", "demo/toy/gan/seed=2", "demo/toy/wgan-gp/seed=1", "demo/toy/wgan-gp/seed=2"])
        let penalty = runs[2].specification
        #expect(penalty.objective == .wganGP && penalty.steps == 40 && penalty.batchSize == 32 && penalty.seed == 1)
        // The objective's own defaults apply under the pipeline's settings.
        #expect(penalty.gradientPenaltyWeight == 10 && penalty.learningRate == 1e-4 && penalty.discriminatorSteps == 5)
        #expect(runs[0].specification.learningRate == 2e-4)
        #expect(pipeline.evaluation.every == 20 && pipeline.evaluation.samples == 500 && pipeline.retries == 2)
        #expect(pipeline.gates.count == 1 && pipeline.gates[0].minimum == 1 && pipeline.gates[0].filter["objective"] == .text("wgan-gp"))
        #expect(try PipelineParser.parse(text: Self.valid, file: "demo.yaml").plannedRuns() == runs)
    }

    @Test func aListOfProductsIsTheirUnion() throws {
        let text = """
            pipeline: fig
            matrix:
              - {dataset: [swissroll], objective: [wgan], clip: [0.1, 0.01]}
              - {dataset: [swissroll], objective: [wgan-gp]}
            """
        let runs = try PipelineParser.parse(text: text, file: "fig.yaml").plannedRuns()
        #expect(runs.map(\.name) == ["fig/swissroll/wgan/clip=0.1", "fig/swissroll/wgan/clip=0.01", "fig/swissroll/wgan-gp"])
        #expect(runs.map(\.specification.clip) == [0.1, 0.01, 0])
    }

    /// Each mistake is reported with file, line and key, before anything runs.
    @Test(arguments: [
        ("train:\n  steps: 40\n  batch_sise: 32\n", "demo.yaml:12: train.batch_sise: unknown training setting"),
        ("train:\n  steps: forty\n", "demo.yaml:11: train.steps: has the wrong type"),
        ("train:\n  steps: 0\n", "demo.yaml:11: train.steps: must be at least 1"),
        ("train:\n  learning_rate: -1\n", "demo.yaml:11: train.learning_rate: must be positive"),
        ("colour: blue\n", "demo.yaml:10: colour: unknown key"),
        ("evaluate: {every: 0}\n", "demo.yaml:10: evaluate.every: must be at least 1"),
        ("gates:\n  - evaluation: modes_covered\n", "demo.yaml:11: gates[0]: needs 'min', 'max' or both"),
    ])
    func mistakesNameFileLineAndKey(extra: String, expected: String) throws {
        let text = """
            pipeline: demo
            datasets:
              toy: {generate: 8gaussians}
            matrix:
              dataset: [toy]
              objective: [gan]
            # comment lines keep the line numbers honest
            #
            #

            """ + extra
        do {
            _ = try PipelineParser.parse(text: text, file: "demo.yaml").plannedRuns()
            Issue.record("accepted: \(extra)")
        } catch let error as PipelineError {
            #expect(error.description.hasPrefix(expected), "\(error)")
        }
    }

    /// A matrix is counted before it is expanded: 10⁹ runs from a few lines of YAML, or more
    /// than Int.max, are refused at once with the count; under the limit every run is planned.
    @Test func aMatrixBeyondTheRunLimitIsRefusedBeforeItIsExpanded() throws {
        let thousand = "[" + (1...1000).map(String.init).joined(separator: ", ") + "]"
        let text = "pipeline: big\nmatrix:\n  dataset: [toy]\n  objective: [gan]\n  seed: \(thousand)\n  steps: \(thousand)\n  batch_size: \(thousand)\n"
        let pipeline = try PipelineParser.parse(text: text, file: "big.yaml")
        #expect(pipeline.runCount == 1_000_000_000)
        #expect { try pipeline.plannedRuns() } throws: {
            "\($0)" == "big.yaml: matrix: makes 1000000000 runs, more than the limit of 1000; split the sweep into several files, or raise the limit with --max-runs"
        }
        var endless = pipeline
        endless.matrix = [Array(repeating: (key: "seed", values: [Setting.integer(1), .integer(2)]), count: 64)]
        #expect(endless.runCount == nil)
        #expect { try endless.plannedRuns(limit: 1_000_000) } throws: { "\($0)".contains("makes more than \(Int.max) runs") }

        var sweep = pipeline
        sweep.matrix[0] = Array(sweep.matrix[0].prefix(4))
        sweep.matrix[0][2].values = Array(sweep.matrix[0][2].values.prefix(40))
        #expect(sweep.runCount == 40_000)
        let runs = try sweep.plannedRuns(limit: 40_000)
        #expect(runs.count == 40_000 && Set(runs.map(\.name)).count == 40_000)
        #expect(runs[1].name == "big/toy/gan/seed=1/steps=2" && runs.last?.name == "big/toy/gan/seed=40/steps=1000")
    }

    @Test func matrixMistakes() throws {
        let cases = [
            ("pipeline: d\nmatrix:\n  dataset: [toy]\n  objective: [wgan-xx]\n", "d.yaml:4: matrix.objective: 'wgan-xx' is not an objective"),
            ("pipeline: d\nmatrix:\n  dataset: [toy]\n", "d.yaml:3: matrix: needs 'objective'"),
            ("pipeline: d\nmatrix:\n  dataset: [toy]\n  objective: [gan, gan]\n", "d.yaml:4: matrix.objective: lists a value twice"),
            ("pipeline: d\nmatrix: [1, 2]\n", "d.yaml:2: matrix[0]: must be a mapping"),
            ("pipeline: d\nmatrix:\n  - {dataset: [toy], objective: [gan]}\n  - {dataset: [toy], objective: [gan]}\n",
             "d.yaml: matrix: two entries make the same run 'd/toy/gan'"),
            ("pipeline: bad name\nmatrix: {}\n", "d.yaml:1: pipeline: 'bad name' is not a usable name"),
            ("pipeline: d\n  matrix: [\n", "d.yaml:2: not valid YAML"),
            ("", "d.yaml: the file is empty"),
        ]
        for (text, expected) in cases {
            do {
                _ = try PipelineParser.parse(text: text, file: "d.yaml").plannedRuns()
                Issue.record("accepted: \(text)")
            } catch let error as PipelineError {
                #expect(error.description.hasPrefix(expected), "\(error)")
            }
        }
    }
}
