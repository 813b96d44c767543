import Foundation
import GanEvaluator
import GanModels
import GanNN
import GanSchema
import GanStore
import GanTensor
import GanTestSupport
import Testing

/// The dataset classifier's networks: which one a dataset gets, the input standardisation folded
/// exactly into the first layer, and the convolutional network learning translated shapes.
@Suite struct DatasetClassifierTests {
    static let dataset = DatasetRecord(name: "images", kind: .imported, source: "test", contentSha256: "00", sampleCount: 10,
                                       trainCount: 8, testCount: 2)

    @Test func imagesOfAtLeastSixteenPixelsGetTheConvolutionalNetwork() {
        func architecture(_ shape: [Int]?, features: Int) -> String? {
            DatasetClassifier.Specification.choosing(dataset: Self.dataset, sampleShape: shape, features: features, classes: 10,
                                                     trainCount: 8, testCount: 2).architecture
        }
        #expect(architecture([28, 28], features: 784) == "convolutional")
        #expect(architecture([1, 28, 28], features: 784) == "convolutional")
        #expect(architecture([3, 16, 20], features: 960) == "convolutional")
        #expect(architecture([8, 8], features: 64) == nil)
        #expect(architecture([1, 28, 15], features: 420) == nil)
        #expect(architecture(nil, features: 784) == nil)
        #expect(architecture([28, 28], features: 783) == nil)
        let specification = DatasetClassifier.Specification.choosing(dataset: Self.dataset, sampleShape: [28, 28], features: 784, classes: 10,
                                                                     trainCount: 8, testCount: 2)
        let network = specification.network
        #expect(network.problem == nil && network.inputs == 784 && network.outputs == 10)
        #expect(network.parameters.first!.shape == [32, 1, 5, 5])
        // The MLP a stored specification without an architecture names (databases before the
        // convolutional classifier) keeps its JSON, so its stored classifier is still found.
        let mlp = DatasetClassifier.Specification.choosing(dataset: Self.dataset, sampleShape: [8, 8], features: 64, classes: 10,
                                                           trainCount: 8, testCount: 2)
        #expect(!mlp.canonicalJSON().contains("architecture") && mlp.network.isFullyConnected)
    }

    /// f(std(x)) before folding equals f(x) after, for a linear first layer (per feature) and
    /// an unpadded convolution (per channel), on data far from zero mean and unit scale.
    @Test func theStandardisationFoldsExactlyIntoTheFirstLayer() throws {
        let networks: [(NetworkDescription, Int?)] = [
            (.mlp(inputs: 12, outputs: 3, hiddenLayers: 1, width: 8, activation: .relu), nil),
            (DatasetClassifier.Specification.convolutional(sampleShape: [2, 16, 16], classes: 4, channels: 4), 2),
        ]
        for (description, channels) in networks {
            var generator = PhiloxGenerator(seed: 3)
            let count = 20, features = description.inputs
            let values = (0..<(count * features)).map { index -> Float in
                let feature = index % features
                return 5 + Float(feature % 7) + (3 + Float(feature % 3)) * generator.nextNormal()
            }
            let raw = SampleSet(values: values, count: count, features: features)
            let module = try description.makeModule(using: &generator)
            let standardization = DatasetClassifier.Standardization(raw, channels: channels)
            let before = module(standardization.apply(raw).tensor, mode: .inference).scalars
            let parameters = module.namedParameters
            standardization.fold(intoWeight: parameters.first { $0.path.hasSuffix("weight") }!.tensor,
                                 bias: parameters.first { $0.path.hasSuffix("bias") }!.tensor)
            let after = module(raw.tensor, mode: .inference).scalars
            let scale = before.map(abs).max()!
            #expect(zip(before, after).allSatisfy { abs($0 - $1) <= 1e-4 * scale }, "\(description.summary)")
            #expect(standardization.mean.count == (channels ?? features))
        }
    }

    /// Four classes of 16×16 images: a bright 4×4 square somewhere in quadrant k, on a noisy
    /// background far from zero mean. The convolutional classifier, trained on raw pixels with
    /// its standardisation folded in, classifies held-out images.
    @Test func theConvolutionalClassifierLearnsShapesAnywhereInTheirQuadrant() throws {
        var generator = PhiloxGenerator(seed: 11)
        func images(_ count: Int) -> (SampleSet, [Int]) {
            var values: [Float] = [], labels: [Int] = []
            for _ in 0..<count {
                let label = generator.nextIndex(below: 4)
                let (top, left) = ((label / 2) * 8 + generator.nextIndex(below: 5), (label % 2) * 8 + generator.nextIndex(below: 5))
                for y in 0..<16 {
                    for x in 0..<16 {
                        let inside = (top..<(top + 4)).contains(y) && (left..<(left + 4)).contains(x)
                        values.append(3 + (inside ? 2 : 0) + 0.5 * generator.nextNormal())
                    }
                }
                labels.append(label)
            }
            return (SampleSet(values: values, count: count, features: 256), labels)
        }
        let (train, trainLabels) = images(640), (test, testLabels) = images(200)
        var specification = DatasetClassifier.Specification.choosing(dataset: Self.dataset, sampleShape: [16, 16], features: 256,
                                                                     classes: 4, trainCount: 640, testCount: 200)
        specification.epochs = 12
        specification.channels = 8
        let (network, history) = DatasetClassifier.fit(specification, train: train, labels: trainLabels)
        #expect(history.count == 12 && history.last!.value < history.first!.value)
        let measured = DatasetClassifier.measure(network, test, labels: testLabels, classes: 4)
        #expect(measured.accuracy > 0.95, "test accuracy \(measured.accuracy)")
        // The penultimate features are the 128 units before the output layer.
        #expect(network.applyWithFeatures(test).penultimate.features == 128)
    }
}
