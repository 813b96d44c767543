"""The WGAN-GP authors' MNIST networks as `ganpipe bench train --workload wgan-gp-mnist` runs
them, in JAX (the same networks, sizes and optimiser as wgan_gp_mnist_torch.py).

    python wgan_gp_mnist_jax.py --time 5 [--channels 64 --batch-size 50 --threads 1]
    python wgan_gp_mnist_jax.py --trace 100 [--data fashion.npy]
    python wgan_gp_mnist_jax.py --flops

One jit-compiled function per generator step (lax.fori_loop over the 5 critic steps, then the
generator step; Adam written out; state donated), NCHW convolutions through
lax.conv_general_dilated and lax.conv_transpose (PyTorch's ConvTranspose2d geometry: padding
k − 1 on each side of the dilated input, the kernel flipped). Threads as in wgan_gp_jax.py.
"""
import json
import os
import sys
import time

import mnist_workload as workload

args = workload.parse_args(__doc__.splitlines()[0])
eigen = "true" if args.threads > 1 else "false"
os.environ["XLA_FLAGS"] = os.environ.get("XLA_FLAGS", "") + f" --xla_cpu_multi_thread_eigen={eigen} intra_op_parallelism_threads={args.threads}"
os.environ["NPROC"] = str(args.threads)
os.environ["JAX_PLATFORMS"] = "cpu"

import numpy as np  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

D, B = args.channels, args.batch_size
NOISE, CRITIC_STEPS, LAMBDA = workload.NOISE, workload.CRITIC_STEPS, workload.LAMBDA
LR, BETA1, BETA2, EPS = workload.LEARNING_RATE, workload.BETA1, workload.BETA2, workload.ADAM_EPSILON
NCHW = ("NCHW", "OIHW", "NCHW")


def uniform(key, shape, fan_in):
    bound = 1 / fan_in ** 0.5
    return jax.random.uniform(key, shape, minval=-bound, maxval=bound)


def init(key):
    """PyTorch's default initialisation (weight and bias uniform in ±1/√fan_in; a transposed
    convolution's fan_in from its weight's second axis)."""
    k = iter(jax.random.split(key, 16))
    linear = lambda i, o: (uniform(next(k), (o, i), i), uniform(next(k), (o,), i))
    conv = lambda i, o, s: (uniform(next(k), (o, i, s, s), i * s * s), uniform(next(k), (o,), i * s * s))
    convT = lambda i, o, s: (uniform(next(k), (i, o, s, s), o * s * s), uniform(next(k), (o,), o * s * s))
    g = [linear(NOISE, 64 * D), convT(4 * D, 2 * D, 5), convT(2 * D, D, 5), convT(D, 1, 8)]
    c = [conv(1, D, 5), conv(D, 2 * D, 5), conv(2 * D, 4 * D, 5), linear(64 * D, 1)]
    return g, c


def conv(x, w, b, stride, padding):
    y = lax.conv_general_dilated(x, w, (stride, stride), [(padding, padding)] * 2, dimension_numbers=NCHW)
    return y + b[None, :, None, None]


def conv_transpose(x, w, b, stride):
    # PyTorch ConvTranspose2d (padding 0): a convolution of the stride-dilated input, padded by
    # k − 1, with the kernel flipped and its in/out axes swapped.
    k = w.shape[2]
    kernel = jnp.flip(w, (2, 3)).transpose(1, 0, 2, 3)
    y = lax.conv_general_dilated(x, kernel, (1, 1), [(k - 1, k - 1)] * 2, lhs_dilation=(stride, stride), dimension_numbers=NCHW)
    return y + b[None, :, None, None]


def generator(g, z):
    (w0, b0), (w1, b1), (w2, b2), (w3, b3) = g
    x = jax.nn.relu(z @ w0.T + b0).reshape(-1, 4 * D, 4, 4)
    x = jax.nn.relu(conv_transpose(x, w1, b1, 1))[:, :, :7, :7]
    x = jax.nn.relu(conv_transpose(x, w2, b2, 1))
    return jax.nn.sigmoid(conv_transpose(x, w3, b3, 2)).reshape(-1, 784)


def critic(c, x):
    (w0, b0), (w1, b1), (w2, b2), (w3, b3) = c
    x = x.reshape(-1, 1, 28, 28)
    for w, b in ((w0, b0), (w1, b1), (w2, b2)):
        x = jax.nn.relu(conv(x, w, b, 2, 2))
    return x.reshape(-1, 64 * D) @ w3.T + b3


def adam_init(params):
    return (jnp.zeros((), jnp.int32), jax.tree.map(jnp.zeros_like, params), jax.tree.map(jnp.zeros_like, params))


def adam_step(params, grads, state):
    t, m, v = state
    t = t + 1
    m = jax.tree.map(lambda m, g: BETA1 * m + (1 - BETA1) * g, m, grads)
    v = jax.tree.map(lambda v, g: BETA2 * v + (1 - BETA2) * g * g, v, grads)
    step_size = LR / (1 - BETA1 ** t)
    root = jnp.sqrt(1 - BETA2 ** t)
    return jax.tree.map(lambda p, m, v: p - step_size * m / (jnp.sqrt(v) / root + EPS), params, m, v), (t, m, v)


def critic_loss(c, real, fake, alpha):
    d_real, d_fake = critic(c, real).mean(), critic(c, fake).mean()
    interpolates = alpha * real + (1 - alpha) * fake
    gradient = jax.grad(lambda x: critic(c, x).sum())(interpolates)
    penalty = jnp.mean((jnp.sqrt(jnp.sum(gradient * gradient, axis=1) + 1e-12) - 1) ** 2)
    return d_fake - d_real + LAMBDA * penalty, d_real - d_fake


def critic_step(state, real, key):
    g, c, g_adam, c_adam = state
    noise_key, alpha_key = jax.random.split(key)
    fake = generator(g, jax.random.normal(noise_key, (B, NOISE)))
    (loss, wasserstein), grads = jax.value_and_grad(critic_loss, has_aux=True)(c, real, fake, jax.random.uniform(alpha_key, (B, 1)))
    c, c_adam = adam_step(c, grads, c_adam)
    return (g, c, g_adam, c_adam), jnp.stack([loss, wasserstein])


def generator_update(state, key):
    g, c, g_adam, c_adam = state
    loss, grads = jax.value_and_grad(lambda g: -critic(c, generator(g, jax.random.normal(key, (B, NOISE)))).mean())(g)
    g, g_adam = adam_step(g, grads, g_adam)
    return (g, c, g_adam, c_adam), loss


def step(state, reals, key):
    keys = jax.random.split(key, CRITIC_STEPS + 1)
    state, stats = lax.fori_loop(0, CRITIC_STEPS, lambda i, carry: critic_step(carry[0], reals[i], keys[i]), (state, jnp.zeros(2)))
    state, g_loss = generator_update(state, keys[-1])
    return state, jnp.append(stats, g_loss)


images = workload.images(args)
rng = np.random.default_rng(args.seed)
key, init_key = jax.random.split(jax.random.key(args.seed))
g, c = init(init_key)
state = (g, c, adam_init(g), adam_init(c))
jitted = jax.jit(step, donate_argnums=0)
reals = lambda: images[rng.integers(0, len(images), CRITIC_STEPS * B)].reshape(CRITIC_STEPS, B, 784)

if args.flops:
    k = jax.random.key(0)
    critic_cost = jax.jit(critic_step).lower(state, reals()[0], k).compile().cost_analysis()
    generator_cost = jax.jit(generator_update).lower(state, k).compile().cost_analysis()
    flops = lambda a: int((a[0] if isinstance(a, list) else a)["flops"])
    print(json.dumps({"framework": "jax", "channels": D, "batch_size": B,
                      "cost_analysis_flops_per_generator_step": CRITIC_STEPS * flops(critic_cost) + flops(generator_cost)}))
elif args.trace:
    for number in range(1, args.trace + 1):
        key, k = jax.random.split(key)
        state, stats = jitted(state, reals(), k)
        d_loss, wasserstein, g_loss = (float(v) for v in jax.device_get(stats))
        print(json.dumps({"step": number, "d_loss": d_loss, "wasserstein": wasserstein, "g_loss": g_loss}), flush=True)
else:
    key, k = jax.random.split(key)
    state, stats = jitted(state, reals(), k)
    jax.device_get(stats)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.time):
        key, k = jax.random.split(key)
        state, stats = jitted(state, reals(), k)
    jax.device_get(stats)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"framework": "jax", "workload": "wgan-gp-mnist", "threads": args.threads, "steps": args.time, "channels": D,
                      "batch_size": B, "ms_per_generator_step": 1000 * wall / args.time, "cpu_per_wall": cpu / wall, "jax": jax.__version__}))
sys.stdout.flush()
