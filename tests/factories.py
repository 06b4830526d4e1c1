"""One way to make what tests need: accounts of each role, prediction files, saved evidence.

Every factory writes through the services in a unit of work of its own, committed, so what it
makes is visible to any other connection (a page under AppTest, a CLI subprocess, a server).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from governance.auth import service as auth
from governance.auth.roles import Role
from governance.auth.service import UserInfo
from governance.kernel import Workbench

PASSWORD = "correct horse battery staple"
FileFormat = Literal["csv", "parquet", "xlsx"]


def first_admin(workbench: Workbench, username: str = "admin") -> UserInfo:
    """The first administrator (the account every other one is created by)."""
    return workbench.run(
        auth.create_first_admin, username=username, password=PASSWORD, display_name="Ada Admin"
    )


def make_user(
    workbench: Workbench,
    role: Role,
    username: str | None = None,
    display_name: str | None = None,
    *,
    by: UserInfo,
) -> UserInfo:
    """An active account of ``role``, created by the administrator ``by``.

    It keeps its password (no change asked at first sign-in): tests sign in with
    :data:`PASSWORD`; those of the forced change make their own accounts.
    """
    return workbench.run(
        auth.create_user,
        actor=by.actor(),
        username=username or f"{role.value.replace('_', '-')}-{uuid.uuid4().hex[:6]}",
        role=role,
        password=PASSWORD,
        display_name=display_name,
        must_change_password=False,
    )


def prediction_frame(
    n: int = 600,
    seed: int = 3,
    *,
    groups: tuple[str, ...] = ("A", "B"),
    score: bool = False,
    text_labels: bool = False,
) -> pd.DataFrame:
    """Predictions with a disparity: group ``groups[0]`` is selected about twice as often.

    ``score`` adds a ``probability`` column consistent with ``prediction`` (≥ 0.5 ⇔ 1);
    ``text_labels`` writes the outcome as UCI Adult's ``>50K``/``<=50K`` instead of 1/0 (text
    that no reader takes for booleans or numbers).
    """
    rng = np.random.default_rng(seed)
    race = rng.choice(list(groups), n)
    y = rng.random(n) < 0.4
    p = rng.random(n) < np.where(race == groups[0], 0.6, 0.3)
    frame = pd.DataFrame(
        {
            "label": np.where(y, ">50K", "<=50K") if text_labels else y.astype(int),
            "prediction": p.astype(int),
            "race": race,
        }
    )
    if score:
        # Rounded to three decimals, so that AUC from the histogram scan is exact.
        frame["probability"] = np.where(
            p, rng.uniform(0.5, 1.0, n), rng.uniform(0.0, 0.4999, n)
        ).round(3)
        frame.loc[frame["probability"] >= 1.0, "probability"] = 0.999
    return frame


def write_predictions(frame: pd.DataFrame, path: Path, file_format: FileFormat = "csv") -> Path:
    """``frame`` written at ``path`` as CSV, Parquet or Excel; the path is returned."""
    if file_format == "csv":
        frame.to_csv(path, index=False)
    elif file_format == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_excel(path, index=False)
    return path


def prediction_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as the CSV bytes a browser would upload."""
    return frame.to_csv(index=False).encode()


def make_notification(
    workbench: Workbench,
    recipient: UserInfo,
    title: str = "Approval requested: credit-model 1.2",
    body: str = "Dana asks for approval of version 1.2.",
    *,
    kind: str = "approval.requested",
    link: str | None = None,
) -> int:
    """A notification delivered to ``recipient`` through the service; its id is returned."""
    from sqlalchemy import func, select

    from governance.notifications import notify
    from governance.notifications.models import Notification

    with workbench.unit() as uow:
        notify(uow, recipients=[recipient.id], kind=kind, title=title, body=body, link=link)
        return int(uow.session.scalar(select(func.max(Notification.id))) or 0)
