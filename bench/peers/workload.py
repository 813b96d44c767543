"""What the PyTorch and JAX ports share: options, thread settings, the 8gaussians data, the
analytic FLOP count and the --time / --trace / --flops driver.

The workload is WGAN-GP's gan_toy.py as `ganpipe bench train` runs it: 8gaussians,
generator 2 → W → W → W → 2 and discriminator 2 → W → W → W → 1 (ReLU, nn.Linear init),
batch B, 5 discriminator steps per generator step, λ = 0.1, Adam 1e-4 β = (0.5, 0.9).
"""
import argparse
import json
import os
import sys
import time

import numpy as np

DISCRIMINATOR_STEPS = 5
PENALTY_WEIGHT = 0.1
LEARNING_RATE, BETA1, BETA2, ADAM_EPSILON = 1e-4, 0.5, 0.9, 1e-8
NORM_EPSILON = 1e-12  # ganpipe's l2Norm(alongAxes:epsilon:): sqrt(Σx² + ε)
NOISE_DIM, DATA_DIM, HIDDEN_LAYERS = 2, 2, 3


def parse_args(framework):
    parser = argparse.ArgumentParser(description=f"WGAN-GP toy workload in {framework}.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--time", type=int, metavar="N", help="time N generator steps after warm-up; print JSON")
    mode.add_argument("--trace", type=int, metavar="N", help="train N generator steps; print one JSON line of losses per step")
    mode.add_argument("--flops", action="store_true", help="print matrix-product FLOPs per generator step, analytic and measured")
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    # Before torch / jax are imported: their thread pools read these once.
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(args.threads)
    return args


def eight_gaussians(count=100_000, seed=1, test_fraction=0.1):
    """gan_toy.py's 8gaussians: centres 2·(cos θ, sin θ), θ = k·45°, std 0.02, all / 1.414.
    Returns the training split (the first 90% of the samples, as ganpipe splits them)."""
    rng = np.random.default_rng(seed)
    h = 1 / np.sqrt(2)
    centres = 2 * np.array([[1, 0], [-1, 0], [0, 1], [0, -1], [h, h], [h, -h], [-h, h], [-h, -h]])
    points = centres[rng.integers(0, 8, count)] + 0.02 * rng.standard_normal((count, 2))
    return (points / 1.414).astype(np.float32)[: count - round(count * test_fraction)]


class Batches:
    """Minibatches in shuffled epochs over the training split, like ganpipe's DataSampler."""

    def __init__(self, samples, seed):
        self.samples, self.rng = samples, np.random.default_rng(seed)
        self.order, self.position = self.rng.permutation(len(samples)), 0

    def next(self, count):
        rows = []
        while count > 0:
            if self.position == len(self.order):
                self.order, self.position = self.rng.permutation(len(self.samples)), 0
            take = min(count, len(self.order) - self.position)
            rows.append(self.order[self.position:self.position + take])
            self.position += take
            count -= take
        return self.samples[np.concatenate(rows)]


def analytic_flops(width, batch):
    """Matrix-product FLOPs (2·m·n·k per product) of one generator step, from the layer shapes,
    for an implementation that computes nothing it does not need:
    discriminator step: G forward (no grad); D forward on real, fake, interpolates; ∇ₓD(x̂)
    (input gradients through every layer); backward of the loss through the real and fake
    passes (weight gradients, input gradients except the data's) and through the ∇ₓD graph
    (per layer: ∂W and ∂ḡ, no ∂ḡ for the last layer whose ḡ is the constant 1).
    generator step: G forward, D forward, D input gradients only, G weight + input gradients
    except the noise's. `ganpipe` adds its metrics probe (every step in `bench train`): input
    gradients at the real and fake batch in the last discriminator step."""
    d_shapes = [(DATA_DIM, width)] + [(width, width)] * (HIDDEN_LAYERS - 1) + [(width, 1)]
    g_shapes = [(NOISE_DIM, width)] + [(width, width)] * (HIDDEN_LAYERS - 1) + [(width, DATA_DIM)]
    product = lambda shape: 2 * batch * shape[0] * shape[1]
    d_pass, g_pass = sum(map(product, d_shapes)), sum(map(product, g_shapes))
    first_d, last_d, first_g = product(d_shapes[0]), product(d_shapes[-1]), product(g_shapes[0])
    discriminator_step = (g_pass + 3 * d_pass + d_pass + 2 * (2 * d_pass - first_d) + (2 * d_pass - last_d))
    generator_step = g_pass + d_pass + d_pass + (2 * g_pass - first_g)
    total = DISCRIMINATOR_STEPS * discriminator_step + generator_step
    return {"discriminator_step": discriminator_step, "generator_step": generator_step, "total": total,
            "ganpipe_total": total + 2 * first_d, "discriminator_forward": d_pass, "discriminator_first_layer": first_d}


def main(framework, args, make_port):
    """`make_port(args, batches)` returns a port with `step()` → (d_loss, wasserstein, penalty,
    g_loss) as framework scalars (not forced), `scalars(result)` → floats (forces them), and
    `measured_flops()` → dict of measured counts per generator step."""
    batches = Batches(eight_gaussians(), seed=args.seed)  # one dataset (seed 1), like ganpipe's
    port = make_port(args, batches)
    if args.flops:
        print(json.dumps({"framework": framework, "width": args.width, "batch_size": args.batch_size,
                          "analytic": analytic_flops(args.width, args.batch_size), "measured": port.measured_flops()}))
    elif args.trace:
        for step in range(1, args.trace + 1):
            d_loss, wasserstein, penalty, g_loss = port.scalars(port.step())
            print(json.dumps({"step": step, "d_loss": d_loss, "wasserstein": wasserstein,
                              "penalty": penalty, "g_loss": g_loss}), flush=True)
    else:
        port.scalars(port.step())  # warm-up (JAX: compiles here)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.time):
            result = port.step()
        port.scalars(result)  # waits for the last step, hence for all of them
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(json.dumps({"framework": framework, "threads": args.threads, "steps": args.time, "width": args.width,
                          "batch_size": args.batch_size, "ms_per_generator_step": 1000 * wall / args.time,
                          "cpu_per_wall": cpu / wall}))
    sys.stdout.flush()
