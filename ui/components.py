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


#: Script for the page (run once it loads): the ``gr.Image`` whose ``elem_id`` is ``IMAGE_ID`` keeps showing the
#: picture it had until a new one has loaded. Gradio swaps an image's ``src`` at once, and a browser draws nothing in
#: its place while the new file loads (the playing preview flashed empty, or broken, at every new GIF): the old
#: picture is held over it, in a copy of the ``img`` at the same place, until the new one has loaded or failed.
HOLD_WHILE_LOADING_JS = """
const HELD = 'held-while-loading';
let shown = null;
function hold() {
  const img = document.querySelector('#IMAGE_ID img:not(.' + HELD + ')');
  if (!img || img.dataset.watched === img.getAttribute('src')) return;
  img.dataset.watched = img.getAttribute('src');
  const frame = img.parentElement;
  const release = () => {
    frame.querySelectorAll('.' + HELD).forEach(old => old.remove());
    if (img.naturalWidth > 0) shown = img.getAttribute('src');
  };
  frame.querySelectorAll('.' + HELD).forEach(old => old.remove());
  if (img.complete) { release(); return; }
  if (shown !== null) {
    frame.style.position = 'relative';
    const held = img.cloneNode();
    held.classList.add(HELD);
    delete held.dataset.watched;
    held.setAttribute('src', shown);
    held.style.cssText = 'position:absolute;pointer-events:none;left:' + img.offsetLeft + 'px;top:' +
      img.offsetTop + 'px;width:' + img.offsetWidth + 'px;height:' + img.offsetHeight + 'px';
    frame.appendChild(held);
  }
  img.addEventListener('load', release, {once: true});
  img.addEventListener('error', release, {once: true});
}
new MutationObserver(hold).observe(document.body, {subtree: true, childList: true, attributes: true,
  attributeFilter: ['src']});
hold();
"""


def hold_while_loading_js(elem_id: str) -> str:
    """``HOLD_WHILE_LOADING_JS`` for the image ``elem_id`` (a plain id: letters, digits, ``-`` and ``_``)."""
    return HOLD_WHILE_LOADING_JS.replace("IMAGE_ID", elem_id)
