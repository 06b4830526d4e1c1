"""Watching a model from its page: one button that starts or stops, and who else watches."""

from __future__ import annotations

import streamlit as st

from governance.auth.service import UserInfo
from governance.registry.watchers import unwatch_model, watch_model, watcher_names
from ui.text import markdown_text
from ui.work import run, submit


def watch_control(user: UserInfo, model: str) -> None:
    names = run(watcher_names, actor=user.actor(), name=model)
    if names is None:
        return
    mine = user.username in names
    c1, c2 = st.columns([1, 4], vertical_alignment="center")
    if mine:
        clicked = c1.button("Stop watching", icon=":material/visibility_off:", key="reg_unwatch")
    else:
        clicked = c1.button("Watch", icon=":material/visibility:", key="reg_watch",
                            help="Hear of this model's deployments and deprecations")  # fmt: skip
    others = [n for n in names if n != user.username]
    if mine:
        said = "You watch this model" + (f", with {len(others)} other(s)." if others else ".")
    elif names:
        said = f"Watched by {markdown_text(', '.join(names[:5]))}" + (
            f" and {len(names) - 5} more." if len(names) > 5 else "."
        )
    else:
        said = "Nobody watches this model yet; its owner hears of every change anyway."
    c2.caption(said)
    if clicked:
        service = unwatch_model if mine else watch_model
        verb = "You no longer watch" if mine else "You now watch"
        submit(service, f"{verb} {markdown_text(model)}.", actor=user.actor(), name=model)
