"""Does PyTorch reproduce a ganpipe generator? Loads the module file and weights written by
`ganpipe export RUN --to W.safetensors --torch-module M.py`, runs G on the noise written by
`ganpipe sample RUN --to S.npy --noise-to Z.npy`, and prints the largest difference. For a
class-conditional run, sample with `--class K` and pass K last.

    .venv/bin/python export_check.py M.py W.safetensors Z.npy S.npy [K]
"""
import importlib.util
import json
import sys

import numpy as np
import torch

module_path, weights, noise, samples = sys.argv[1:5]
spec = importlib.util.spec_from_file_location("ganpipe_model", module_path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
generator, discriminator = module.load(weights)
z = torch.from_numpy(np.load(noise))
ours = np.load(samples).reshape(len(z), -1)
labels = () if len(sys.argv) < 6 else (torch.full((len(z),), int(sys.argv[5]), dtype=torch.long),)
with torch.no_grad():
    theirs = generator(z, *labels).numpy()
    discriminator(torch.from_numpy(ours), *labels)  # the critic loads and runs too
print(json.dumps({"samples": len(z), "max_abs_difference": float(np.abs(theirs - ours).max()),
                  "max_abs_value": float(np.abs(ours).max()), "torch": torch.__version__}))
