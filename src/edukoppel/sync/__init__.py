"""The reconcile core: plan (pure), the changeset, the policy, and apply (the shell)."""

from edukoppel.sync._apply import Outcome, apply
from edukoppel.sync._changeset import (
    Add,
    Archive,
    BlockReason,
    Change,
    ChangeAction,
    Changeset,
    FieldChange,
    Restore,
    Update,
)
from edukoppel.sync._plan import diff, plan
from edukoppel.sync._policy import Action, FieldOwnership, Identity, SyncPolicy
from edukoppel.sync._store import RunOutcome, RunProblem, Store, SyncRun

__all__ = [
    "Action",
    "Add",
    "Archive",
    "BlockReason",
    "Change",
    "ChangeAction",
    "Changeset",
    "FieldChange",
    "FieldOwnership",
    "Identity",
    "Outcome",
    "Restore",
    "RunOutcome",
    "RunProblem",
    "Store",
    "SyncPolicy",
    "SyncRun",
    "Update",
    "apply",
    "diff",
    "plan",
]
