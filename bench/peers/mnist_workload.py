"""What the PyTorch and JAX ports of `ganpipe bench train --workload wgan-gp-mnist` share: the
options, the thread variables (set before the framework is imported) and the images.

The workload: the WGAN-GP authors' MNIST networks with D channels, batch B, 5 critic steps per
generator step, λ = 10, Adam 1e-4 (0.5, 0.9), noise 128. Images are uniform noise in [0, 1]
(the time of a step does not depend on what they show) unless --data names an .npy of
[N, 28, 28] or [N, 784] in [0, 1].
"""
import argparse
import os

NOISE, CRITIC_STEPS, LAMBDA = 128, 5, 10.0
LEARNING_RATE, BETA1, BETA2, ADAM_EPSILON = 1e-4, 0.5, 0.9, 1e-8


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--time", type=int, metavar="N", help="time N generator steps after warm-up; print JSON")
    mode.add_argument("--trace", type=int, metavar="N", help="train N generator steps; one JSON line of losses per step")
    mode.add_argument("--flops", action="store_true", help="print FLOPs per generator step as the framework counts them")
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data", help=".npy of images in [0, 1]")
    args = parser.parse_args()
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(args.threads)
    return args


def images(args):
    import numpy as np
    if args.data:
        return np.load(args.data).reshape(-1, 784).astype(np.float32)
    return np.random.default_rng(1).random((9000, 784), dtype=np.float32)
