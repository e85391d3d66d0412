"""Array-level restoration methods behind the experts (uint8 RGB in, uint8 RGB out).

Each is a published classical method run through OpenCV / scikit-image; the few lines written here
only pick parameters from the image's own measured degradation (noise σ, blur), never from data sets.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "clahe",
    "dark_channel_dehaze",
    "dct_denoise",
    "gamma_brighten",
    "guided_derain",
    "ibp_upscale",
    "median_derain",
    "nlmeans",
    "resize",
    "retinex_brighten",
    "rl_deconvolve",
    "tv_denoise",
    "unsharp",
    "wavelet_denoise",
    "wiener_deconvolve",
]


def _f32(rgb8: np.ndarray) -> np.ndarray:
    return rgb8.astype(np.float32) / 255.0


def _u8(rgb: np.ndarray) -> np.ndarray:
    return np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _sigma(rgb8: np.ndarray) -> float:
    from skimage.restoration import estimate_sigma

    return float(estimate_sigma(rgb8.astype(np.float64), channel_axis=-1, average_sigmas=True))


def resize(rgb8: np.ndarray, scale: float, method: str = "bicubic") -> np.ndarray:
    """OpenCV resize by `scale` with `method` in bicubic / lanczos / area / linear."""
    import cv2

    flags = {
        "bicubic": cv2.INTER_CUBIC,
        "lanczos": cv2.INTER_LANCZOS4,
        "area": cv2.INTER_AREA,
        "linear": cv2.INTER_LINEAR,
    }
    h, w = rgb8.shape[:2]
    return cv2.resize(rgb8, (round(w * scale), round(h * scale)), interpolation=flags[method])


def ibp_upscale(rgb8: np.ndarray, scale: int, iterations: int = 8) -> np.ndarray:
    """Irani–Peleg iterative back-projection from a Lanczos start (keeps the HR result consistent with the LR)."""
    import cv2

    low = _f32(rgb8)
    h, w = rgb8.shape[:2]
    high = np.asarray(
        cv2.resize(low, (w * scale, h * scale), interpolation=cv2.INTER_LANCZOS4), dtype=np.float32
    )
    for _ in range(iterations):
        error = low - cv2.resize(high, (w, h), interpolation=cv2.INTER_AREA)
        high += cv2.resize(error, (w * scale, h * scale), interpolation=cv2.INTER_CUBIC)
    return _u8(high)


def nlmeans(rgb8: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """OpenCV fastNlMeansDenoisingColored with h set from the estimated noise σ."""
    import cv2

    sigma = max(_sigma(rgb8), 1.0)
    h = float(np.clip(strength * 0.9 * sigma, 2.0, 30.0))
    return cv2.fastNlMeansDenoisingColored(rgb8, None, h, h, 5 if min(rgb8.shape[:2]) > 16 else 3, 15)


def dct_denoise(rgb8: np.ndarray, sigma: float | None = None) -> np.ndarray:
    """OpenCV xphoto sliding-window DCT denoising (Yu & Sapiro) at the estimated σ."""
    import cv2

    value = max(_sigma(rgb8), 2.0) if sigma is None else sigma
    src = rgb8.astype(np.float32)
    dst = np.empty_like(src)
    cv2.xphoto.dctDenoising(src, dst, float(value))
    # Pixels the 16×16 sliding window never covers (small images) come back as NaN: keep the input there.
    dst = np.where(np.isfinite(dst), dst, src)
    return np.clip(dst + 0.5, 0, 255).astype(np.uint8)


def tv_denoise(rgb8: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """scikit-image Chambolle total-variation denoising, weight proportional to σ."""
    from skimage.restoration import denoise_tv_chambolle

    weight = float(np.clip(scale * _sigma(rgb8) / 255.0 * 2.0, 0.01, 0.3))
    return _u8(denoise_tv_chambolle(_f32(rgb8), weight=weight, channel_axis=-1))


def wavelet_denoise(rgb8: np.ndarray) -> np.ndarray:
    """scikit-image BayesShrink wavelet denoising in YCbCr."""
    from skimage.restoration import denoise_wavelet

    return _u8(
        denoise_wavelet(
            _f32(rgb8),
            channel_axis=-1,
            convert2ycbcr=True,
            method="BayesShrink",
            mode="soft",
            rescale_sigma=True,
        )
    )


def unsharp(rgb8: np.ndarray, sigma: float = 1.5, amount: float = 0.8) -> np.ndarray:
    """Unsharp masking (OpenCV Gaussian)."""
    import cv2

    image = _f32(rgb8)
    blurred = cv2.GaussianBlur(image, (0, 0), sigma)
    return _u8(image + amount * (image - blurred))


def _psf(kind: str, size: float, angle: float = 0.0) -> np.ndarray:
    import cv2

    radius = max(2, int(np.ceil(size * (3 if kind == "gaussian" else 1))))
    k = 2 * radius + 1
    if kind == "gaussian":
        g = cv2.getGaussianKernel(k, max(size, 0.3))
        psf = g @ g.T
    else:
        psf = np.zeros((k, k), np.float32)
        cv2.line(psf, (radius, radius), (radius, radius), 1.0, 1)
        dx, dy = np.cos(np.deg2rad(angle)) * size / 2, np.sin(np.deg2rad(angle)) * size / 2
        cv2.line(
            psf, (round(radius - dx), round(radius - dy)), (round(radius + dx), round(radius + dy)), 1.0, 1
        )
    return (psf / psf.sum()).astype(np.float32)


def motion_angle(rgb8: np.ndarray) -> float:
    """Blur direction (degrees): the direction of weakest gradient energy in the structure tensor."""
    import cv2

    g = _f32(rgb8).mean(axis=2)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1)
    tensor = np.array([[np.mean(gx * gx), np.mean(gx * gy)], [np.mean(gx * gy), np.mean(gy * gy)]])
    _values, vectors = np.linalg.eigh(tensor)
    weak = vectors[:, 0]  # gradients are weakest along the blur direction
    return float(np.rad2deg(np.arctan2(weak[1], weak[0])))


def rl_deconvolve(rgb8: np.ndarray, kind: str, size: float, iterations: int = 15) -> np.ndarray:
    """Richardson–Lucy deconvolution in torch (CUDA when available) with a Gaussian or line PSF."""
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    psf = _psf(kind, size, motion_angle(rgb8) if kind == "line" else 0.0)
    k = torch.from_numpy(psf).to(device)[None, None].repeat(3, 1, 1, 1)
    flipped = torch.flip(k, dims=(2, 3))
    pad = psf.shape[0] // 2
    observed = torch.from_numpy(_f32(rgb8)).permute(2, 0, 1)[None].to(device).clamp_min(1e-4)
    estimate = observed.clone()

    def conv(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.conv2d(
            torch.nn.functional.pad(x, (pad,) * 4, mode="replicate"), kernel, groups=3
        )

    with torch.no_grad():
        for _ in range(iterations):
            ratio = observed / conv(estimate, k).clamp_min(1e-4)
            estimate = (estimate * conv(ratio, flipped)).clamp(0, 1)
    return _u8(estimate[0].permute(1, 2, 0).cpu().numpy())


def wiener_deconvolve(rgb8: np.ndarray, kind: str, size: float) -> np.ndarray:
    """scikit-image Wiener deconvolution per channel, regularisation from the noise level."""
    from skimage.restoration import wiener

    psf = _psf(kind, size, motion_angle(rgb8) if kind == "line" else 0.0)
    balance = float(np.clip((_sigma(rgb8) / 255.0) * 4 + 0.01, 0.01, 0.3))
    image = _f32(rgb8)
    pad = psf.shape[0]
    padded = np.pad(image, ((pad, pad), (pad, pad), (0, 0)), mode="reflect")
    out = np.stack([wiener(padded[..., c], psf, balance, clip=True) for c in range(3)], axis=-1)
    return _u8(out[pad:-pad, pad:-pad])


def dark_channel_dehaze(rgb8: np.ndarray, omega: float = 0.9, t0: float = 0.15) -> np.ndarray:
    """He et al. dark-channel-prior dehazing, transmission refined with OpenCV's guided filter."""
    import cv2

    image = _f32(rgb8)
    size = 15 if min(image.shape[:2]) >= 60 else 5
    dark = cv2.erode(image.min(axis=2), np.ones((size, size), np.uint8))
    count = max(1, dark.size // 1000)
    brightest = np.argsort(dark.ravel())[-count:]
    airlight = image.reshape(-1, 3)[brightest].max(axis=0).clip(0.3, 1.0)
    normalized = image / airlight
    transmission = 1 - omega * cv2.erode(normalized.min(axis=2), np.ones((size, size), np.uint8))
    guide = image.mean(axis=2).astype(np.float32)
    transmission = np.asarray(cv2.ximgproc.guidedFilter(guide, transmission.astype(np.float32), 30, 1e-3))
    t = np.maximum(transmission, t0)[..., None]
    return _u8((image - airlight) / t + airlight)


def clahe(rgb8: np.ndarray, clip: float = 2.0) -> np.ndarray:
    """Contrast-limited adaptive histogram equalisation on the L channel of Lab."""
    import cv2

    lab = cv2.cvtColor(rgb8, cv2.COLOR_RGB2LAB)
    tiles = max(2, min(8, min(rgb8.shape[:2]) // 32))
    lab[..., 0] = cv2.createCLAHE(clipLimit=clip, tileGridSize=(tiles, tiles)).apply(lab[..., 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def gamma_brighten(rgb8: np.ndarray, target: float = 0.45) -> np.ndarray:
    """Global gamma chosen so the mean luma moves to `target`."""
    image = _f32(rgb8)
    mean = float(np.clip(image.mean(), 1e-3, 0.999))
    gamma = float(np.clip(np.log(target) / np.log(mean), 0.3, 1.0))
    return _u8(image**gamma)


def retinex_brighten(rgb8: np.ndarray, sigmas: tuple[float, ...] = (15, 80, 200)) -> np.ndarray:
    """Multi-scale Retinex on luminance (Jobson et al.), colour kept by scaling RGB with the luma gain."""
    import cv2

    image = _f32(rgb8) + 1e-3
    luma = image.mean(axis=2)
    sigmas = tuple(min(s, max(image.shape[:2]) / 3) for s in sigmas)
    msr = np.mean([np.log(luma) - np.log(cv2.GaussianBlur(luma, (0, 0), s) + 1e-3) for s in sigmas], axis=0)
    low, high = np.percentile(msr, (1, 99))
    enhanced = np.clip((msr - low) / max(high - low, 1e-6), 0, 1)
    enhanced = 0.6 * enhanced + 0.4 * np.sqrt(luma)
    gain = (enhanced / luma)[..., None]
    return _u8(np.clip(image * gain, 0, 1))


def guided_derain(rgb8: np.ndarray) -> np.ndarray:
    """Split base/detail with a guided filter and clip thin bright streaks out of the detail layer."""
    import cv2

    image = _f32(rgb8)
    base = cv2.ximgproc.guidedFilter(image, image, 4, 0.02)
    detail = image - base
    streak_free = cv2.medianBlur((detail * 0.5 + 0.5).astype(np.float32), 5) * 2 - 1
    return _u8(base + np.minimum(detail, streak_free))


def median_derain(rgb8: np.ndarray) -> np.ndarray:
    """A 5-tap horizontal median (across near-vertical streaks), applied only where it darkens the pixel."""
    import cv2

    across = np.median(np.stack([np.roll(rgb8, shift, axis=1) for shift in (-2, -1, 0, 1, 2)]), axis=0)
    return cv2.medianBlur(np.minimum(rgb8, across.astype(np.uint8)), 3)
