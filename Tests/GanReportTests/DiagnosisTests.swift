import Foundation
import GanReport
import GanStore
import GanTestSupport
import Testing

/// `Diagnosis` on runs whose pathologies are known because the test wrote them.
@Suite struct DiagnosisTests {
    func diagnose(_ run: SyntheticRun) throws -> Diagnosis {
        let folder = TemporaryDirectory()
        let (database, _) = try SyntheticRun.database(in: folder, runs: [run])
        return try Diagnosis.make(try RunData.load(run.name, from: database))
    }

    @Test func aHealthyPenaltyRunIsHealthy() throws {
        var run = SyntheticRun()
        run.evaluations = [(200, "modes_covered", 8), (200, "modes_total", 8)]
        let diagnosis = try diagnose(run)
        #expect(diagnosis.healthy, "\(diagnosis.findings.map(\.message))")
        #expect(diagnosis.findings.contains { $0.kind == "depth_profile" && $0.severity == .info })
        #expect(diagnosis.verdict(for: "discriminator").hasPrefix("healthy"))
    }

    /// Twelve layers whose activation gradient shrinks ×10 per layer toward the input:
    /// the fit recovers the slope, the verdict says vanishing, with the orders of magnitude.
    @Test func vanishingAcrossDepthIsMeasuredByTheFit() throws {
        var run = SyntheticRun()
        run.discriminatorDepth = 12
        run.activationBase = 1e-2
        run.activationGrowthTowardInput = 0.1
        let diagnosis = try diagnose(run)
        #expect(!diagnosis.healthy)
        let last = try #require(diagnosis.activationProfiles.last)
        #expect(abs((last.growthTowardInput ?? 0) - 0.1) < 0.02)
        #expect(abs((last.ordersTowardInput ?? 0) + 11) < 0.5)
        let finding = try #require(diagnosis.findings.first { $0.kind == "vanishing" && $0.network == "discriminator" && $0.layers.count == 12 })
        #expect(finding.severity == .problem)
        #expect(finding.message.contains("shrink \u{d7}10 per layer toward the input"), "\(finding.message)")
    }

    @Test func explodingWeightGradientsNameLayersAndSteps() throws {
        var run = SyntheticRun()
        run.discriminatorDepth = 6
        run.activationGrowthTowardInput = 3
        run.ramps = ["grad_norm/discriminator/layers.0.weight": (10, 1e5)]
        let diagnosis = try diagnose(run)
        let depth = try #require(diagnosis.findings.first { $0.kind == "exploding" && $0.layers.count == 6 })
        #expect(depth.severity == .problem)
        let layer = try #require(diagnosis.findings.first { $0.kind == "exploding" && $0.layers == ["layers.0.weight"] })
        #expect(layer.severity == .problem)
        // The geometric ramp 10 → 1e5 crosses 1000 half-way.
        #expect((layer.firstStep ?? 0) >= 98 && (layer.firstStep ?? 0) <= 103 && layer.lastStep == 200, "\(layer)")
        #expect(diagnosis.layers.first { $0.layer == "layers.0.weight" && $0.network == "discriminator" }?.verdict == "exploding")
    }

    @Test func aSaturatedMinimaxDiscriminatorStarvesTheGenerator() throws {
        var run = SyntheticRun()
        run.objective = "gan"
        run.extra["discriminator/accuracy"] = 1
        run.extra.removeValue(forKey: "generator/sample_grad_norm")
        run.ramps = ["generator/sample_grad_norm": (1, 1e-5)]
        let diagnosis = try diagnose(run)
        let finding = try #require(diagnosis.findings.first { $0.kind == "saturation" })
        #expect(finding.severity == .problem)
        #expect(finding.message.contains("minimax generator gradient vanished"))
    }

    @Test func clippedWeightsPilingAtTheBoundAreCounted() throws {
        var run = SyntheticRun()
        run.objective = "wgan"
        run.clip = 0.01
        run.clippedShare = 0.8
        let diagnosis = try diagnose(run)
        let finding = try #require(diagnosis.findings.first { $0.kind == "clipping" })
        #expect(finding.severity == .problem)
        #expect(finding.message.contains("\u{b1}0.01"))
        #expect(diagnosis.layers.first { $0.layer == "layers.0.weight" && $0.network == "discriminator" }?.clippedShare ?? 0 > 0.7)
        // A Wasserstein critic's output bias gets no gradient by construction: not a vanishing layer.
        #expect(diagnosis.layers.first { $0.layer == "layers.8.bias" }?.verdict == "zero by construction")
    }

    @Test func droppedModesAndNonFiniteValuesAreProblems() throws {
        var run = SyntheticRun()
        run.evaluations = [(100, "modes_covered", 7), (200, "modes_covered", 5), (200, "modes_total", 8), (200, "high_quality_percent", 90)]
        run.nonFinite = ["penalty": [180]]
        run.events = [(181, "non_finite", "loss/discriminator is NaN at step 181")]
        run.status = "failed"
        let diagnosis = try diagnose(run)
        let modes = try #require(diagnosis.findings.first { $0.kind == "mode_dropping" })
        #expect(modes.severity == .problem && modes.message.contains("5 of 8 modes") && modes.message.contains("covered 7"))
        let nonFinite = try #require(diagnosis.findings.first { $0.kind == "non_finite" })
        #expect(nonFinite.firstStep == 180 && nonFinite.message.contains("NaN at step 181"))
        #expect(diagnosis.problemCount == 2)
    }

    /// The run's verdict agrees with every network's: "healthy" only when each network is.
    static func expectConsistent(_ diagnosis: Diagnosis, sourceLocation: SourceLocation = #_sourceLocation) {
        let networksHealthy = ["discriminator", "generator"].allSatisfy { diagnosis.verdict(for: $0).hasPrefix("healthy") }
        #expect((diagnosis.summary == "healthy") == (networksHealthy && diagnosis.findings.allSatisfy { $0.severity == .info }),
                "\(diagnosis.summary) / \(diagnosis.verdict(for: "discriminator")) / \(diagnosis.verdict(for: "generator"))", sourceLocation: sourceLocation)
    }

    /// A short exploding episode is a warning: the run is not called healthy above a network
    /// called exploding; the critic's output bias, whose gradient a Wasserstein loss makes 0,
    /// is not vanishing even where an earlier trainer reported it.
    @Test func theVerdictAgreesWithTheNetworksAndStructuralZerosAreNotVanishing() throws {
        var run = SyntheticRun()
        run.events = [(40, "exploding", "grad_norm/discriminator/layers.2.weight above 1000 for 10 recorded steps (now 2e3)"),
                      (60, "vanishing", "grad_norm/discriminator/layers.8.bias below 1e-07 for 10 recorded steps (now 0)")]
        run.extra["grad_norm/discriminator/layers.8.bias"] = 0
        let diagnosis = try diagnose(run)
        #expect(diagnosis.healthy && diagnosis.verdict(for: "discriminator") == "exploding", "\(diagnosis.findings.map(\.message))")
        #expect(diagnosis.summary == "no problem dominates the run; warnings: discriminator exploding")
        #expect(!diagnosis.findings.contains { $0.kind == "vanishing" })
        #expect(diagnosis.layers.first { $0.layer == "layers.8.bias" }?.verdict == "zero by construction")
        Self.expectConsistent(diagnosis)
        var quiet = SyntheticRun()
        quiet.evaluations = [(200, "modes_covered", 8), (200, "modes_total", 8)]
        let healthy = try diagnose(quiet)
        #expect(healthy.summary == "healthy")
        Self.expectConsistent(healthy)
    }

    /// Image runs: fewer classes than real samples is a problem, said with the Fréchet distance
    /// beside its real-data baseline; a run that covered modes and lost them is not told to
    /// train longer; a classifier run is not diagnosed as a GAN.
    @Test func droppedClassesAreProblemsAndCollapseIsNotCalledEarly() throws {
        var images = SyntheticRun()
        images.evaluations = [(100, "classes_covered", 7), (200, "classes_covered", 5), (200, "baseline/classes_covered", 10),
                              (200, "frechet_distance", 4454), (200, "baseline/frechet_distance", 12.2)]
        let diagnosis = try diagnose(images)
        let classes = try #require(diagnosis.findings.first { $0.kind == "class_dropping" })
        #expect(classes.severity == .problem && !diagnosis.healthy)
        #expect(classes.message.contains("5 of the 10 classes") && classes.message.contains("4454") && classes.message.contains("12.2")
                && classes.message.contains("found 7 at an earlier checkpoint"), "\(classes.message)")
        Self.expectConsistent(diagnosis)

        var collapsed = SyntheticRun()
        collapsed.evaluations = [(100, "modes_covered", 4), (200, "modes_covered", 0), (200, "modes_total", 8), (200, "high_quality_percent", 0)]
        let modes = try #require(try diagnose(collapsed).findings.first { $0.kind == "mode_dropping" })
        #expect(modes.message.contains("covered 4") && !modes.message.contains("train longer"), "\(modes.message)")

        var classifier = SyntheticRun()
        classifier.name = "classifier/digits"
        classifier.objective = "classifier"
        #expect(throws: ReportError.self) { _ = try diagnose(classifier) }
    }
}
