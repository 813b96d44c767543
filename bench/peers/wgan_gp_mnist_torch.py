"""The WGAN-GP authors' MNIST networks (gan_mnist.py; the PyTorch port's layers) as
`ganpipe bench train --workload wgan-gp-mnist` runs them, in PyTorch, eager mode.

    python wgan_gp_mnist_torch.py --time 5 [--channels 64 --batch-size 50 --threads 1]
    python wgan_gp_mnist_torch.py --trace 100 [--data fashion.npy]
    python wgan_gp_mnist_torch.py --flops

G: Linear(128 → 4·4·4D) + ReLU → view(4D, 4, 4) → ConvT(4D → 2D, 5) + ReLU → crop 7×7 →
ConvT(2D → D, 5) + ReLU → ConvT(D → 1, 8, stride 2) → sigmoid; critic: three Conv(5, stride 2,
padding 2) + ReLU with D, 2D, 4D channels → Linear(4·4·4D → 1). Batch 50, 5 critic steps per
generator step, λ = 10, Adam 1e-4 β = (0.5, 0.9). Images: uniform noise in [0, 1] (the time of
a step does not depend on what they show) unless --data names an .npy of [N, 28, 28] in [0, 1].
"""
import json
import sys
import time

import mnist_workload as workload

args = workload.parse_args(__doc__.splitlines()[0])

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(args.threads)
torch.set_num_interop_threads(1)
torch.manual_seed(args.seed)
D, B = args.channels, args.batch_size
NOISE, CRITIC_STEPS, LAMBDA = workload.NOISE, workload.CRITIC_STEPS, workload.LAMBDA


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.preprocess = nn.Sequential(nn.Linear(NOISE, 4 * 4 * 4 * D), nn.ReLU())
        self.block1 = nn.Sequential(nn.ConvTranspose2d(4 * D, 2 * D, 5), nn.ReLU())
        self.block2 = nn.Sequential(nn.ConvTranspose2d(2 * D, D, 5), nn.ReLU())
        self.deconv_out = nn.ConvTranspose2d(D, 1, 8, stride=2)

    def forward(self, z):
        x = self.preprocess(z).view(-1, 4 * D, 4, 4)
        x = self.block1(x)[:, :, :7, :7]
        x = self.deconv_out(self.block2(x))
        return torch.sigmoid(x).view(-1, 784)


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(1, D, 5, stride=2, padding=2), nn.ReLU(),
            nn.Conv2d(D, 2 * D, 5, stride=2, padding=2), nn.ReLU(),
            nn.Conv2d(2 * D, 4 * D, 5, stride=2, padding=2), nn.ReLU())
        self.output = nn.Linear(4 * 4 * 4 * D, 1)

    def forward(self, x):
        return self.output(self.main(x.view(-1, 1, 28, 28)).view(-1, 4 * 4 * 4 * D))


images = workload.images(args)
rng = np.random.default_rng(args.seed)
G, C = Generator(), Critic()
adam = dict(lr=workload.LEARNING_RATE, betas=(workload.BETA1, workload.BETA2), eps=workload.ADAM_EPSILON)
g_opt, c_opt = torch.optim.Adam(G.parameters(), **adam), torch.optim.Adam(C.parameters(), **adam)


def critic_step():
    real = torch.from_numpy(images[rng.integers(0, len(images), B)])
    with torch.no_grad():
        fake = G(torch.randn(B, NOISE))
    d_real, d_fake = C(real).mean(), C(fake).mean()
    alpha = torch.rand(B, 1)
    interpolates = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    gradient, = torch.autograd.grad(C(interpolates).sum(), interpolates, create_graph=True)
    penalty = ((gradient.square().sum(dim=1) + 1e-12).sqrt() - 1).square().mean()
    loss = d_fake - d_real + LAMBDA * penalty
    c_opt.zero_grad(set_to_none=True)
    loss.backward()
    c_opt.step()
    return loss.detach(), (d_real - d_fake).detach()


def generator_step():
    C.requires_grad_(False)
    loss = -C(G(torch.randn(B, NOISE))).mean()
    g_opt.zero_grad(set_to_none=True)
    loss.backward()
    g_opt.step()
    C.requires_grad_(True)
    return loss.detach()


def step():
    for _ in range(CRITIC_STEPS):
        d_loss, wasserstein = critic_step()
    return d_loss, wasserstein, generator_step()


if args.flops:
    from torch.utils.flop_counter import FlopCounterMode

    class GlobalOnly:
        parents = {"Global"}
        def __enter__(self): return self
        def __exit__(self, *a): return None

    step()
    counter = FlopCounterMode(display=False)
    counter.mod_tracker = GlobalOnly()
    with counter:
        step()
    print(json.dumps({"framework": "torch", "channels": D, "batch_size": B, "flops_per_generator_step": counter.get_total_flops(),
                      "by_operator": {str(k): v for k, v in counter.get_flop_counts()["Global"].items()}}))
elif args.trace:
    for number in range(1, args.trace + 1):
        d_loss, wasserstein, g_loss = (float(v) for v in step())
        print(json.dumps({"step": number, "d_loss": d_loss, "wasserstein": wasserstein, "g_loss": g_loss}), flush=True)
else:
    step()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.time):
        result = step()
    [float(v) for v in result]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"framework": "torch", "workload": "wgan-gp-mnist", "threads": args.threads, "steps": args.time, "channels": D,
                      "batch_size": B, "ms_per_generator_step": 1000 * wall / args.time, "cpu_per_wall": cpu / wall,
                      "torch": torch.__version__}))
sys.stdout.flush()
