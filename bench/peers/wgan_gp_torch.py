"""WGAN-GP toy workload (gan_toy.py, as `ganpipe bench train` runs it) in PyTorch, eager mode.

    python wgan_gp_torch.py --time 10 [--width 512 --batch-size 256 --threads 1]
    python wgan_gp_torch.py --trace 300 --seed 2
    python wgan_gp_torch.py --flops

Eager and idiomatic, like the paper's code: generator forward under no_grad during the
discriminator steps, discriminator weights frozen (requires_grad False) during the generator
step; one backward over the whole discriminator loss (gan_toy.py calls backward three times:
same products), no .item() or other sync in the timed loop. torch.compile is not used:
"torch.compile with aot_autograd does not currently support double backward", which the
penalty needs (checked with torch 2.13).
"""
import workload

args = workload.parse_args("torch")

import torch  # noqa: E402  (after parse_args: thread variables first)
from torch import nn  # noqa: E402

torch.set_num_threads(args.threads)
torch.set_num_interop_threads(1)


def mlp(inputs, outputs, width):
    sizes = [inputs] + [width] * workload.HIDDEN_LAYERS
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(width, outputs))


class GlobalOnly:
    """Stands in for FlopCounterMode's ModuleTracker: every FLOP goes to "Global"."""
    parents = {"Global"}

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return None


class Port:
    def __init__(self, args, batches):
        torch.manual_seed(args.seed)
        self.batch, self.batches = args.batch_size, batches
        self.generator = mlp(workload.NOISE_DIM, workload.DATA_DIM, args.width)
        self.discriminator = mlp(workload.DATA_DIM, 1, args.width)
        adam = dict(lr=workload.LEARNING_RATE, betas=(workload.BETA1, workload.BETA2), eps=workload.ADAM_EPSILON)
        self.g_optimizer = torch.optim.Adam(self.generator.parameters(), **adam)
        self.d_optimizer = torch.optim.Adam(self.discriminator.parameters(), **adam)

    def noise(self):
        return torch.randn(self.batch, workload.NOISE_DIM)

    def discriminator_step(self):
        real = torch.from_numpy(self.batches.next(self.batch))
        with torch.no_grad():
            fake = self.generator(self.noise())
        d_real, d_fake = self.discriminator(real).mean(), self.discriminator(fake).mean()
        alpha = torch.rand(self.batch, 1)
        interpolates = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        scores = self.discriminator(interpolates)
        gradient, = torch.autograd.grad(scores.sum(), interpolates, create_graph=True)
        norms = torch.sqrt(gradient.square().sum(dim=1) + workload.NORM_EPSILON)
        penalty = (norms - 1).square().mean()
        loss = d_fake - d_real + workload.PENALTY_WEIGHT * penalty
        self.d_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.d_optimizer.step()
        return loss.detach(), (d_real - d_fake).detach(), penalty.detach()

    def generator_step(self):
        self.discriminator.requires_grad_(False)
        loss = -self.discriminator(self.generator(self.noise())).mean()
        self.g_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.g_optimizer.step()
        self.discriminator.requires_grad_(True)
        return loss.detach()

    def step(self):
        for _ in range(workload.DISCRIMINATOR_STEPS):
            d_stats = self.discriminator_step()
        return (*d_stats, self.generator_step())

    def scalars(self, result):
        return [float(value) for value in result]

    def measured_flops(self):
        from torch.utils.flop_counter import FlopCounterMode
        self.step()  # the first step also creates Adam's state
        counter = FlopCounterMode(display=False)
        # Its per-module tracker hooks break autograd.grad with respect to a leaf (x̂); count
        # globally only.
        counter.mod_tracker = GlobalOnly()
        with counter:
            self.step()
        by_operator = {str(op): count for op, count in counter.get_flop_counts()["Global"].items()}
        return {"flop_counter_mode": counter.get_total_flops(), "by_operator": by_operator}


if __name__ == "__main__":
    workload.main("torch", args, Port)
