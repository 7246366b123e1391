"""JAX (float64) references for the evals' functions, written independently of the tool.

``expected(module, function, input)`` is the output an eval function must produce for an
``evaluate`` input, as JSON; ``saddle`` and ``particle`` have published golden values instead
(``GOLDEN``). JAX is imported on first use, with ``jax_enable_x64`` set.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np

Input = dict[str, Any]

GOLDEN = {"saddle": [8.246324826140356e-06] * 4, "particle": 0.2071918746486116}
"""The outputs GradBench's saddle and particle evals check, for every mode pair."""


@cache
def jax() -> Any:
    """The ``jax`` module in float64."""
    import jax

    jax.config.update("jax_enable_x64", True)
    return jax


def lse(x):
    """max-trick LogSumExp."""
    jnp = jax().numpy
    a = jnp.max(x)
    return jnp.log(jnp.sum(jnp.exp(x - a))) + a


def llsq(x, n: int):
    """½‖sign(t) − T x‖²."""
    jnp = jax().numpy
    t = -1.0 + jnp.arange(n) * 2.0 / (n - 1.0)
    T = t[:, None] ** jnp.arange(x.shape[0])[None, :]
    return jnp.sum((jnp.sign(t) - T @ x) ** 2) / 2.0


def ode(x, s: int):
    """y(2) by s Runge–Kutta steps."""
    jnp = jax().numpy

    def f(y):
        return jnp.concatenate([x[:1], x[1:] * y[:-1]])

    h, y = 2.0 / s, jnp.zeros_like(x)
    for _ in range(s):
        k1 = f(y)
        k2 = f(y + h / 2 * k1)
        k3 = f(y + h / 2 * k2)
        k4 = f(y + h * k3)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


def kmeans(points, centroids):
    """Σᵢ minⱼ ‖Pᵢ − Cⱼ‖²."""
    jnp = jax().numpy
    d = (
        jnp.sum(points**2, 1)[:, None]
        + jnp.sum(centroids**2, 1)[None, :]
        - 2 * points @ centroids.T
    )
    return jnp.min(d, axis=1).sum()


def lstm(main, extra, state, sequence):
    """ADBench's LSTM loss."""
    jnp = jax().numpy
    sigmoid = jax().nn.sigmoid
    state, total = list(state), 0.0
    for t in range(sequence.shape[0] - 1):
        x, new = sequence[t] * extra[0], []
        for i in range(0, len(state), 2):
            n = state[i].shape[0]
            g = jnp.concatenate([x, state[i], x, state[i]]) * main[i] + main[i + 1]
            cell = state[i + 1] * sigmoid(g[:n]) + sigmoid(g[n : 2 * n]) * jnp.tanh(g[3 * n :])
            x = sigmoid(g[2 * n : 3 * n]) * jnp.tanh(cell)
            new += [x, cell]
        state, y = new, x * extra[1] + extra[2]
        total += jnp.sum(sequence[t + 1] * (y - jnp.log(jnp.sum(jnp.exp(y)) + 2)))
    return -total / ((sequence.shape[0] - 1) * sequence.shape[1])


def gmm(alpha, mu, q, lower, x, m: int, gamma: float):
    """GradBench's JAX GMM objective (log-likelihood plus Wishart prior)."""
    jnp = jax().numpy
    logsumexp = jax().scipy.special.logsumexp
    multigammaln = jax().scipy.special.multigammaln
    n, d = x.shape
    k = alpha.shape[0]
    rows, cols = np.tril_indices(d, -1)
    order = np.argsort(cols * d + rows)
    Ls = jnp.zeros((k, d, d)).at[:, rows[order], cols[order]].set(lower)
    Qdiags, sum_qs = jnp.exp(q), jnp.sum(q, axis=1)
    xc = x[:, None, :] - mu[None]
    Lxc = Qdiags * xc + jnp.einsum("kij,nkj->nki", Ls, xc)
    inner = alpha + sum_qs - 0.5 * jnp.sum(Lxc**2, axis=2)
    dof = d + m + 1
    prior = -jnp.sum(
        0.5 * gamma**2 * (jnp.sum(Qdiags**2, 1) + jnp.sum(lower**2, 1)) - m * sum_qs
    ) + k * (dof * d * math.log(gamma / math.sqrt(2)) - multigammaln(0.5 * dof, d))
    return (
        -n * d * 0.5 * math.log(2 * math.pi)
        + jnp.sum(logsumexp(inner, axis=1))
        - n * logsumexp(alpha)
        + prior
    )


def ba_residual(cam, X, w, feat):
    """One observation's weighted reprojection error (ADBench's ``compute_reproj_err``)."""
    jnp = jax().numpy
    rot, Xc = cam[:3], X - cam[3:6]
    theta = jnp.sqrt(jnp.sum(rot**2))
    axis = rot / theta
    Xr = (
        Xc * jnp.cos(theta)
        + jnp.cross(axis, Xc) * jnp.sin(theta)
        + axis * jnp.dot(axis, Xc) * (1 - jnp.cos(theta))
    )
    proj = Xr[:2] / Xr[2]
    rsq = jnp.sum(proj**2)
    distorted = proj * (1 + cam[9] * rsq + cam[10] * rsq**2)
    return w * (distorted * cam[6] + cam[7:9] - feat)


def ht_vertices(theta, model):
    """The posed hand's vertex positions (ADBench's hand model)."""
    jnp = jax().numpy
    B = model["bone_count"]
    pose = jnp.zeros((B + 3, 3))
    pose = pose.at[0].set(theta[0:3]).at[1].set(1.0).at[2].set(theta[3:6])
    i_theta, row = 6, 5
    for _ in range(5):
        for i in (1, 2, 3):
            pose = pose.at[row, 0].set(theta[i_theta])
            i_theta += 1
            if i == 1:
                pose = pose.at[row, 1].set(theta[i_theta])
                i_theta += 1
            row += 1
        row += 1
    absolutes = []
    for b in range(B):
        tx, tz, ty = pose[3 + b]
        c, s = jnp.cos, jnp.sin
        Rx = jnp.array([[1, 0, 0], [0, c(tx), -s(tx)], [0, s(tx), c(tx)]])
        Ry = jnp.array([[c(ty), 0, -s(ty)], [0, 1, 0], [s(ty), 0, c(ty)]])
        Rz = jnp.array([[c(tz), -s(tz), 0], [s(tz), c(tz), 0], [0, 0, 1]])
        rel = jnp.asarray(model["base_relatives"][b]) @ jnp.eye(4).at[:3, :3].set(Rz @ Ry @ Rx)
        parent = model["parents"][b]
        absolutes.append(rel if parent == -1 else absolutes[parent] @ rel)
    transforms = jnp.stack(absolutes) @ jnp.asarray(model["inverse_base_absolutes"])
    positions = jnp.einsum(
        "mb,bij,mj->mi",
        jnp.asarray(model["weights"]),
        transforms,
        jnp.asarray(model["base_positions"]),
    )[:, :3]
    aa = pose[0]
    n = jnp.sqrt(jnp.sum(aa**2))
    x, y, z = aa / n
    co, si = jnp.cos(n), jnp.sin(n)
    R = jnp.array(
        [
            [x * x + (1 - x * x) * co, x * y * (1 - co) - z * si, x * z * (1 - co) + y * si],
            [x * y * (1 - co) + z * si, y * y + (1 - y * y) * co, y * z * (1 - co) - x * si],
            [x * z * (1 - co) - y * si, z * y * (1 - co) + x * si, z * z + (1 - z * z) * co],
        ]
    )
    return positions @ (R * pose[1]).T + pose[2]


def ht_error(theta, us, data):
    """Measured points minus their matched hand points, flattened."""
    jnp = jax().numpy
    V = ht_vertices(theta, data["model"])
    corr = np.asarray(data["correspondences"])
    if us is None:
        hand = V[corr]
    else:
        tri = np.asarray(data["model"]["triangles"])[corr]
        hand = us[:, :1] * V[tri[:, 0]] + us[:, 1:] * V[tri[:, 1]]
        hand = hand + (1 - us[:, :1] - us[:, 1:]) * V[tri[:, 2]]
    return (jnp.asarray(data["points"]) - hand).ravel()


def compiled(fn: Any, *arrays: Any) -> Any:
    """``fn(*arrays)`` as one compiled program, its leaves as NumPy arrays; ``fn`` closes over
    everything that is not an array. Eager JAX compiles each operation the first time it meets
    it, which is most of the time a loop-free reference (gmm, ba) takes; the references that
    unroll Python loops (ode, lstm, ht) run eagerly, where each repeated operation compiles once,
    which takes a fraction of compiling the unrolled program."""
    return jax().tree_util.tree_map(np.asarray, jax().jit(fn)(*arrays))


def ba_expected(function: str, input: Input) -> Any:
    """BA's objective summary or its sparse Jacobian (CSR rows, cols, vals)."""
    jax_ = jax()
    n, m, p = input["n"], input["m"], input["p"]
    cam, X = np.asarray(input["cam"]), np.asarray(input["x"])
    w, feat = float(input["w"]), np.asarray(input["feat"])
    if function == "objective":
        r = compiled(lambda c, x: ba_residual(c, x, w, feat), cam, X)
        return {
            "reproj_error": {"elements": r.tolist(), "repeated": p},
            "w_err": {"element": 1.0 - w * w, "repeated": p},
        }
    blocks = compiled(
        jax_.jacfwd(lambda c, x, w_: ba_residual(c, x, w_, feat), (0, 1, 2)), cam, X, w
    )
    J = np.concatenate([np.asarray(b).reshape(2, -1) for b in blocks], axis=1)
    rows, cols, vals = [0], [], []
    for j in range(p):
        block = [11 * (j % n) + i for i in range(11)] + [11 * n + 3 * (j % m) + i for i in range(3)]
        for r in range(2):
            cols += [*block, 11 * n + 3 * m + j]
            vals += J[r].tolist()
            rows.append(rows[-1] + 15)
    for j in range(p):
        cols.append(11 * n + 3 * m + j)
        vals.append(-2.0 * w)
        rows.append(rows[-1] + 1)
    return {"rows": rows, "cols": cols, "vals": vals}


def expected(module: str, function: str, input: Input) -> Any:
    """The JSON output JAX computes for ``module.function`` on ``input``."""
    jax_ = jax()
    jnp = jax_.numpy
    f = np.asarray
    if module == "hello":
        return input * input if function == "square" else float(jax_.grad(lambda x: x * x)(input))
    if module == "lse":
        return compiled(lse if function == "primal" else jax_.grad(lse), f(input["x"])).tolist()
    if module == "llsq":
        fn = llsq if function == "primal" else jax_.grad(llsq)
        return compiled(lambda x: fn(x, input["n"]), f(input["x"])).tolist()
    if module == "det":
        A = f(input["A"]).reshape(input["ell"], input["ell"])
        if function == "primal":
            return float(compiled(jnp.linalg.det, A))
        return compiled(jax_.grad(jnp.linalg.det), A).ravel().tolist()
    if module == "ode":
        x, s = f(input["x"]), input["s"]
        out = ode(x, s) if function == "primal" else jax_.grad(lambda x: ode(x, s)[-1])(x)
        return f(out).tolist()
    if module == "kmeans":
        P, C = f(input["points"]), f(input["centroids"])
        if function == "cost":
            return float(compiled(kmeans, P, C))

        def newton_step(P: Any, C: Any) -> Any:  # J / H, H the Hessian's diagonal
            J, H = jax_.jvp(jax_.grad(lambda c: kmeans(P, c)), (C,), (jnp.ones_like(C),))
            return J / H

        return compiled(newton_step, P, C).tolist()
    if module == "lstm":
        args = [f(input[k]) for k in ("main_params", "extra_params", "state", "sequence")]
        if function == "objective":
            return float(lstm(*args))
        grads = jax_.grad(lstm, (0, 1))(*args)
        return np.concatenate([f(g).ravel() for g in grads]).tolist()
    if module == "gmm":
        params = [f(input[k]) for k in ("alpha", "mu", "q", "l")]
        x, m, gamma = f(input["x"]), input["m"], input["gamma"]
        if function == "objective":
            return float(compiled(lambda *p: gmm(*p, x, m, gamma), *params))
        grads = compiled(jax_.grad(lambda *p: gmm(*p, x, m, gamma), (0, 1, 2, 3)), *params)
        return {k: g.tolist() for k, g in zip(("alpha", "mu", "q", "l"), grads, strict=True)}
    if module == "ba":
        return ba_expected(function, input)
    if module == "ht":
        theta, data = f(input["theta"]), input["data"]
        us = f(input["us"]) if len(input["us"]) else None
        if function == "objective":
            return f(ht_error(theta, us, data)).tolist()
        if us is None:
            return f(jax_.jacfwd(lambda t: ht_error(t, None, data))(theta)).tolist()
        Jt = f(jax_.jacfwd(lambda t: ht_error(t, us, data))(theta))
        Ju = f(jax_.jacfwd(lambda u: ht_error(theta, u, data))(us)).reshape(len(us), 3, len(us), 2)
        Ju = np.stack([Ju[i, :, i, :] for i in range(len(us))]).reshape(-1, 2)
        return np.concatenate([Ju, Jt], axis=1).tolist()
    raise KeyError(module)


def compare(expected: Any, actual: Any) -> float:
    """The largest relative error of ``actual`` against ``expected`` (nested JSON values).

    Arrays compare normwise, max |actual − expected| / max |expected|, as the test suite does;
    integers (sparse-matrix indices, repeat counts) must be equal.
    """
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and expected.keys() == actual.keys(), (expected, actual)
        return max((compare(expected[k], actual[k]) for k in expected), default=0.0)
    if isinstance(expected, int) and not isinstance(expected, bool):
        assert expected == actual, (expected, actual)
        return 0.0
    e, a = np.asarray(expected, dtype=np.float64), np.asarray(actual, dtype=np.float64)
    assert e.shape == a.shape, (e.shape, a.shape)
    diff = np.max(np.abs(a - e), initial=0.0)
    scale = np.max(np.abs(e), initial=0.0)
    return float(diff / scale if scale else diff)
