"""WGAN-GP toy workload (gan_toy.py, as `ganpipe bench train` runs it) in JAX.

    python wgan_gp_jax.py --time 10 [--width 512 --batch-size 256 --threads 1]
    python wgan_gp_jax.py --trace 300 --seed 2
    python wgan_gp_jax.py --flops

One jit-compiled function per generator step: lax.fori_loop over the 5 discriminator steps,
then the generator step, Adam written out (as torch.optim.Adam computes it), parameters and
optimizer state donated so XLA updates them in place. The host only draws the step's 5 real
batches (the same shuffled-epoch sampler as the other ports) and passes them in.
Threads: NPROC=N is what bounds the intra-op thread pool of JAX 0.10's CPU client (without it
a "one-thread" run uses both cores: cpu_per_wall 1.5-1.9). XLA_FLAGS=--xla_cpu_multi_thread_eigen=
false intra_op_parallelism_threads=1 (the usual advice; multi-threaded Eigen for N > 1) and the
OMP/MKL/OpenBLAS variables are set too. Async dispatch stays on, as every JAX user has it: the
Python thread queues step n+1 while step n runs, which shows as cpu_per_wall > 1 on small shapes.
"""
import math
import os
import re

import workload

args = workload.parse_args("jax")
eigen = "true" if args.threads > 1 else "false"
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                           f" --xla_cpu_multi_thread_eigen={eigen} intra_op_parallelism_threads={args.threads}")
os.environ["NPROC"] = str(args.threads)
os.environ["JAX_PLATFORMS"] = "cpu"

import jax  # noqa: E402  (after the environment is set)
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402


def init_mlp(key, inputs, outputs, width):
    """nn.Linear's default: weight [out, in] and bias uniform in ±1/√in."""
    sizes = [inputs] + [width] * workload.HIDDEN_LAYERS + [outputs]
    params = []
    for key, (a, b) in zip(jax.random.split(key, len(sizes) - 1), zip(sizes, sizes[1:])):
        w_key, b_key = jax.random.split(key)
        bound = 1 / a ** 0.5
        params.append((jax.random.uniform(w_key, (b, a), minval=-bound, maxval=bound),
                       jax.random.uniform(b_key, (b,), minval=-bound, maxval=bound)))
    return params


def mlp(params, x):
    for w, b in params[:-1]:
        x = jax.nn.relu(x @ w.T + b)
    w, b = params[-1]
    return x @ w.T + b


def adam_init(params):
    return (jnp.zeros((), jnp.int32), jax.tree.map(jnp.zeros_like, params), jax.tree.map(jnp.zeros_like, params))


def adam_step(params, grads, state):
    t, m, v = state
    t = t + 1
    m = jax.tree.map(lambda m, g: workload.BETA1 * m + (1 - workload.BETA1) * g, m, grads)
    v = jax.tree.map(lambda v, g: workload.BETA2 * v + (1 - workload.BETA2) * g * g, v, grads)
    step_size = workload.LEARNING_RATE / (1 - workload.BETA1 ** t)
    root_correction = jnp.sqrt(1 - workload.BETA2 ** t)
    params = jax.tree.map(lambda p, m, v: p - step_size * m / (jnp.sqrt(v) / root_correction + workload.ADAM_EPSILON),
                          params, m, v)
    return params, (t, m, v)


def discriminator_loss(d_params, real, fake, alpha):
    d_real, d_fake = mlp(d_params, real).mean(), mlp(d_params, fake).mean()
    interpolates = alpha * real + (1 - alpha) * fake
    gradient = jax.grad(lambda x: mlp(d_params, x).sum())(interpolates)
    norms = jnp.sqrt(jnp.sum(gradient * gradient, axis=1) + workload.NORM_EPSILON)
    penalty = jnp.mean((norms - 1) ** 2)
    return d_fake - d_real + workload.PENALTY_WEIGHT * penalty, (d_real - d_fake, penalty)


def discriminator_step(state, real, key):
    g_params, d_params, g_adam, d_adam = state
    noise_key, alpha_key = jax.random.split(key)
    fake = mlp(g_params, jax.random.normal(noise_key, (real.shape[0], workload.NOISE_DIM)))
    alpha = jax.random.uniform(alpha_key, (real.shape[0], 1))
    (loss, (wasserstein, penalty)), grads = jax.value_and_grad(discriminator_loss, has_aux=True)(d_params, real, fake, alpha)
    d_params, d_adam = adam_step(d_params, grads, d_adam)
    return (g_params, d_params, g_adam, d_adam), jnp.stack([loss, wasserstein, penalty])


def generator_loss(g_params, d_params, noise):
    return -mlp(d_params, mlp(g_params, noise)).mean()


def generator_update(state, key, batch):
    g_params, d_params, g_adam, d_adam = state
    noise = jax.random.normal(key, (batch, workload.NOISE_DIM))
    loss, grads = jax.value_and_grad(generator_loss)(g_params, d_params, noise)
    g_params, g_adam = adam_step(g_params, grads, g_adam)
    return (g_params, d_params, g_adam, d_adam), loss


def generator_step(state, reals, key):
    """reals: [5, batch, 2]. Returns the new state and (d_loss, wasserstein, penalty) of the
    last discriminator step followed by g_loss."""
    keys = jax.random.split(key, workload.DISCRIMINATOR_STEPS + 1)

    def body(i, carry):
        return discriminator_step(carry[0], reals[i], keys[i])

    state, d_stats = lax.fori_loop(0, workload.DISCRIMINATOR_STEPS, body, (state, jnp.zeros(3)))
    state, g_loss = generator_update(state, keys[-1], reals.shape[1])
    return state, jnp.append(d_stats, g_loss)


class Port:
    def __init__(self, args, batches):
        self.batch, self.batches = args.batch_size, batches
        self.key, g_key, d_key = jax.random.split(jax.random.key(args.seed), 3)
        g_params = init_mlp(g_key, workload.NOISE_DIM, workload.DATA_DIM, args.width)
        d_params = init_mlp(d_key, workload.DATA_DIM, 1, args.width)
        self.state = (g_params, d_params, adam_init(g_params), adam_init(d_params))
        self.generator_step = jax.jit(generator_step, donate_argnums=0)

    def reals(self):
        return self.batches.next(workload.DISCRIMINATOR_STEPS * self.batch).reshape(
            workload.DISCRIMINATOR_STEPS, self.batch, workload.DATA_DIM)

    def step(self):
        self.key, key = jax.random.split(self.key)
        self.state, stats = self.generator_step(self.state, self.reals(), key)
        return stats

    def scalars(self, result):
        return [float(value) for value in jax.device_get(result)]

    def measured_flops(self):
        """XLA's cost analysis of the compiled discriminator and generator steps, compiled on
        their own (the analysis counts a while loop's body once). `cost_analysis_flops` counts
        every operation, `dot_flops` only the matrix products of the optimised HLO."""
        key = jax.random.key(0)
        d_step = jax.jit(discriminator_step).lower(self.state, self.reals()[0], key).compile()
        g_step = jax.jit(generator_update, static_argnums=2).lower(self.state, key, self.batch).compile()
        n = workload.DISCRIMINATOR_STEPS
        return {"cost_analysis_flops": n * cost(d_step) + cost(g_step),
                "dot_flops": n * dot_flops(d_step.as_text()) + dot_flops(g_step.as_text())}


def cost(compiled):
    analysis = compiled.cost_analysis()
    return int((analysis[0] if isinstance(analysis, list) else analysis)["flops"])


def dot_flops(hlo):
    """2 · (output elements) · (contracted size) for every dot in an optimised HLO module's text
    (the dots sit in fusions; their operands' shapes come from the lines defining them)."""
    dims = lambda text: [int(d) for d in text.split(",") if d]
    shapes = dict(re.findall(r"%(\S+) = f32\[([\d,]*)\]", hlo))
    total = 0
    for out, lhs, contracting in re.findall(
            r"= f32\[([\d,]*)\]\S* dot\(%(\S+), %\S+\), lhs_contracting_dims=\{([\d,]*)\}", hlo):
        total += 2 * math.prod(dims(out)) * math.prod(dims(shapes[lhs])[i] for i in dims(contracting))
    return total


if __name__ == "__main__":
    workload.main("jax", args, Port)
