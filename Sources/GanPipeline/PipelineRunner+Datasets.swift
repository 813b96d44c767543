import Foundation
import GanLoader
import GanStore

extension PipelineRunner {
    /// What can be checked before anything runs, so that a refusal leaves the database as it
    /// was: every run's dataset is defined under `datasets:` or already stored.
    public func preflight() throws {
        let defined = Set(pipeline.datasets.map(\.name))
        for run in runs where !defined.contains(run.specification.dataset) {
            guard (try? DatasetStore(database).find(run.specification.dataset)) == nil else { continue }
            throw PipelineError(file: pipeline.file, line: pipeline.lines["dataset"], key: "matrix.dataset", message:
                "run \(run.name) trains on dataset '\(run.specification.dataset)', which is neither defined under datasets: nor stored in the database; define it or fix the name")
        }
        // The stages after training name runs and datasets too: a mistyped name fails now, not after a night of training.
        let planned = Set(runs.map(\.name))
        for experiment in pipeline.augmentations {
            if !defined.contains(experiment.dataset), (try? DatasetStore(database).find(experiment.dataset)) == nil {
                throw PipelineError(file: pipeline.file, line: experiment.line, key: "augment.dataset", message:
                    "dataset '\(experiment.dataset)' is neither defined under datasets: nor stored in the database; define it or fix the name")
            }
            if !planned.contains(experiment.generator), (try? RunStore(database).find(experiment.generator)) == nil {
                throw PipelineError(file: pipeline.file, line: experiment.line, key: "augment.generator", message:
                    "'\(experiment.generator)' is neither a run of this pipeline nor stored; name a run (`ganpipe run FILE --dry-run` lists this pipeline's)")
            }
        }
        for entry in pipeline.scores where !runs.contains(where: { fnmatch(entry.runs, $0.name, 0) == 0 }) {
            throw PipelineError(file: pipeline.file, line: entry.line, key: "score.runs", message:
                "'\(entry.runs)' matches none of this pipeline's runs; fix the pattern (`ganpipe run FILE --dry-run` lists them)")
        }
    }

    /// The loader stage: makes every dataset of the pipeline that is not stored yet. A stored
    /// dataset with the same name and the same content is kept; other content under the name
    /// is refused, so a run never trains on data its configuration does not describe.
    func prepareDatasets() throws {
        for dataset in pipeline.datasets {
            let content = try makeContent(dataset)
            let prepared = try PreparedDataset(content, name: dataset.name)
            if let existing = try? DatasetStore(database).find(dataset.name) {
                guard existing.contentSha256 == prepared.record.contentSha256 else {
                    throw PipelineError(file: pipeline.file, line: dataset.line, key: "datasets.\(dataset.name)", message:
                        "a different dataset of that name is stored; rename it here or remove the stored one with `ganpipe data delete \(dataset.name)`")
                }
                continue
            }
            log("dataset \(dataset.name): storing \(content.samples.shape.first ?? 0) samples, \(content.testCount) held out")
            do {
                try DatasetCatalog(database).save(prepared, allowDuplicate: true)
            } catch LoaderError.nameExists {
                // Another pipeline process stored it first: fine if the content is the same.
                guard try DatasetStore(database).find(dataset.name).contentSha256 == prepared.record.contentSha256 else {
                    throw PipelineError(file: pipeline.file, line: dataset.line, key: "datasets.\(dataset.name)", message:
                        "a different dataset of that name was stored meanwhile; rename it here")
                }
            }
        }
    }

    func makeContent(_ dataset: DatasetSpecification) throws -> DatasetContent {
        do {
            switch dataset.source {
            case .generate(let kind, let samples, let seed, let testFraction):
                guard let syntheticKind = SyntheticKind(rawValue: kind) else {
                    throw PipelineError(file: pipeline.file, line: dataset.line, key: "datasets.\(dataset.name).generate", message:
                        "unknown generator '\(kind)'; use one of \(SyntheticKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return try SyntheticGenerator(kind: syntheticKind, count: samples, seed: seed, testFraction: testFraction).generate()
            case .importFile(let path, let labels, let labelsColumn, let sampleShape, let scale, let testFraction, let format,
                             let test, let testLabels, let labelNames):
                var importer = DatasetImporter(path: path)
                if let format {
                    guard let parsed = ImportFormat(rawValue: format) else {
                        throw PipelineError(file: pipeline.file, line: dataset.line, key: "datasets.\(dataset.name).format", message: "unknown format '\(format)'; use csv, npy or idx")
                    }
                    importer.format = parsed
                }
                importer.labelsPath = labels
                importer.labelColumn = labelsColumn.map(CSVReader.LabelColumn.init(argument:))
                importer.sampleShape = sampleShape
                importer.scale = scale
                importer.testFraction = testFraction
                importer.testPath = test
                importer.testLabelsPath = testLabels
                importer.labelNames = labelNames
                return try importer.read()
            case .subset(let source, let classes, let perClass, let seed, let wholeTestSplit):
                // Its source is made first when the pipeline defines it above.
                guard let stored = try? DatasetStore(database).find(source) else {
                    throw PipelineError(file: pipeline.file, line: dataset.line, key: "datasets.\(dataset.name).subset", message:
                        "dataset '\(source)' is neither stored nor defined above this one; define it first")
                }
                return try DatasetCatalog(database).subset(of: stored, classes: classes.map(Set.init), perClass: perClass, seed: seed,
                                                           wholeTestSplit: wholeTestSplit)
            }
        } catch let error as LoaderError {
            throw PipelineError(file: pipeline.file, line: dataset.line, key: "datasets.\(dataset.name)", message: error.description)
        }
    }
}
