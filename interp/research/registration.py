"""Registering one frame onto another's background (a homography), for ground truth on hand-held footage.

A benchmark of manipulated interpolation needs frames whose background does not move: then "object linear,
background hold" must equal the real middle frame and "object hold, background linear" must equal frame 0. A
hand-held clip becomes such a clip when frames i and i+2 are warped onto frame i+1's background. Images are
``H x W x 3`` uint8 RGB.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: A homography that moves no corner by more than this many pixels is taken as the identity (a fixed camera).
IDENTITY_TOLERANCE_PX = 0.35
MIN_MATCHES = 24


@dataclass(frozen=True)
class Registration:
    """A frame warped onto a reference: ``image`` (``H x W x 3`` uint8), ``valid`` (``H x W`` bool: pixels the
    warp filled), the 3x3 ``homography`` and how many feature matches agreed with it."""

    image: np.ndarray
    valid: np.ndarray
    homography: np.ndarray
    inliers: int


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def estimate_homography(
    moving: np.ndarray, fixed: np.ndarray, exclude: np.ndarray | None = None
) -> tuple[np.ndarray, int]:
    """The homography taking ``moving``'s background onto ``fixed``'s, and its number of inlier matches.

    SIFT features matched with Lowe's ratio test, then RANSAC (moving objects are outliers). ``exclude`` (``H x W``
    bool on ``fixed``, optional) marks pixels whose features are ignored, e.g. a known moving object. Raises
    ``ValueError`` when too few features match (a textureless or unrelated frame).
    """
    sift = cv2.SIFT_create(nfeatures=4000)
    keep = None if exclude is None else (~exclude).astype(np.uint8) * 255
    kp_m, des_m = sift.detectAndCompute(_grey(moving), None)
    kp_f, des_f = sift.detectAndCompute(_grey(fixed), keep)
    if des_m is None or des_f is None or len(kp_m) < MIN_MATCHES or len(kp_f) < MIN_MATCHES:
        raise ValueError("too few features to register the frames")
    pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(des_m, des_f, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < 0.75 * p[1].distance]
    if len(good) < MIN_MATCHES:
        raise ValueError(f"only {len(good)} feature matches between the frames (need {MIN_MATCHES})")
    src = np.float32([kp_m[m.queryIdx].pt for m in good])
    dst = np.float32([kp_f[m.trainIdx].pt for m in good])
    homography, inliers = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, 1.0, maxIters=5000, confidence=0.9999)
    if homography is None:
        raise ValueError("no homography fits the feature matches")
    return homography, int(inliers.sum())


def corner_shift(homography: np.ndarray, height: int, width: int) -> float:
    """Largest displacement (pixels) of the four image corners under ``homography``."""
    corners = np.float32([[0, 0], [width - 1, 0], [0, height - 1], [width - 1, height - 1]])[:, None]
    moved = cv2.perspectiveTransform(corners, homography)
    return float(np.abs(moved - corners).max())


def background_residual(image: np.ndarray, fixed: np.ndarray, valid: np.ndarray) -> float:
    """Median absolute grey difference over ``valid`` pixels: low where the backgrounds line up (moving objects
    are a minority and barely move the median)."""
    difference = np.abs(_grey(image).astype(np.float32) - _grey(fixed).astype(np.float32))
    return float(np.median(difference[valid]))


def warp_homography(image: np.ndarray, homography: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``image`` warped by ``homography`` (same size) and the ``H x W`` bool of pixels the warp fills (less a
    2-pixel seam)."""
    height, width = image.shape[:2]
    warped = cv2.warpPerspective(image, homography, (width, height), flags=cv2.INTER_CUBIC)
    filled = cv2.warpPerspective(np.full((height, width), 255, np.uint8), homography, (width, height))
    return warped, cv2.erode(filled, np.ones((5, 5), np.uint8)) == 255


def register(moving: np.ndarray, fixed: np.ndarray, exclude: np.ndarray | None = None) -> Registration:
    """Warp ``moving`` onto ``fixed``'s background; the identity when the camera did not move (the homography
    barely moves the corners, or does not line the backgrounds up better than leaving the frame as it is)."""
    height, width = fixed.shape[:2]
    homography, inliers = estimate_homography(moving, fixed, exclude)
    identity = Registration(moving.copy(), np.ones((height, width), bool), np.eye(3), inliers)
    if corner_shift(homography, height, width) < IDENTITY_TOLERANCE_PX:
        return identity
    warped, valid = warp_homography(moving, homography)
    if background_residual(moving, fixed, valid) <= background_residual(warped, fixed, valid):
        return identity
    return Registration(warped, valid, homography, inliers)
