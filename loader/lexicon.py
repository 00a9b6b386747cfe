"""The lexicon: actor names and aliases, theme words, cue patterns, honorifics (data, not code).

A default ships as ``loader/lexicon.yml``; ``rectrack load --lexicon my.yml`` merges a user's
file on top (lists are extended, mappings merged key by key).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .errors import LexiconError

DEFAULT_PATH = Path(__file__).with_name("lexicon.yml")
# libyaml's safe loader when PyYAML was built with it (several times faster), else the Python one
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _merge(base, extra):
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for k, v in extra.items():
            out[k] = _merge(base[k], v) if k in base else v
        return out
    if isinstance(base, list) and isinstance(extra, list):
        return base + [x for x in extra if x not in base]
    return extra


def read_yaml(path) -> dict:
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except OSError as e:
        raise LexiconError(f"{path}: cannot read ({e.strerror or e})") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise LexiconError(f"{path}:{where} not valid YAML ({getattr(e, 'problem', e)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: expected a mapping at the top level")
    return data


def load_lexicon(extra_paths=()) -> dict:
    """The default lexicon merged with each file in ``extra_paths`` (in order)."""
    lexicon = read_yaml(DEFAULT_PATH) if DEFAULT_PATH.exists() else {}
    for p in extra_paths:
        lexicon = _merge(lexicon, read_yaml(p))
    return lexicon
