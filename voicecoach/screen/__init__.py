"""What the user sees during a session: a live terminal panel, or plain transcript lines.

- `view`: a small, immutable view model computed from the engine's `State` and the clock
  (pure: no terminal, no threads);
- `panel`: the view as a rich renderable (big block digits from `digits`);
- `lines`: the plain transcript for a stdout that is not a terminal;
- `live`: the session observer that shows the panel with rich's `Live`.
"""
