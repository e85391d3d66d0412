"""4KAgent (arXiv 2507.07105): perception → Q-MoE restoration with rollback → any image to 4K.

from goalgraph.agents.fourk import run_fourk, write_report
result = run_fourk("photo.png", profile="FastGen4K-P")
write_report(result, "out/report")                     # HTML: candidates, chosen path, rollbacks, crops
"""

from .graph import FourKResult, FourKState, build_fourk, resolve_model, run_fourk
from .perception import analyze, build_perception, order_tasks, target_factor
from .profiles import Profile, ProfileError, list_profiles, load_profile
from .report import write_report
from .restoration import RestorationResult, Restorer, select_experts
from .scoring import QualityScore, quality_score

__all__ = [
    "FourKResult",
    "FourKState",
    "Profile",
    "ProfileError",
    "QualityScore",
    "RestorationResult",
    "Restorer",
    "analyze",
    "build_fourk",
    "build_perception",
    "list_profiles",
    "load_profile",
    "order_tasks",
    "quality_score",
    "resolve_model",
    "run_fourk",
    "select_experts",
    "target_factor",
    "write_report",
]
