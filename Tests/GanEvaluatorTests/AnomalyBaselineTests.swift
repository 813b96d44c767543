import Foundation
import GanEvaluator
import Testing

/// The yardsticks of `ganpipe score --normal-class`: AUROC as the Mann–Whitney statistic, the
/// PCA residual and the nearest-neighbour distance, each against a hand computation.
@Suite struct AnomalyBaselineTests {
    @Test func aurocIsTheChanceThatAnAnomalyOutscoresANormalSample() throws {
        #expect(AnomalyBaselines.auroc([1, 2, 3, 4], anomalous: [false, false, true, true]) == 1)
        #expect(AnomalyBaselines.auroc([4, 3, 2, 1], anomalous: [false, false, true, true]) == 0)
        #expect(AnomalyBaselines.auroc([5, 5, 5, 5], anomalous: [false, true, false, true]) == 0.5)
        // Pairs (anomaly, normal): (2,1) win, (2,3) lose, (4,1) win, (4,3) win, ties none: 3/4.
        #expect(AnomalyBaselines.auroc([1, 2, 3, 4], anomalous: [false, true, false, true]) == 0.75)
        // A tie between an anomaly and a normal sample counts half: (2,2) ½, (3,2) 1 → 0.75.
        #expect(AnomalyBaselines.auroc([2, 2, 3], anomalous: [false, true, true]) == 0.75)
        #expect(AnomalyBaselines.auroc([1, 2], anomalous: [true, true]) == nil)
    }

    @Test func pcaMeasuresTheDistanceToThePrincipalSubspaceAndNeighboursTheirDistance() throws {
        // Training points on the line y = 2x (one direction holds all the variance).
        let xs: [Float] = (0..<50).map { Float($0) / 10 - 2.5 }
        let training = SampleSet(values: xs.flatMap { [$0, 2 * $0] }, count: 50, features: 2)
        let baselines = AnomalyBaselines(training: training)
        let probe = SampleSet(values: [1, 2, 0, 1, 3, 0], count: 3, features: 2)
        let pca = baselines.pcaScores(probe)
        // Mean (−0.05, −0.1); the residual is the part orthogonal to (1, 2)/√5.
        func expected(_ x: Double, _ y: Double) -> Double {
            let (cx, cy) = (x + 0.05, y + 0.1)
            let along = (cx + 2 * cy) / 5
            return pow(cx - along, 2) + pow(cy - 2 * along, 2)
        }
        for (index, point) in [(1.0, 2.0), (0.0, 1.0), (3.0, 0.0)].enumerated() {
            #expect(abs(Double(pca[index]) - expected(point.0, point.1)) < 1e-4, "\(pca[index]) vs \(expected(point.0, point.1))")
        }
        let knn = baselines.nearestNeighbourScores(probe, k: 3)
        for (index, point) in [(Float(1), Float(2)), (0, 1), (3, 0)].enumerated() {
            let distances = (0..<50).map { ((xs[$0] - point.0) * (xs[$0] - point.0) + (2 * xs[$0] - point.1) * (2 * xs[$0] - point.1)).squareRoot() }.sorted()
            #expect(abs(knn[index] - distances.prefix(3).reduce(0, +) / 3) < 1e-3, "\(knn[index])")
        }
    }
}
