"""Wires adapters to the engine (placeholder until the session runtime lands)."""

from __future__ import annotations

import argparse


def run_session(args: argparse.Namespace) -> int:
    raise NotImplementedError
