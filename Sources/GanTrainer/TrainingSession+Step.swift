import GanSchema
import GanNN
import GanStore
import GanTensor

extension TrainingSession {
    /// What one generator step produced.
    public struct StepOutcome {
        /// (key, value) pairs for `metrics` at this step; empty when the step records none.
        public var metrics: [(key: String, value: Double)] = []
        public var events: [RunJournal.Event] = []
        /// Set when a non-finite loss, gradient or weight appeared; the step's update was not
        /// applied to the network where it appeared.
        public var failure: String?
        public var discriminatorLoss: Double = .nan
        public var generatorLoss: Double = .nan
    }

    /// Runs `discriminatorSteps` discriminator updates and one generator update. With
    /// `recordMetrics`, the last discriminator update and the generator update also measure
    /// every gradient norm (see `MetricKey`).
    public func performStep(recordMetrics: Bool) -> StepOutcome {
        var outcome = StepOutcome()
        let stepNumber = step + 1
        for iteration in 0..<specification.discriminatorSteps {
            let probe = recordMetrics && iteration == specification.discriminatorSteps - 1
            if let failure = discriminatorUpdate(probe: probe, step: stepNumber, into: &outcome) {
                outcome.failure = failure
                return outcome
            }
        }
        let frozen = specification.generatorFrozenAfter.map { step >= $0 } ?? false
        if !frozen || recordMetrics,
           let failure = generatorUpdate(probe: recordMetrics, apply: !frozen, step: stepNumber, into: &outcome) {
            outcome.failure = failure
            return outcome
        }
        step = stepNumber
        if recordMetrics {
            let norms = outcome.metrics.filter {
                ($0.key.hasPrefix(MetricKey.gradientNormPrefix) || $0.key.hasPrefix(MetricKey.activationGradientNormPrefix))
                    && !zeroByConstruction.contains($0.key)
            }
            outcome.events += health.observe(step: stepNumber, norms: norms)
        }
        return outcome
    }

    /// One discriminator update. Returns a failure message when something was not finite.
    func discriminatorUpdate(probe: Bool, step: Int, into outcome: inout StepOutcome) -> String? {
        discriminator.iterateSpectralNorms()
        // A conditional run's generated samples take the real batch's classes, so that each
        // interpolate of the penalty lies between two samples of one class.
        let (real, indices) = sampler.next(batchSize)
        let classes = self.labels(of: indices)
        let fake = GradientMode.withGradientsDisabled { generator(noise(), labels: classes) }
        // For the Wasserstein objectives ∂L_D/∂x = ∓∇ₓD(x)/batch row by row, so the main
        // backward pass also gives ‖∇ₓD‖ at real and generated points (no extra pass).
        let inputNormsFromLoss = probe && objective.isWasserstein
        if inputNormsFromLoss {
            real.requiresGradient = true
            fake.requiresGradient = true
        }
        let (realScores, fakeScores, hidden) = scores(real: real, fake: fake, labels: classes)
        var loss = objective.discriminatorLoss(real: realScores, fake: fakeScores)
        var penaltyValue = Double.nan
        var interpolateNorm = Double.nan
        if objective.hasGradientPenalty {
            // x̂ = αx + (1−α)x̃ with one α ~ U[0,1) per sample (arXiv 1704.00028, Algorithm 1).
            let alpha = Tensor.uniform([batchSize, 1], using: &interpolationStream)
            let interpolates = GradientMode.withGradientsDisabled { alpha * real + (1 - alpha) * fake }
            interpolates.requiresGradient = true
            let scores = discriminator(interpolates, labels: classes)
            let inputGradient = gradients(of: scores.sum(), withRespectTo: [interpolates], createGraph: true)[0]!
            let norms = inputGradient.l2Norm(alongAxes: [1], epsilon: 1e-12)
            let penalty = objective.penalty(gradientNorms: norms)
            loss = loss + specification.gradientPenaltyWeight * penalty
            if probe {
                penaltyValue = Double(penalty.scalar)
                interpolateNorm = Double(norms.mean().scalar)
            }
        }
        let parameters = discriminator.namedParameters
        let targets = parameters.map(\.tensor) + (probe ? hidden : []) + (inputNormsFromLoss ? [real, fake] : [])
        let found = gradients(of: loss, withRespectTo: targets)
        let lossValue = Double(loss.scalar)
        let parameterGradients = Array(found.prefix(parameters.count))
        if let failure = Self.firstNonFinite(loss: lossValue, parameters: parameters, gradients: parameterGradients,
                                             network: "discriminator", step: step) {
            return failure
        }
        // ‖∇ₓD‖ of the discriminator that produced this loss, i.e. before its update.
        let (realNorm, fakeNorm) = !probe ? (0, 0) : inputNormsFromLoss
            ? (Self.meanRowNorm(found[targets.count - 2], scale: Float(batchSize)),
               Self.meanRowNorm(found[targets.count - 1], scale: Float(batchSize)))
            : inputGradientNorms(real: real, fake: fake, labels: classes)
        discriminatorOptimizer.step(parameters, gradients: parameterGradients)
        if specification.clip > 0 { clipDiscriminator() }
        if let failure = Self.firstNonFiniteWeight(parameters, network: "discriminator", step: step) { return failure }
        outcome.discriminatorLoss = lossValue
        guard probe else { return nil }

        var metrics: [(key: String, value: Double)] = [(MetricKey.discriminatorLoss, lossValue)]
        let meanReal = Double(realScores.mean().scalar), meanFake = Double(fakeScores.mean().scalar)
        metrics.append((MetricKey.scoreReal, meanReal))
        metrics.append((MetricKey.scoreFake, meanFake))
        if objective.isWasserstein {
            metrics.append((MetricKey.wassersteinEstimate, meanReal - meanFake))
        } else {
            let correct = realScores.scalars.filter { $0 > 0 }.count + fakeScores.scalars.filter { $0 < 0 }.count
            metrics.append((MetricKey.discriminatorAccuracy, Double(correct) / Double(2 * batchSize)))
        }
        if objective.hasGradientPenalty {
            metrics.append((MetricKey.penalty, penaltyValue))
            metrics.append((MetricKey.inputGradientNormInterpolates, interpolateNorm))
        }
        if objective == .wgan { metrics.append((MetricKey.clippedFraction, clippedFraction())) }
        for ((path, _), gradient) in zip(parameters, parameterGradients) {
            metrics.append((MetricKey.gradientNorm("discriminator", path), Self.norm(gradient)))
        }
        // ∂L_D/∂h over real and fake rows together, per hidden layer (Figure 1b of 1704.00028);
        // `hidden` has each layer once per forward pass (one pass over both, or one each).
        let hiddenPaths = model.discriminator.hiddenOutputPaths
        for (layer, path) in hiddenPaths.enumerated() {
            let sumOfSquares = stride(from: layer, to: hidden.count, by: hiddenPaths.count).reduce(0) { total, index in
                total + (found[parameters.count + index].map { $0.sumOfSquares() } ?? 0)
            }
            metrics.append((MetricKey.activationGradientNorm(path), sumOfSquares.squareRoot()))
        }
        metrics.append((MetricKey.inputGradientNormReal, realNorm))
        metrics.append((MetricKey.inputGradientNormFake, fakeNorm))
        outcome.metrics += metrics
        return nil
    }

    /// One generator update; the discriminator's weights are frozen (no weight gradients).
    /// Without `apply` the gradients are measured but the generator does not change.
    func generatorUpdate(probe: Bool, apply: Bool, step: Int, into outcome: inout StepOutcome) -> String? {
        discriminator.setRequiresGradient(false)
        defer { discriminator.setRequiresGradient(true) }
        generator.iterateSpectralNorms()
        let z = noise()
        let classes = generatorLabels()
        let fake = generator(z, labels: classes)
        let loss = objective.generatorLoss(fake: discriminator(fake, labels: classes))
        let parameters = generator.namedParameters
        let found = gradients(of: loss, withRespectTo: parameters.map(\.tensor) + (probe ? [fake] : []))
        let lossValue = Double(loss.scalar)
        let parameterGradients = Array(found.prefix(parameters.count))
        if let failure = Self.firstNonFinite(loss: lossValue, parameters: parameters, gradients: parameterGradients,
                                             network: "generator", step: step) {
            return failure
        }
        if apply {
            generatorOptimizer.step(parameters, gradients: parameterGradients)
            if let failure = Self.firstNonFiniteWeight(parameters, network: "generator", step: step) { return failure }
        }
        outcome.generatorLoss = lossValue
        guard probe else { return nil }
        outcome.metrics.append((MetricKey.generatorLoss, lossValue))
        for ((path, _), gradient) in zip(parameters, parameterGradients) {
            outcome.metrics.append((MetricKey.gradientNorm("generator", path), Self.norm(gradient)))
        }
        outcome.metrics.append((MetricKey.generatorSampleGradientNorm, Self.norm(found[parameters.count])))
        return nil
    }

    /// The discriminator's scores on the real and on the generated batch, and its probed hidden
    /// outputs. When no layer mixes samples, one pass over both batches stacked: half the
    /// operations of two passes, products twice as tall, and the same scores (rows are
    /// independent; bit for bit where ganpipe's own kernel does the products, up to rounding
    /// where OpenBLAS does). Otherwise one pass each, as PyTorch's DCGAN does, so that batch
    /// normalization normalizes each batch by its own statistics.
    func scores(real: Tensor, fake: Tensor, labels: Tensor?) -> (real: Tensor, fake: Tensor, hidden: [Tensor]) {
        guard !discriminator.mixesSamples else {
            let (realScores, realHidden) = discriminator.forward(real, labels: labels)
            let (fakeScores, fakeHidden) = discriminator.forward(fake, labels: labels)
            return (realScores, fakeScores, realHidden + fakeHidden)
        }
        let rows = real.shape[0]
        let (scores, hidden) = discriminator.forward(Tensor.concat([real, fake], alongAxis: 0),
                                                     labels: labels.map { Tensor.concat([$0, $0], alongAxis: 0) })
        return (scores[rows: 0..<rows], scores[rows: rows..<scores.shape[0]], hidden)
    }

    /// Mean per-sample ‖∇ₓD(x)‖₂ at the real and at the generated samples, through the same
    /// passes as the loss (`scores`). A measurement: batch normalization's running statistics
    /// are put back as they were.
    func inputGradientNorms(real: Tensor, fake: Tensor, labels: Tensor?) -> (real: Double, fake: Double) {
        discriminator.setRequiresGradient(false)
        let buffers = discriminator.namedBuffers.map(\.tensor)
        let saved = buffers.map { $0.copied() }
        defer {
            discriminator.setRequiresGradient(true)
            GradientMode.withGradientsDisabled { for (buffer, copy) in zip(buffers, saved) { buffer.assign(copy) } }
        }
        let (real, fake) = (real.detached(), fake.detached())
        real.requiresGradient = true
        fake.requiresGradient = true
        let (realScores, fakeScores, _) = scores(real: real, fake: fake, labels: labels)
        let found = gradients(of: realScores.sum() + fakeScores.sum(), withRespectTo: [real, fake])
        return (Self.meanRowNorm(found[0], scale: 1), Self.meanRowNorm(found[1], scale: 1))
    }

    /// Mean over rows of ‖scale · row‖₂ of `[batch, features]`, outside any graph.
    static func meanRowNorm(_ tensor: Tensor?, scale: Float) -> Double {
        guard let tensor else { return 0 }
        return GradientMode.withGradientsDisabled { Double((tensor * scale).l2Norm(alongAxes: [1]).mean().scalar) }
    }

    static func norm(_ tensor: Tensor?) -> Double {
        tensor.map { $0.sumOfSquares().squareRoot() } ?? 0
    }

    static func firstNonFinite(loss: Double, parameters: [(path: String, tensor: Tensor)], gradients: [Tensor?],
                               network: String, step: Int) -> String? {
        for ((path, _), gradient) in zip(parameters, gradients) where gradient.map({ !$0.isFinite }) ?? false {
            return "non-finite gradient at step \(step) in the \(network), first at \(path) (loss \(loss))"
        }
        if !loss.isFinite { return "non-finite \(network) loss (\(loss)) at step \(step)" }
        return nil
    }

    static func firstNonFiniteWeight(_ parameters: [(path: String, tensor: Tensor)], network: String, step: Int) -> String? {
        for (path, tensor) in parameters where !tensor.isFinite {
            return "non-finite weight at step \(step) in the \(network), first at \(path)"
        }
        return nil
    }
}
