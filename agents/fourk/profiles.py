"""4KAgent profiles: the paper's switches (upscale to 4K, scale factor, tasks, faces, preference …).

    from goalgraph.agents.fourk import load_profile
    profile = load_profile("ExpSR-s4-F")             # a named profile, or a path to a YAML file
    profile = profile.model_copy(update={"with_rollback": False})

YAML files use the paper's keys (`Upscale4K`, `ScaleFactor`, `RestoreOption`, `RestorePerference` …);
the named profiles ship in `agents/fourk/profiles/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

__all__ = ["PROFILE_DIR", "Profile", "ProfileError", "list_profiles", "load_profile"]

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
"""Folder of the named profile YAML files."""


class ProfileError(ValueError):
    """A profile name that does not exist or a YAML file that does not validate."""


class Profile(BaseModel):
    """How 4KAgent perceives, plans and restores one image (fields follow the paper's profile keys)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    name: str = Field(
        default="custom", validation_alias=AliasChoices("Name", "name"), description="Profile nickname."
    )
    perception_model: str = Field(
        "local",
        validation_alias=AliasChoices("PerceptionAgent", "perception_model"),
        description="Model spec for the perception LLM (`goalgraph.llm.model` spec, or `test` for pydantic-ai TestModel).",
    )
    upscale_4k: bool = Field(
        default=True,
        validation_alias=AliasChoices("Upscale4K", "upscale_4k"),
        description="Upscale until the long side reaches ≥ 4000 px (ignored when `scale_factor` is set).",
    )
    scale_factor: Literal[2, 4, 8, 16] | None = Field(
        None,
        validation_alias=AliasChoices("ScaleFactor", "scale_factor"),
        description="Explicit ×2/×4/×8/×16 upscale; takes priority over `upscale_4k`.",
    )
    require_sr_size: int = Field(
        default=300,
        validation_alias=AliasChoices("require_sr_size"),
        description="Without 4K or a factor: images whose long side is below this get ×4.",
    )
    restore_option: str | None = Field(
        None,
        validation_alias=AliasChoices("RestoreOption", "restore_option"),
        description="Explicit tasks joined by '+' (e.g. 'denoising+super-resolution'); skips degradation reasoning.",
    )
    face_restore: bool = Field(
        default=False,
        validation_alias=AliasChoices("FaceRestore", "face_restore"),
        description="Run the face pipeline after super-resolution.",
    )
    brightening: bool = Field(
        default=False,
        validation_alias=AliasChoices("Brightening", "brightening"),
        description="Allow the brightening task (off by default, as in the paper).",
    )
    restore_preference: Literal["Fidelity", "Perception"] = Field(
        "Perception",
        validation_alias=AliasChoices("RestorePreference", "RestorePerference", "restore_preference"),
        description="Fidelity (faithful to the input) or Perception (natural-looking) in expert selection.",
    )
    fast_4k: bool | None = Field(
        default=None,
        validation_alias=AliasChoices("Fast4K", "fast_4k"),
        description="Leave slow experts out of super-resolution on large inputs; unset = the paper's "
        "rule, on when the profile's name contains 'Fast'.",
    )
    fast4k_side_thres: int = Field(
        default=1024,
        validation_alias=AliasChoices("Fast4kSideThres", "fast4k_side_thres"),
        description="Long side (px) from which Fast4K applies.",
    )
    user_define: bool | None = Field(
        default=None,
        validation_alias=AliasChoices("User_Define", "user_define"),
        description="Use `user_define_plan` (the paper's switch); unset = use it whenever it is given.",
    )
    user_define_plan: list[str] | None = Field(
        None,
        validation_alias=AliasChoices("User_Define_Plan", "user_define_plan"),
        description="A fixed task plan that replaces perception and scheduling (see `user_define`).",
    )
    with_rollback: bool = Field(
        default=True,
        validation_alias=AliasChoices("with_rollback"),
        description="Back up and re-plan when a step's best score is under the threshold.",
    )
    rollback_threshold: float = Field(
        default=0.45,
        ge=0,
        le=1,
        validation_alias=AliasChoices("RollbackThreshold", "rollback_threshold"),
        description="Quality score (0..1) a step's best candidate must reach.",
    )
    max_rollbacks: int = Field(
        default=4,
        ge=0,
        validation_alias=AliasChoices("MaxRollbacks", "max_rollbacks"),
        description="Upper bound on rollbacks per image (keeps the tree search finite).",
    )
    fuse_sr: bool | None = Field(
        default=None,
        validation_alias=AliasChoices("FuseSR", "fuse_sr"),
        description="Super-resolution steps output the pixel mean of the candidates that pass the "
        "threshold (goalgraph's addition, not the paper's); unset = on for the Fidelity preference.",
    )
    max_workers: int = Field(
        default=4,
        ge=1,
        validation_alias=AliasChoices("MaxWorkers", "max_workers"),
        description="Experts run concurrently per step.",
    )

    @field_validator("user_define_plan", "restore_option", "scale_factor", mode="before")
    @classmethod
    def _none_word(cls, value: object) -> object:
        # The paper's own profile notes write `User_Define_Plan: None`, which YAML reads as a string.
        return None if isinstance(value, str) and value.strip().lower() in ("none", "null", "") else value

    @field_validator("user_define_plan")
    @classmethod
    def _known_plan_tasks(cls, value: list[str] | None) -> list[str] | None:
        from goalgraph.tools.image.experts import TASKS

        for task in value or []:
            if task not in TASKS:
                raise ValueError(
                    f"unknown task {task!r} in User_Define_Plan; expected tasks from {', '.join(TASKS)}"
                )
        return value

    @field_validator("restore_option")
    @classmethod
    def _known_tasks(cls, value: str | None) -> str | None:
        if value is None:
            return value
        from goalgraph.tools.image.experts import TASKS

        for task in value.split("+"):
            if task not in TASKS:
                raise ValueError(
                    f"unknown task {task!r} in RestoreOption; expected tasks from {', '.join(TASKS)}"
                )
        return value

    @property
    def fixed_plan(self) -> list[str] | None:
        """The user-defined plan when it is switched on, else None (perception plans)."""
        return None if self.user_define is False else self.user_define_plan

    @property
    def fast(self) -> bool:
        """Whether Fast4K filtering applies (`Fast4K`, or 'Fast' in the name as the paper decides)."""
        return self.fast_4k if self.fast_4k is not None else "Fast" in self.name

    @property
    def fusion(self) -> bool:
        """Whether super-resolution steps fuse their passing candidates (`FuseSR`, default: Fidelity)."""
        return self.fuse_sr if self.fuse_sr is not None else self.restore_preference == "Fidelity"

    @property
    def fidelity_weight(self) -> float:
        """Weight of the fidelity term in the Q-MoE score (the rest goes to no-reference quality)."""
        return 0.5 if self.restore_preference == "Fidelity" else 0.2


def list_profiles() -> list[str]:
    """Names of the bundled profiles."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


def load_profile(name_or_path: str | Path) -> Profile:
    """A bundled profile by name (e.g. ``"Gen4K-P"``, underscores accepted) or a profile YAML file."""
    import yaml

    text = str(name_or_path)
    path = Path(text)
    if not (path.suffix in (".yaml", ".yml") and path.is_file()):
        path = PROFILE_DIR / f"{text.replace('_', '-')}.yaml"
        if not path.is_file():
            raise ProfileError(f"unknown profile {text!r}; bundled profiles: {', '.join(list_profiles())}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Profile.model_validate(data)
    except UnicodeDecodeError as error:
        raise ProfileError(
            f"{path}: not UTF-8 text (byte at offset {error.start}); save it as UTF-8"
        ) from None
    except yaml.YAMLError as error:
        raise ProfileError(f"{path}: not valid YAML ({error})") from None
    except ValidationError as error:
        from goalgraph.tools import format_validation_error

        raise ProfileError(f"{path}: {format_validation_error(error)}") from None
