"""A dropdown whose list is read again while the page is open (variants, models, people).

Gradio checks each value an event carries against the list it last sent to this page.
Lists here change under events already on their way (a tab opened, a bot saved in
another tab, a timer): such an event carries the value picked from the list before, and
Gradio would refuse it with "Value: B is not in the list of choices", shown to the user
as an error. This dropdown hands that value to the handler as it is; every handler that
takes one checks it against the bot as it is now (an unknown variant falls back to the
first, an unknown model is a save error, an unknown person shows nothing).
"""

from __future__ import annotations

from typing import Any

import gradio as gr


class ListDropdown(gr.Dropdown):
    is_template = True  # the same component in the browser: Gradio's own dropdown

    def preprocess(self, payload: Any) -> Any:
        listed = [value for _, value in self.choices]
        if not self.multiselect and payload is not None and payload not in listed:
            return payload
        return super().preprocess(payload)


def kept(update: dict, picked: Any) -> dict:
    """A list's update for a refresh (a tab opened, a save elsewhere, a timer), leaving the
    value alone: `picked` is what was picked when the refresh started, and the user may
    have picked another since, which a late refresh must not undo. Only a pick that is no
    longer listed (deleted meanwhile) gives way to the list's own choice."""
    choices = update.get("choices") or []
    listed = [c[1] if isinstance(c, (tuple, list)) else c for c in choices]
    if picked is not None and picked not in listed:
        return update
    return {key: value for key, value in update.items() if key != "value"}
