#!/usr/bin/env python3
"""Optuna's default TPE on the tuner benchmark's functions; run by bench/tuner.ts, which checks every value.

    /usr/bin/python3 bench/optuna-reference.py --seeds 20 --budget 100 [--functions branin,hartmann6]

Prints one JSON line per (function, seed): the parameters and the observed value of every trial, in order.
The functions mirror bench/tuner.ts exactly (the noise too: both derive it from the seed and the trial index),
and bench/tuner.ts recomputes each value to prove it.
"""
import argparse
import json
import math
import sys

import optuna

M32 = 0xFFFFFFFF
BRANIN_MIN = 0.397887357729738
HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]
HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]
MIXED_OFFSET = {"relu": 0.3, "tanh": 0.0, "sigmoid": 0.6}
NOISE_SD = 0.1


def branin(p):
    x1, x2 = p["x1"], p["x2"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def hartmann6(p):
    x = [p[f"x{j}"] for j in range(1, 7)]
    total = 0.0
    for i in range(4):
        inner = 0.0
        for j in range(6):
            inner += HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j]) ** 2
        total += HARTMANN_ALPHA[i] * math.exp(-inner)
    return -total


def mixed4(p):
    a = math.log10(p["lr"]) + 2.5
    b = p["x"] - 0.3
    k = (p["layers"] - 7) / 8
    return 1 + a * a / 4 + 0.5 * b * b + 0.2 * a * b + k * k + MIXED_OFFSET[p["activation"]]


def hash32(x):
    x &= M32
    x = ((x ^ (x >> 16)) * 0x7FEB352D) & M32
    x = ((x ^ (x >> 15)) * 0x846CA68B) & M32
    return (x ^ (x >> 16)) & M32


def noise(seed, trial):
    base = seed * 1000003 + 2 * trial
    u1 = (hash32(base) + 0.5) / 4294967296
    u2 = (hash32(base + 1) + 0.5) / 4294967296
    return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)


def suggest(function, trial):
    if function == "branin":
        return {"x1": trial.suggest_float("x1", -5, 10), "x2": trial.suggest_float("x2", 0, 15)}
    if function.startswith("hartmann6"):
        return {f"x{j}": trial.suggest_float(f"x{j}", 0, 1) for j in range(1, 7)}
    return {
        "lr": trial.suggest_float("lr", 1e-5, 1, log=True),
        "layers": trial.suggest_int("layers", 1, 32),
        "activation": trial.suggest_categorical("activation", ["relu", "tanh", "sigmoid"]),
        "x": trial.suggest_float("x", 0, 1),
    }


def observe(function, params, seed, index):
    if function == "branin":
        return branin(params)
    if function == "hartmann6":
        return hartmann6(params)
    if function == "hartmann6-noisy":
        return hartmann6(params) + NOISE_SD * noise(seed, index)
    return mixed4(params)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--functions", default="branin,hartmann6,mixed4,hartmann6-noisy")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    print(json.dumps({"optuna": optuna.__version__}), flush=True)
    for function in args.functions.split(","):
        for seed in range(1, args.seeds + 1):
            study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
            trials = []
            for index in range(args.budget):
                trial = study.ask()
                params = suggest(function, trial)
                value = observe(function, params, seed, index)
                study.tell(trial, value)
                trials.append({"params": params, "value": value})
            print(json.dumps({"function": function, "seed": seed, "trials": trials}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
