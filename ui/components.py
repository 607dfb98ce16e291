"""What the page needs of Gradio's components beyond their stock behaviour."""

from __future__ import annotations

import binascii
from functools import partial

import gradio as gr
from gradio.data_classes import ImageData
from gradio.processing_utils import save_base64_to_cache


def upload_path(cache_dir: str, payload: ImageData | None) -> str | None:
    """The uploaded file's path on the server, unread (``None``: nothing uploaded).

    A ``data:`` URL payload (API clients) is saved as it is; one that is not base64 counts as no upload.
    """
    if payload is None:
        return None
    if payload.url and payload.url.startswith("data:"):
        try:
            return save_base64_to_cache(payload.url, cache_dir)
        except (binascii.Error, ValueError):
            return None
    return None if payload.path is None else str(payload.path)


def upload_image(**settings: object) -> gr.Image:
    """A ``gr.Image`` that hands its handlers the uploaded file's path without opening it.

    Gradio's own preprocessing opens every upload with PIL, so a corrupt, truncated, empty or non-image file fails
    before any handler runs, with a raw message that names the server's temporary path. This one passes the path on
    unread, and the handler reads it with ``interp.io.images.read_uploaded_image``, whose errors are one plain line.
    (Not a subclass: Gradio writes a ``.pyi`` stub next to the source of every component class when it is defined.)
    """
    image = gr.Image(type="filepath", **settings)
    image.preprocess = partial(upload_path, image.GRADIO_CACHE)  # type: ignore[method-assign]
    return image
