"""The pipeline: readers -> stages (measure, then decide) -> writers, run by an executor."""

from .config import default_recipe, load_recipe, merge_recipe
from .executor import LocalExecutor, expand_inputs
from .stages import STAGES, Batch, Stage, StageStats, build_stages

__all__ = ["default_recipe", "load_recipe", "merge_recipe", "LocalExecutor", "expand_inputs", "STAGES", "Batch",
           "Stage", "StageStats", "build_stages"]
